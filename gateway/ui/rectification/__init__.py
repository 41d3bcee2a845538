"""The rectification screens (整改 and 好差评): notices for departments and inspectors with the printable
notice, bad reviews for the review office, departments and inspectors; the public's review form and the
published feedback are in ``public``. Every page reads and writes ``/api/rectification/v1``."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.ui import client
from gateway.ui.access import MenuEntry, current_user, signed_in, ui_blueprint
from gateway.ui.client import ServiceError
from gateway.ui.forms import apply_errors, send
from gateway.ui.hotline import department_names, departments
from gateway.ui.hotline.countdown import countdown
from gateway.ui.hotline.forms import plain_body
from gateway.ui.hotline.vocab import choices
from gateway.ui.rectification import steps as s
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR

API = "/api/rectification/v1"
PAGE_SIZE = 20
STAFF = (INSPECTOR, DISPATCHER, DEPARTMENT)

blueprint = ui_blueprint("ui_rectification", __name__)
MENU = (
    MenuEntry(_l("整改通知书"), "ui_rectification.notices", STAFF),
    MenuEntry(_l("好差评"), "ui_rectification.reviews", STAFF),
)
START: dict[str, str] = {}

NOTICE_STATUSES = {"issued": _l("已下发"), "acknowledged": _l("已签收"), "reported": _l("待验收"),
                   "returned": _l("退回重改"), "closed": _l("已销号"), "withdrawn": _l("已撤回")}
SOURCES = {"red_card": _l("红牌"), "spot_check": _l("双随机抽查"), "callback": _l("回访不满意"),
           "review": _l("差评"), "manual": _l("人工下发")}
REVIEW_STATUSES = {"recorded": _l("已记录"), "pending_callback": _l("待回访核实"), "dismissed": _l("核实不属实"),
                   "confirmed": _l("待整改"), "appealed": _l("申诉复核中"), "annulled": _l("申诉成立"),
                   "rectified": _l("已整改待评价"), "explained": _l("已说明待评价"), "closed": _l("已办结")}
CHANNELS = {"public": _l("公众评价"), "callback": _l("回访评价"), "system": _l("政务服务系统")}
VOCAB = {"NOTICE_STATUSES": NOTICE_STATUSES, "SOURCES": SOURCES, "REVIEW_STATUSES": REVIEW_STATUSES,
         "CHANNELS": CHANNELS, "LEVELS": s.LEVELS}


def _context() -> dict[str, Any]:
    return {"vocab": VOCAB, "countdown": countdown, "now": current_app.extensions["duban.ui.clock"].now(),
            "names": department_names(), "user": current_user()}


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _listed(path: str, *names: str) -> dict[str, Any]:
    query = {k: request.args.get(k) or None for k in names}
    try:
        found: dict[str, Any] = client.get(path, page=_page(), page_size=PAGE_SIZE, **query)
        return found
    except ServiceError as error:
        if error.status != 422:
            raise
        flash(_("筛选条件有误：%(m)s", m=error.message), "warning")
        return {"items": [], "page": 1, "page_size": PAGE_SIZE, "total": 0}


# -- notices -----------------------------------------------------------------------------------------
@blueprint.get("/rectification/notices")
@signed_in(*STAFF)
def notices() -> Any:
    """整改通知书: filtered and paged by the service (a department sees its own); inspectors issue by hand."""
    return _notices_page(_issue_form())


def _issue_form() -> s.IssueForm:
    form = s.IssueForm(prefix="issue")
    form.department.choices = choices([("", _("请选择")), *((d["code"], d["name"]) for d in departments())])
    return form


def _notices_page(form: s.IssueForm, status: int = 200) -> Any:
    found = _listed(f"{API}/notices", "status", "source", "department")
    return render_template("ui/rectification/notices.html", found=found, args=request.args, issue=form,
                           departments=[(d["code"], d["name"]) for d in departments()], **_context()), status


@blueprint.post("/rectification/notices")
@signed_in(INSPECTOR)
def issue_notice() -> Any:
    """下发整改通知书 by hand; refusals go back onto the form."""
    form = _issue_form()
    if form.validate() and send(form, f"{API}/notices", form.body()):
        flash(_("整改通知书已下发。"), "success")
        return redirect(url_for("ui_rectification.notices"))
    return _notices_page(form, 422)


@blueprint.get("/rectification/notices/<notice_id>")
@signed_in(*STAFF)
def notice(notice_id: str) -> Any:
    return _render_case("notice", client.get(f"{API}/notices/{notice_id}"))


@blueprint.get("/rectification/notices/<notice_id>/print")
@signed_in(*STAFF)
def print_notice(notice_id: str) -> Any:
    """The printable notice (A4) the service renders."""
    return current_app.response_class(client.get(f"{API}/notices/{notice_id}/print"), mimetype="text/html")


# -- reviews -----------------------------------------------------------------------------------------
@blueprint.get("/rectification/reviews")
@signed_in(*STAFF)
def reviews() -> Any:
    """好差评: bad reviews waiting for their callback, answer, appeal decision or rating."""
    found = _listed(f"{API}/reviews", "status", "channel", "bad", "department")
    return render_template("ui/rectification/reviews.html", found=found, args=request.args, **_context())


@blueprint.get("/rectification/reviews/<review_id>")
@signed_in(*STAFF)
def review(review_id: str) -> Any:
    return _render_case("review", client.get(f"{API}/reviews/{review_id}"))


# -- steps of either -----------------------------------------------------------------------------------
KINDS = {"notice": ("notices", s.NOTICE_STEPS, s.notice_steps), "review": ("reviews", s.REVIEW_STEPS, s.review_steps)}


def _render_case(kind: str, case: dict[str, Any], failed: tuple[str, Any] | None = None, status: int = 200) -> Any:
    _path, _all, available = KINDS[kind]
    offered = available(case, current_user())
    forms = {st.slug: (failed[1] if failed and failed[0] == st.slug else st.form and st.form(prefix=st.slug))
             for st in offered}
    return render_template(f"ui/rectification/{kind}.html", case=case, steps=offered, step_forms=forms,
                           open_step=failed[0] if failed else None, kind=kind, **_context()), status


@blueprint.post("/rectification/<kind>/<case_id>/<path:step>")
@signed_in(*STAFF)
def act(kind: str, case_id: str, step: str) -> Any:
    """Take one step on a notice or a review; a refusal shows the page again with the messages in place."""
    if kind not in KINDS or (chosen := KINDS[kind][1].get(step.replace("/", "-"))) is None:
        abort(404)
    collection = f"{API}/{KINDS[kind][0]}/{case_id}"
    form = chosen.form(prefix=chosen.slug) if chosen.form else None
    if form is not None and not form.validate():
        return _render_case(kind, client.get(collection), failed=(chosen.slug, form), status=422)
    try:
        client.post(f"{collection}/{chosen.name}", plain_body(form) if form is not None else {},
                    idempotency_key=form.idempotency_key.data if form is not None else None)
    except ServiceError as error:
        if error.status == 409 or form is None:
            if error.status not in (409, 422):
                raise
            flash(error.message, "warning")
            return redirect(_case_url(kind, case_id))
        if error.status != 422:
            raise
        apply_errors(form, error)
        return _render_case(kind, client.get(collection), failed=(chosen.slug, form), status=422)
    flash(str(chosen.done), "success")
    return redirect(_case_url(kind, case_id))


def _case_url(kind: str, case_id: str) -> str:
    return url_for("ui_rectification.notice", notice_id=case_id) if kind == "notice" else \
        url_for("ui_rectification.review", review_id=case_id)

