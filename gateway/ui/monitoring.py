"""The monitoring screens (电子监察): the inspector's board with its charts, cards, clocks, scores and ranking,
and the department's cards to acknowledge. Every page reads and writes ``/api/monitoring/v1``."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from gateway.ui import client
from gateway.ui.access import MenuEntry, current_user, safe_next, signed_in, ui_blueprint
from gateway.ui.client import ServiceError
from gateway.ui.forms import KeyedForm, send
from gateway.ui.hotline.vocab import choices
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR

API = "/api/monitoring/v1"
PAGE_SIZE = 20

blueprint = ui_blueprint("ui_monitoring", __name__)
MENU = (
    MenuEntry(_l("监察看板"), "ui_monitoring.board", (INSPECTOR, DISPATCHER)),
    MenuEntry(_l("黄红牌"), "ui_monitoring.cards", (INSPECTOR, DISPATCHER, DEPARTMENT)),
    MenuEntry(_l("监察时钟"), "ui_monitoring.clocks", (INSPECTOR, DISPATCHER)),
    MenuEntry(_l("效能考核"), "ui_monitoring.scores", (INSPECTOR, DISPATCHER, DEPARTMENT)),
)
START = {INSPECTOR: "ui_monitoring.board"}

COLORS = {"yellow": _l("黄牌"), "red": _l("红牌")}
CARD_STATUSES = {"issued": _l("已亮牌"), "confirmed": _l("已确认"), "revoked": _l("已撤销"), "cleared": _l("已销号")}
SOURCES = {"auto": _l("自动"), "manual": _l("人工")}
BOARD_STATES = {"on_time": _l("正常"), "reminded": _l("已预警"), "overdue": _l("已超期"), "paused": _l("暂停计时"),
                "stopped": _l("已停止")}
CLOCK_KINDS = {"sign": _l("签收时限"), "handle": _l("办理时限"), "callback": _l("回访时限"),
               "approval_statutory": _l("法定审批时限"), "approval_promised": _l("承诺审批时限"),
               "publication": _l("结果公示时限")}
GRADES = {"excellent": _l("优秀"), "good": _l("良好"), "pass": _l("合格"), "fail": _l("不合格")}
VOCAB = {"COLORS": COLORS, "CARD_STATUSES": CARD_STATUSES, "SOURCES": SOURCES, "BOARD_STATES": BOARD_STATES,
         "CLOCK_KINDS": CLOCK_KINDS, "GRADES": GRADES}


class ManualCardForm(KeyedForm):
    department = SelectField(_l("被亮牌单位"), validators=[DataRequired(_l("此项必填"))], choices=[])
    color = SelectField(_l("颜色"), choices=choices(COLORS))
    reason = TextAreaField(_l("异常办理情形"), validators=[DataRequired(_l("此项必填")), Length(
        min=2, max=2000, message=_l("长度应为 %(min)d–%(max)d 个字"))])


class CardNoteForm(FlaskForm):
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])


def _departments() -> list[tuple[str, str]]:
    return [(d["code"], d["name"]) for d in client.get("/api/hotline/v1/departments") if d.get("active", True)]


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def board_figures() -> dict[str, Any]:
    """Per department: reminders, overdue clocks, open yellow and red cards (what the charts draw)."""
    rows = client.get(f"{API}/summary")
    live = ("issued", "confirmed")
    figures = [{"department": r["department"], "name": r["name"], "reminded": r["clocks"].get("reminded", 0),
                "overdue": r["clocks"].get("overdue", 0), "on_time": r["clocks"].get("on_time", 0),
                "paused": r["clocks"].get("paused", 0),
                "yellow": sum(r["cards"].get("yellow", {}).get(s, 0) for s in live),
                "red": sum(r["cards"].get("red", {}).get(s, 0) for s in live)} for r in rows]
    keys = ("on_time", "reminded", "overdue", "paused", "yellow", "red")
    totals = {key: sum(f[key] for f in figures) for key in keys}
    return {"departments": figures, "totals": totals}


@blueprint.get("/board")
@signed_in(INSPECTOR, DISPATCHER)
def board() -> Any:
    """电子监察看板: live counts by department, with charts; refreshed in place every half minute."""
    return render_template("ui/monitoring/board.html", figures=board_figures(), vocab=VOCAB)


@blueprint.get("/board/live")
@signed_in(INSPECTOR, DISPATCHER)
def board_live() -> Any:
    """The board's counts as a fragment (htmx polling)."""
    return render_template("ui/monitoring/_figures.html", figures=board_figures(), vocab=VOCAB)


