"""The operator's console (话务员): the new-ticket form with live duplicate suggestions, and my tickets."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from gateway.ui import client
from gateway.ui.access import signed_in
from gateway.ui.client import ServiceError
from gateway.ui.forms import PHONE, apply_errors
from gateway.ui.hotline import API, blueprint, vocab
from gateway.ui.hotline.forms import TICKET_FIELDS, TicketForm
from gateway.ui.hotline.tickets import ticket_context
from shared.roles import DISPATCHER, OPERATOR

SIMILAR = "/api/search/v1/similar"
KNOWLEDGE = "/api/hotline/v1/knowledge"
QUERY_CHARS = 100       # the knowledge API's longest query
MINE_KEPT = 50          # tickets an operator filed, remembered for the shift (the session)
SUGGESTIONS = 5


@blueprint.route("/operator/new", methods=["GET", "POST"])
@signed_in(OPERATOR, DISPATCHER)
def new_ticket() -> Any:
    """受理: file a ticket; on success its page opens, with the number and query code to read out."""
    form = TicketForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                created = client.post(f"{API}/tickets", form.body(), idempotency_key=form.idempotency_key.data)
            except ServiceError as error:
                if error.status != 422:
                    raise
                apply_errors(form, error, TICKET_FIELDS)
            else:
                mine = [created["id"], *[i for i in session.get("filed", []) if i != created["id"]]]
                session["filed"] = mine[:MINE_KEPT]
                flash(_("已受理：工单编号 %(n)s，查询码 %(c)s。请告知来电人。", n=created["number"],
                        c=created.get("query_code", "")), "success")
                return redirect(url_for("ui_hotline.ticket", ticket_id=created["id"]))
        status = 422
    return render_template("ui/hotline/new_ticket.html", form=form), status


@blueprint.post("/operator/similar")
@signed_in(OPERATOR, DISPATCHER)
def similar() -> Any:
    """并单候选 while the operator types: search's similar open tickets (words, and the caller's phone,
    which travels in the body only), as a fragment for htmx."""
    form = request.form
    text = f"{form.get('title', '')} {form.get('content', '')}".strip()[:5000]
    if len(text) < 2:
        return render_template("ui/hotline/_similar.html", hits=[], asked=False, vocab=vocab)
    body: dict[str, Any] = {"text": text, "limit": SUGGESTIONS}
    phone = (form.get("caller_phone") or "").strip()
    if re.fullmatch(PHONE, phone):
        body["phone"] = phone
    hits = client.call("POST", SIMILAR, body=body)["items"]
    return render_template("ui/hotline/_similar.html", hits=hits, asked=True, vocab=vocab)


@blueprint.post("/operator/knowledge")
@signed_in(OPERATOR, DISPATCHER)
def knowledge() -> Any:
    """知识库 answers while the operator types: published articles matching the title (else the content),
    with their owning department and a flag when past review. Posted like the duplicates: what a caller
    says stays out of URLs and logs."""
    form = request.form
    text = (form.get("title", "").strip() or form.get("content", "").strip())[:QUERY_CHARS]
    if len(text) < 2:
        return render_template("ui/hotline/_knowledge.html", hits=[], asked=False)
    hits = client.get(KNOWLEDGE, q=text, status="published", page_size=SUGGESTIONS)["items"]
    return render_template("ui/hotline/_knowledge.html", hits=hits, asked=True)


@blueprint.get("/operator/mine")
@signed_in(OPERATOR, DISPATCHER)
def my_tickets() -> Any:
    """我的工单: the tickets filed in this session, newest first, as they stand now."""
    items = []
    for ticket_id in session.get("filed", [])[:MINE_KEPT]:
        try:
            items.append(client.get(f"{API}/tickets/{ticket_id}"))
        except ServiceError as error:
            if error.status != 404:
                raise
    return render_template("ui/hotline/mine.html", items=items, **ticket_context())
