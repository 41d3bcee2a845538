"""Ticket pages every staff role shares: the list with filters, one ticket with its timeline and steps."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.ui import client
from gateway.ui.access import current_user, safe_next, signed_in
from gateway.ui.client import ServiceError
from gateway.ui.forms import apply_errors
from gateway.ui.hotline import API, blueprint, department_names, departments, vocab
from gateway.ui.hotline.actions import ACTIONS, available
from gateway.ui.hotline.countdown import countdown
from gateway.ui.hotline.forms import (
    AnswerForm,
    CallbackForm,
    DispatchForm,
    ReturnReviewForm,
    fit_callback,
    plain_body,
)
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR

PAGE_SIZE = 20
STAFF = (OPERATOR, DISPATCHER, INSPECTOR, DEPARTMENT)


def now() -> Any:
    return current_app.extensions["duban.ui.clock"].now()


def list_page(**query: Any) -> dict[str, Any]:
    """A page of tickets from the service (filtering and paging happen there)."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return client.get(f"{API}/tickets", page=page, page_size=PAGE_SIZE, **query)


def ticket_context() -> dict[str, Any]:
    """What the ticket templates need besides the tickets."""
    return {"vocab": vocab, "countdown": countdown, "now": now(), "names": department_names()}


@blueprint.get("/tickets")
@signed_in(*STAFF)
def tickets() -> Any:
    """工单查询: every ticket the user may see, filtered and paged by the service."""
    args = request.args
    query = {"q": args.get("q", "").strip() or None, "status": args.getlist("status") or None,
             "type": args.get("type") or None, "urgency": args.get("urgency") or None,
             "department": args.get("department") or None,
             "overdue": {"1": "true", "0": "false"}.get(args.get("overdue", ""))}
    try:
        found = list_page(**query)
    except ServiceError as error:
        if error.status != 422:
            raise
        flash(_("筛选条件有误：%(m)s", m=error.message), "warning")
        found = {"items": [], "page": 1, "page_size": PAGE_SIZE, "total": 0}
    pairs = [(d["code"], d["name"]) for d in departments()]
    return render_template("ui/hotline/tickets.html", found=found, departments=pairs, args=args,
                           **ticket_context())


@blueprint.get("/tickets/<ticket_id>")
@signed_in(*STAFF)
def ticket(ticket_id: str) -> Any:
    """One ticket: its facts, deadlines, timeline and the steps this user may take now."""
    found = client.get(f"{API}/tickets/{ticket_id}")
    return render_ticket(found)


def render_ticket(found: dict[str, Any], failed: tuple[str, Any] | None = None, status: int = 200) -> Any:
    user = current_user()
    steps = available(found, user)
    step_forms: dict[str, Any] = {
        a.slug: (failed[1] if failed and failed[0] == a.slug else a.form and a.form(prefix=a.slug)) for a in steps}
    for form in step_forms.values():
        fill_departments(form)
        if isinstance(form, AnswerForm):
            fill_articles(form, found)
        elif isinstance(form, CallbackForm):
            fit_callback(form, found)
    duplicates = []
    if found["status"] in ("received", "dispatched") and user and user.has_any(OPERATOR, DISPATCHER):
        duplicates = client.get(f"{API}/tickets/{found['id']}/duplicates")
    return render_template("ui/hotline/ticket.html", t=found, steps=steps, step_forms=step_forms,
                           duplicates=duplicates, open_step=failed[0] if failed else None,
                           **ticket_context()), status


def fill_departments(form: Any) -> None:
    """The department pickers' choices (the hotline's active departments)."""
    if isinstance(form, DispatchForm):
        pairs = [(d["code"], d["name"]) for d in departments()]
        form.lead_department.choices = vocab.choices([("", _("请选择主办单位")), *pairs])
        form.co_departments.choices = vocab.choices(pairs)
    elif isinstance(form, ReturnReviewForm):
        pairs = [("", _("不改派，退回待派单")), *[(d["code"], d["name"]) for d in departments()]]
        form.lead_department.choices = vocab.choices(pairs)


def fill_articles(form: AnswerForm, ticket: dict[str, Any]) -> None:
    """The published knowledge-base articles matching the ticket's title, to say which one the answer used."""
    hits = client.get(f"{API}/knowledge", q=ticket["title"][:100], status="published", page_size=5)["items"]
    form.knowledge_id.choices = vocab.choices([("", _("未使用知识库")), *(
        (a["id"], f"{a['question']}（{a['department_name']}，{_('第 %(n)s 版', n=a['version'])}）") for a in hits)])


@blueprint.post("/tickets/<ticket_id>/<path:step>")
@signed_in(*STAFF)
def act(ticket_id: str, step: str) -> Any:
    """Take one step on a ticket; a refusal shows the ticket again with the messages in place."""
    action = ACTIONS.get(step.replace("/", "-"))
    if action is None:
        abort(404)
    form = action.form(prefix=action.slug) if action.form else None
    if form is not None:
        fill_departments(form)
    if form is not None and not form.validate():
        found = client.get(f"{API}/tickets/{ticket_id}")
        return render_ticket(found, failed=(action.slug, form), status=422)
    body = plain_body(form) if form is not None else {}
    key = form.idempotency_key.data if form is not None else None
    try:
        client.post(f"{API}/tickets/{ticket_id}/{action.name}", body, idempotency_key=key)
    except ServiceError as error:
        if error.status == 409:  # someone moved the ticket first: show it as it stands now, and why
            flash(error.message, "warning")
            return redirect(url_for("ui_hotline.ticket", ticket_id=ticket_id))
        if error.status != 422 or form is None:
            raise
        apply_errors(form, error)
        found = client.get(f"{API}/tickets/{ticket_id}")
        return render_ticket(found, failed=(action.slug, form), status=422)
    flash(str(action.done), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("ui_hotline.ticket", ticket_id=ticket_id))