@blueprint.get("/board/cards")
@signed_in(INSPECTOR, DISPATCHER, DEPARTMENT)
def cards() -> Any:
    """黄红牌: filtered and paged by the service; inspectors confirm, revoke, clear or issue by hand,
    departments acknowledge theirs."""
    args = request.args
    query = {k: args.get(k) or None for k in ("department", "color", "status", "source")}
    found = client.get(f"{API}/cards", page=_page(), page_size=PAGE_SIZE, **query)
    departments = _departments()
    manual = ManualCardForm(prefix="manual")
    manual.department.choices = choices([("", _("请选择")), *departments])
    return render_template("ui/monitoring/cards.html", found=found, args=args, departments=departments,
                           manual=manual, note_form=CardNoteForm(), user=current_user(), vocab=VOCAB)


@blueprint.get("/board/cards/to-acknowledge")
@signed_in(DEPARTMENT)
def cards_to_acknowledge() -> Any:
    """A department's cards it has not acknowledged yet, as a fragment (its inbox loads it with htmx)."""
    found = client.get(f"{API}/cards", page_size=50)["items"]
    waiting = [c for c in found if not c.get("acknowledged_at") and c["status"] in ("issued", "confirmed")]
    return render_template("ui/monitoring/_to_acknowledge.html", cards=waiting, vocab=VOCAB)


@blueprint.post("/board/cards")
@signed_in(INSPECTOR)
def issue_card() -> Any:
    """人工亮牌 (abnormal handling: refusal without reasons, unlawful fees …)."""
    form = ManualCardForm(prefix="manual")
    form.department.choices = choices([("", ""), *_departments()])
    body = {"department": form.department.data, "color": form.color.data, "reason": form.reason.data}
    if form.validate() and send(form, f"{API}/cards", body):
        flash(_("已人工亮牌。"), "success")
        return redirect(url_for("ui_monitoring.cards"))
    flash(_("亮牌未完成：%(e)s", e="；".join(f"{f.label.text}：{'、'.join(map(str, f.errors))}"
                                          for f in form if f.errors) or "；".join(form.form_errors)), "warning")
    return redirect(url_for("ui_monitoring.cards"))


CARD_STEPS = {"acknowledge": ((DEPARTMENT,), "note", _l("已签收该牌。")),
              "confirm": ((INSPECTOR,), "note", _l("已确认该牌。")),
              "revoke": ((INSPECTOR,), "reason", _l("已撤销该牌。")),
              "clear": ((INSPECTOR,), "note", _l("已销号。"))}


@blueprint.post("/board/cards/<card_id>/<step>")
@signed_in(INSPECTOR, DEPARTMENT)
def card_step(card_id: str, step: str) -> Any:
    """签收 / 确认 / 撤销 / 销号 one card; the service says no with its own reasons."""
    if step not in CARD_STEPS:
        return redirect(url_for("ui_monitoring.cards"))
    _roles, field, done = CARD_STEPS[step]
    form = CardNoteForm()
    back = safe_next(request.form.get("next")) or url_for("ui_monitoring.cards")
    if not form.validate():
        flash(_("说明过长。"), "warning")
        return redirect(back)
    try:
        client.post(f"{API}/cards/{card_id}/{step}", {field: form.note.data or ""})
    except ServiceError as error:
        if error.status not in (409, 422):
            raise
        messages = [m for ms in error.field_errors().values() for m in ms]
        flash("；".join([error.message, *messages]), "warning")
    else:
        flash(str(done), "success")
    return redirect(back)


@blueprint.get("/board/clocks")
@signed_in(INSPECTOR, DISPATCHER)
def clocks() -> Any:
    """监察时钟 by state (on time, reminded, overdue, paused), earliest due first."""
    args = request.args
    query = {k: args.get(k) or None for k in ("department", "state", "kind")}
    found = client.get(f"{API}/clocks", page=_page(), page_size=PAGE_SIZE, **query)
    return render_template("ui/monitoring/clocks.html", found=found, args=args, departments=_departments(),
                           vocab=VOCAB)


@blueprint.get("/board/scores")
@signed_in(INSPECTOR, DISPATCHER, DEPARTMENT)
def scores() -> Any:
    """效能考核: a quarter's scores and the ranking (department staff see their own place)."""
    period = (request.args.get("period") or "").strip() or None
    try:
        ranking = client.get(f"{API}/ranking", period=period)
    except ServiceError as error:
        if error.status != 422:
            raise
        flash(_("考核期有误：%(m)s", m=error.message), "warning")
        ranking = client.get(f"{API}/ranking")
    return render_template("ui/monitoring/scores.html", ranking=ranking, vocab=VOCAB)
