"""Monitoring HTTP API: the board, cards, scores and the approval ingest; thin views, one success code each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, request
from flask.views import MethodView

from services.monitoring import board, handlers, scores
from services.monitoring import schemas as s
from services.monitoring.approvals import Approval
from services.monitoring.cards import Card
from services.monitoring.handlers import BOARD_ROLES, Monitoring, visible_departments
from services.monitoring.model import SupervisedClock
from services.monitoring.rules import label
from shared.appcontext import service_context
from shared.auth import ADMIN, DEPARTMENT, INSPECTOR, require_principal
from shared.idempotency import idempotent
from shared.periods import Period, current_quarter, parse_period
from shared.ratelimit import Limiter
from shared.schemas import NoteSchema, ReasonSchema, page
from shared.web import Blueprint, action_endpoint

blp = Blueprint("monitoring", __name__, url_prefix="/api/monitoring/v1",
                description="电子监察：监察时钟、预警、黄红牌、效能考核、行政审批接入")

public = Blueprint("public", __name__, url_prefix="/api/monitoring/v1/public",
                   description="公开：单位效能排名（只有单位层面的数字）")

INGEST_ROLES = (ADMIN, DEPARTMENT)


def _monitoring() -> Monitoring:
    monitoring: Monitoring = service_context()
    return monitoring


def _names() -> dict[str, str]:
    with _monitoring().db.read() as conn:
        return board.names(conn)


# -- presenting ----------------------------------------------------------------------------------
def present_clock(clock: SupervisedClock, names: dict[str, str], now: datetime) -> dict[str, Any]:
    state = clock.board_state(now)
    return {
        "id": clock.id, "subject": clock.subject.as_dict(), "kind": clock.kind.value, "kind_label": label(clock.kind),
        "department": clock.department, "department_name": names.get(clock.department, clock.department),
        "started_at": clock.started_at, "due_at": clock.due_at, "provisional": clock.provisional,
        "limit": {"amount": clock.limit.amount, "unit": clock.limit.unit.value, "label": clock.limit.label_zh()},
        "state": state.value, "state_label": label(state), "clock_state": clock.state.value,
        "stage": clock.stage.value, "stage_label": label(clock.stage), "paused_at": clock.paused_at,
        "paused_workdays": clock.paused_workdays, "paused_seconds": clock.paused_seconds,
        "stopped_at": clock.stopped_at, "outcome": clock.outcome.value if clock.outcome else None,
        "next_fire_at": clock.next_fire_at, "version": clock.version,
    }


def present_card(card: Card, names: dict[str, str]) -> dict[str, Any]:
    view = {k: getattr(card, k) for k in (
        "id", "department", "reason", "clock_id", "issued_at", "issued_by", "acknowledged_at", "acknowledged_by",
        "acknowledge_note", "confirmed_at", "confirmed_by", "revoked_at", "revoked_by", "revoke_reason",
        "cleared_at", "cleared_by", "clear_note", "escalated_to", "version")}
    view.update(color=card.color.value, color_label=label(card.color), source=card.source.value,
                rule=card.rule.value, rule_label=label(card.rule), status=card.status.value,
                status_label=label(card.status), department_name=names.get(card.department, card.department),
                subject=card.subject.as_dict() if card.subject else None)
    return view


def present_approval(approval: Approval, names: dict[str, str], now: datetime) -> dict[str, Any]:
    view = {k: getattr(approval, k) for k in (
        "id", "system", "external_id", "item_name", "department", "accepted_at", "joint", "promised_days",
        "extended", "pause_reason", "completed_at", "created_at", "version")}
    view.update(status=approval.status.value, status_label=label(approval.status),
                clocks=[present_clock(c, names, now) for c in approval.clocks])
    return view


# -- clocks ----------------------------------------------------------------------------------------
@blp.route("/clocks")
@blp.arguments(s.ClockListQuerySchema, location="query")
@blp.response(200, s.ClockPageSchema)
def list_clocks(query: dict[str, Any]) -> dict[str, Any]:
    """监察时钟: earliest due first; filter by subject, department, kind and state (on_time/reminded/overdue/…)."""
    principal = require_principal(*BOARD_ROLES)
    monitoring = _monitoring()
    now = monitoring.db.clock.now()
    items, total = board.list_clocks(monitoring, principal=principal, now=now, **query)
    names = _names()
    return page([present_clock(c, names, now) for c in items], page=query["page"],
                page_size=query["page_size"], total=total)


@blp.route("/clocks/<clock_id>")
@blp.response(200, s.ClockReadSchema)
def get_clock(clock_id: str) -> dict[str, Any]:
    """One clock."""
    principal = require_principal(*BOARD_ROLES)
    monitoring = _monitoring()
    clock = board.get_clock(monitoring, principal=principal, clock_id=clock_id)
    return present_clock(clock, _names(), monitoring.db.clock.now())


# -- cards -----------------------------------------------------------------------------------------
@blp.route("/cards")
class Cards(MethodView):
    @blp.arguments(s.CardListQuerySchema, location="query")
    @blp.response(200, s.CardPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """黄红牌: newest first; filter by department, color, status, source, subject."""
        principal = require_principal(*BOARD_ROLES)
        items, total = board.list_cards(_monitoring(), principal=principal, **query)
        names = _names()
        return page([present_card(c, names) for c in items], page=query["page"], page_size=query["page_size"],
                    total=total)

    @idempotent
    @blp.arguments(s.CardCreateSchema)
    @blp.response(201, s.CardReadSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """人工亮牌: an inspector's yellow or red card for abnormal handling, with the reason."""
        principal = require_principal(INSPECTOR)
        card = handlers.issue_manual_card(_monitoring(), principal=principal, **data)
        return present_card(card, _names())


