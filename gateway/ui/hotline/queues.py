"""Work queues: the dispatcher's (派单、审核、回访) and the department's inbox (签收、答复)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from gateway.ui.access import current_user, signed_in
from gateway.ui.hotline import blueprint
from gateway.ui.hotline.actions import ACTIONS
from gateway.ui.hotline.forms import CallbackForm, DispatchForm, fit_callback
from gateway.ui.hotline.tickets import fill_departments, list_page, ticket_context
from shared.roles import DEPARTMENT, DISPATCHER

# Pending extensions have no filter of their own: they are looked for among this many signed tickets.
EXTENSION_SCAN = 100


@blueprint.get("/dispatch")
@signed_in(DISPATCHER)
def dispatch_queue() -> Any:
    """待派单: received tickets, oldest waiting shown with the department picker (lead + co-units)."""
    found = list_page(status=["received"])
    forms = {}
    for item in found["items"]:
        form = DispatchForm(prefix="dispatch")
        fill_departments(form)
        forms[item["id"]] = form
    return render_template("ui/hotline/dispatch.html", found=found, forms=forms, **ticket_context())


@blueprint.get("/dispatch/reviews")
@signed_in(DISPATCHER)
def reviews() -> Any:
    """退单与延期审核: return requests, and signed tickets whose extension request waits."""
    from gateway.ui import client
    from gateway.ui.hotline import API

    returns = list_page(status=["return_requested"])
    signed = client.get(f"{API}/tickets", status=["signed"], page_size=EXTENSION_SCAN)["items"]
    extensions = [t for t in signed if (t.get("extension") or {}).get("status") == "pending"]
    return render_template("ui/hotline/reviews.html", returns=returns, extensions=extensions,
                           **ticket_context())


@blueprint.get("/dispatch/callbacks")
@signed_in(DISPATCHER)
def callbacks() -> Any:
    """待回访: replied tickets with the five-level satisfaction form (国办发〔2019〕51号)."""
    found = list_page(status=["replied"])
    forms = {item["id"]: fit_callback(CallbackForm(prefix="callback"), item) for item in found["items"]}
    return render_template("ui/hotline/callbacks.html", found=found, forms=forms, callback_action=ACTIONS["callback"],
                           **ticket_context())


@blueprint.get("/inbox")
@signed_in(DEPARTMENT)
def inbox() -> Any:
    """本单位待办: tickets to sign and to answer, each with its countdown; co-unit tickets to assist on."""
    user = current_user()
    assert user is not None
    to_sign = list_page(status=["dispatched", "reopened"])
    to_answer = list_page(status=["signed"])
    mine = set(user.departments)
    return render_template("ui/hotline/inbox.html", to_sign=to_sign, to_answer=to_answer, mine=mine,
                           **ticket_context())