@blp.route("/cards/<card_id>")
@blp.response(200, s.CardReadSchema)
def get_card(card_id: str) -> dict[str, Any]:
    """One card."""
    principal = require_principal(*BOARD_ROLES)
    return present_card(handlers.get_card(_monitoring(), principal=principal, card_id=card_id), _names())


def _card_action(path: str, schema: type, roles: tuple[str, ...], handler: Any, doc: str) -> None:
    """Register POST /cards/<id>/<path> → 200 with the card."""

    def run(data: dict[str, Any], card_id: str) -> dict[str, Any]:
        principal = require_principal(*roles)
        return present_card(handler(_monitoring(), principal=principal, card_id=card_id, **data), _names())

    action_endpoint(blp, f"/cards/<card_id>/{path}", name=f"card_{path}", schema=schema,
                    response_schema=s.CardReadSchema, run=run, doc=doc)


_card_action("confirm", s.OptionalNoteSchema, (INSPECTOR,), handlers.confirm_card, "确认: the card stands.")
_card_action("acknowledge", s.OptionalNoteSchema, (DEPARTMENT,), handlers.acknowledge_card,
             "签收确认 by the carded department.")
_card_action("revoke", ReasonSchema, (INSPECTOR,), handlers.revoke_card, "撤销 with a reason.")
_card_action("clear", NoteSchema, (INSPECTOR,), handlers.clear_card, "销号 after verified rectification.")


# -- reminders, summary, scores --------------------------------------------------------------------
@blp.route("/warnings")
@blp.arguments(s.WarningListQuerySchema, location="query")
@blp.response(200, s.WarningPageSchema)
def list_warnings(query: dict[str, Any]) -> dict[str, Any]:
    """预警: reminders issued before a due time, newest first."""
    principal = require_principal(*BOARD_ROLES)
    items, total = board.list_warnings(_monitoring(), principal=principal, **query)
    return page(items, page=query["page"], page_size=query["page_size"], total=total)


@blp.route("/summary")
@blp.arguments(s.DepartmentQuerySchema, location="query")
@blp.response(200, s.SummarySchema(many=True))
def summary(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Per department: open clocks by state and cards by colour and status."""
    principal = require_principal(*BOARD_ROLES)
    return board.summary(_monitoring(), principal=principal, department=query["department"])


def _period(text: str | None) -> Period:
    monitoring = _monitoring()
    tz = monitoring.calendar.tz
    return parse_period(text, tz) if text else current_quarter(monitoring.db.clock.now(), tz)


def _scores_view(period: Period, items: list[dict[str, Any]], total: int) -> dict[str, Any]:
    return {"period": period.label, "start": period.start, "end": period.end, "total": total, "departments": items}


@blp.route("/scores")
@blp.arguments(s.PeriodQuerySchema, location="query")
@blp.response(200, s.ScoresSchema)
def department_scores(query: dict[str, Any]) -> dict[str, Any]:
    """效能考核: on-time rate, reminders, cards, score and grade per department (formula in docs/monitoring.md)."""
    principal = require_principal(*BOARD_ROLES)
    period = _period(query["period"])
    visible = visible_departments(principal)
    wanted: set[str] | None = None if visible is None else set(visible)
    if query["department"]:
        wanted = {query["department"]} & (wanted if wanted is not None else {query["department"]})
    results = scores.department_scores(_monitoring(), period=period, departments=wanted)
    return _scores_view(period, [r.as_dict() for r in results], len(results))


@blp.route("/ranking")
@blp.arguments(s.PeriodQuerySchema, location="query")
@blp.response(200, s.ScoresSchema)
def ranking(query: dict[str, Any]) -> dict[str, Any]:
    """效能排名: departments by score; department staff see their own place in it."""
    principal = require_principal(*BOARD_ROLES)
    period = _period(query["period"])
    ranked = scores.ranking(scores.department_scores(_monitoring(), period=period))
    visible = visible_departments(principal)
    items = [r for r in ranked if (visible is None or r["department"] in visible)
             and (not query["department"] or r["department"] == query["department"])]
    return _scores_view(period, items, len(ranked))


@public.route("/ranking")
@public.arguments(s.PublicPeriodQuerySchema, location="query")
@public.response(200, s.ScoresSchema)
def public_ranking(query: dict[str, Any]) -> dict[str, Any]:
    """公开排名: every department's place, score and counts in a period; no person and no case. Rate-limited."""
    limiter: Limiter = current_app.extensions["duban.public_limiter"]
    limiter.hit(request.remote_addr or "unknown")
    period = _period(query["period"])
    ranked = scores.ranking(scores.department_scores(_monitoring(), period=period))
    return _scores_view(period, ranked, len(ranked))


# -- approvals (ingest for external licensing systems) -------------------------------------------------
@blp.route("/approvals", methods=["POST"])
@idempotent
@blp.arguments(s.ApprovalCreateSchema)
@blp.response(201, s.ApprovalReadSchema)
@blp.alt_response(200, schema=s.ApprovalReadSchema, description="the same item reported again: the first report")
@blp.alt_response(409, description="the same (department, system, external_id) reported with other facts")
def ingest_approval(data: dict[str, Any]) -> Any:
    """行政审批受理: starts the statutory (《行政许可法》第42条) and promised clocks.

    Keyed by (department, system, external_id): the same item reported again with the same facts
    returns it with 200; with other facts it is a 409. Another department's id is another item.
    The hotline office (12345) is not an approval department (422).
    """
    principal = require_principal(*INGEST_ROLES)
    monitoring = _monitoring()
    approval, created = handlers.ingest_approval(monitoring, principal=principal, **data)
    view = present_approval(approval, _names(), monitoring.db.clock.now())
    return view if created else (view, 200)


@blp.route("/approvals/<approval_id>")
@blp.response(200, s.ApprovalReadSchema)
def get_approval(approval_id: str) -> dict[str, Any]:
    """One approval item with its clocks."""
    principal = require_principal(*BOARD_ROLES)
    monitoring = _monitoring()
    approval = handlers.get_approval(monitoring, principal=principal, approval_id=approval_id)
    return present_approval(approval, _names(), monitoring.db.clock.now())


def _approval_action(path: str, schema: type, handler: Any, doc: str) -> None:
    """Register POST /approvals/<id>/<path> → 200 with the approval."""

    def run(data: dict[str, Any], approval_id: str) -> dict[str, Any]:
        principal = require_principal(*INGEST_ROLES)
        monitoring = _monitoring()
        approval = handler(monitoring, principal=principal, approval_id=approval_id, **data)
        return present_approval(approval, _names(), monitoring.db.clock.now())

    action_endpoint(blp, f"/approvals/<approval_id>/{path}", name=f"approval_{path}", schema=schema,
                    response_schema=s.ApprovalReadSchema, run=run, doc=doc)


_approval_action("pause", s.ApprovalPauseSchema, handlers.pause_approval,
                 "暂停计时 (《行政许可法》第45条: 听证、专家评审 … do not count).")
_approval_action("resume", s.ApprovalAtSchema, handlers.resume_approval, "恢复计时: due times move by the pause.")
_approval_action("extend", s.ApprovalAtSchema, handlers.extend_approval,
                 "延长期限 once: +10 working days, +15 for joint handling (第42条); a second time is 409.")
_approval_action("complete", s.ApprovalAtSchema, handlers.complete_approval, "办结: stops the clocks.")
