"""Hotline HTTP API: thin views over the handlers, one success code each."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import current_app, request
from flask.views import MethodView

from services.hotline import handlers, knowledge_reports, reports
from services.hotline import schemas as s
from services.hotline.handlers import Hotline
from services.hotline.model import Ticket
from services.hotline.rules import ACTION_LABELS_ZH, label
from shared.appcontext import service_context
from shared.auth import DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR, Principal, require_principal
from shared.errors import Forbidden, InvalidInput
from shared.idempotency import idempotent
from shared.periods import current_quarter, parse_period, period_between
from shared.privacy import mask_address, mask_name, mask_phone, mask_text
from shared.ratelimit import Limiter
from shared.schemas import NoteSchema, ReasonSchema, page
from shared.web import Blueprint, action_endpoint

blp = Blueprint("tickets", __name__, url_prefix="/api/hotline/v1",
                description="12345 工单：受理、派单、签收、退单、延期、催办、答复、回访、并单")
public = Blueprint("public", __name__, url_prefix="/api/hotline/v1/public",
                   description="公众查询（工单编号 + 查询码）")

STAFF = (OPERATOR, DISPATCHER, DEPARTMENT, INSPECTOR)
INTAKE = (OPERATOR, DISPATCHER)
# Who the audit trail and the timeline name for a ticket the public filed online.
WEB_PUBLIC = Principal(username="public-web", roles=frozenset(), display_name="网上诉求")


def _hotline() -> Hotline:
    hotline: Hotline = service_context()
    return hotline


def present(ticket: Ticket, principal: Principal) -> dict[str, Any]:
    """A ticket as this caller may see it: confidential callers are masked outside the hotline office."""
    hotline_office = principal.has_any(OPERATOR, DISPATCHER)
    caller = {"name": ticket.caller.name, "phone": ticket.caller.phone}
    address = ticket.address
    content = ticket.content
    if ticket.confidential and not hotline_office:  # 保密件: protect the reporter (举报人保护)
        caller = {"name": mask_name(caller["name"]), "phone": mask_phone(caller["phone"])}
        address = mask_address(address)
        content = mask_text(content)
    view = {k: getattr(ticket, k) for k in (
        "id", "number", "title", "confidential", "utility", "region", "lead_department", "co_departments",
        "created_at", "dispatched_at", "sign_due_at", "handle_due_at", "return_due_at", "callback_due_at",
        "deadline_provisional", "signed_at", "replied_at", "closed_at", "extension_days",
        "urge_count", "reopen_count", "return_count", "merged_into", "version", "category", "lat", "long",
        "media_url")}
    view.update(
        type=ticket.type.value, type_label=label(ticket.type), urgency=ticket.urgency.value,
        urgency_label=label(ticket.urgency), channel=ticket.channel.value, status=ticket.status.value,
        status_label=label(ticket.status), caller=caller, content=content, reply=ticket.reply_content, address=address,
        resolution=ticket.resolution.value if ticket.resolution else None,
        satisfaction=ticket.satisfaction.value if ticket.satisfaction else None,
        extension=ticket.details.get("extension"), return_request=ticket.details.get("return_request"),
        merged_from=ticket.details.get("merged_from", []), knowledge=ticket.details.get("knowledge"),
        timeline=[{**asdict(e), "action_label": ACTION_LABELS_ZH.get(e.action, e.action)}
                  for e in ticket.timeline],
    )
    if ticket.confidential and not hotline_office:  # a point on the map is an address too
        view.update(lat=None, long=None, media_url=None)
    if hotline_office:  # the caller's key to the public status page; anyone else never sees it, not even as null
        view["query_code"] = ticket.query_code
    return view


@blp.route("/tickets")
class Tickets(MethodView):
    @blp.arguments(s.TicketListQuerySchema, location="query")
    @blp.response(200, s.TicketPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """工单列表: newest first, filterable; department staff see their own department's only."""
        principal = require_principal(*STAFF)
        items, total = handlers.list_tickets(_hotline(), principal=principal, **query)
        return page([present(t, principal) for t in items], page=query["page"],
                    page_size=query["page_size"], total=total)

    @idempotent
    @blp.arguments(s.TicketCreateSchema)
    @blp.response(201, s.TicketReadSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """受理: file a ticket. Returns its number and query code.

        The answer no longer holds ``duplicate_candidates``: duplicate suggestions (并单 candidates) come from
        ``POST /api/search/v1/similar``, which the console asks while the operator types.
        """
        principal = require_principal(*INTAKE)
        return present(handlers.file_ticket(_hotline(), principal=principal, **data), principal)


@blp.route("/tickets/<ticket_id>")
@blp.response(200, s.TicketReadSchema)
def get_ticket(ticket_id: str) -> dict[str, Any]:
    """工单详情 with its timeline."""
    principal = require_principal(*STAFF)
    return present(handlers.get_ticket(_hotline(), principal=principal, ticket_id=ticket_id), principal)


@blp.route("/tickets/<ticket_id>/duplicates")
@blp.response(200, s.DuplicateSchema(many=True))
def duplicates(ticket_id: str) -> list[Any]:
    """Open tickets that look like this one (并单 candidates)."""
    principal = require_principal(*INTAKE)
    return [asdict(d) for d in handlers.duplicates_of(_hotline(), principal=principal, ticket_id=ticket_id)]


def _action(path: str, schema: type | None, roles: tuple[str, ...], handler: Any, doc: str) -> None:
    """Register one transition endpoint: POST /tickets/<id>/<path> → 200 with the ticket."""

    def run(data: dict[str, Any], ticket_id: str) -> dict[str, Any]:
        principal = require_principal(*roles)
        return present(handler(_hotline(), principal=principal, ticket_id=ticket_id, **data), principal)

    action_endpoint(blp, f"/tickets/<ticket_id>/{path}", name="ticket_" + path.replace("/", "_").replace("-", "_"),
                    schema=schema, response_schema=s.TicketReadSchema, run=run, doc=doc)


_action("answer", s.AnswerSchema, INTAKE, handlers.answer,
        "直接答复 (answer at intake); knowledge_id records the knowledge-base article version used.")
_action("legal-channel", s.LegalChannelSchema, INTAKE, handlers.answer_legal_channel,
        "引导依法依规解决: explain the statutory channel instead of dispatching.")
_action("transfer", s.TransferSchema, INTAKE, handlers.transfer, "转 110/119/120/122 (emergency transfer).")
_action("dispatch", s.DispatchSchema, (DISPATCHER,), handlers.dispatch,
        "派单 to a lead department and co-departments; sets sign_due_at and handle_due_at.")
_action("sign", None, (DEPARTMENT,), handlers.sign, "签收 by the lead department.")
_action("return", s.ReturnSchema, (DEPARTMENT,), handlers.request_return, "申请退单 with a reason.")
_action("return/review", s.ReturnReviewSchema, (DISPATCHER,), handlers.review_return,
        "审核退单: accept (optionally re-dispatch at once) or reject.")
_action("extension", s.ExtensionSchema, (DEPARTMENT,), handlers.request_extension, "申请延期 (working days).")
_action("extension/review", s.ExtensionReviewSchema, (DISPATCHER,), handlers.review_extension, "审核延期.")
_action("urge", NoteSchema, (DISPATCHER, INSPECTOR), handlers.urge, "催办/督办.")
_action("assist", s.ContentSchema, (DEPARTMENT,), handlers.assist, "协办意见 from a co-department.")
_action("reply", s.ContentSchema, (DEPARTMENT,), handlers.reply, "答复 by the lead department.")
_action("callback", s.CallbackSchema, (DISPATCHER,), handlers.record_callback,
        "回访 with the five satisfaction levels; a justified 不满意 reopens (重办).")
_action("close", ReasonSchema, (DISPATCHER,), handlers.close, "办结 without a rating (caller unreachable).")
_action("merge", s.MergeSchema, (DISPATCHER,), handlers.merge, "并单 into another open ticket.")


@blp.route("/stats")
@blp.arguments(s.StatsQuerySchema, location="query")
@blp.response(200, s.StatsSchema)
def stats(query: dict[str, Any]) -> dict[str, Any]:
    """部门考核指标: on-time sign-in and closure, satisfaction, callback, return and reopen rates; and the
    knowledge base's first-call resolution, unanswered questions and articles by freshness."""
    principal = require_principal(DISPATCHER, INSPECTOR, DEPARTMENT)
    hotline = _hotline()
    tz = hotline.calendar.tz
    if query["from_"] or query["to"]:
        if not (query["from_"] and query["to"]):
            raise InvalidInput("from 与 to 需同时给出 / give both from and to", {"to": ["required with from"]})
        period = period_between(query["from_"], query["to"], tz)
    elif query["period"]:
        period = parse_period(query["period"], tz)
    else:
        period = current_quarter(hotline.db.clock.now(), tz)
    wanted: set[str] | None = {query["department"]} if query["department"] else None
    if not principal.has_any(DISPATCHER, INSPECTOR):
        if wanted and not wanted <= principal.departments:
            raise Forbidden("只能查看本单位的指标 / only your own department")
        wanted = set(principal.departments)
    return {"period": period.label, "from": period.start.isoformat(), "to": period.end.isoformat(),
            "departments": reports.department_kpis(hotline, period=period, departments=wanted),
            "knowledge": knowledge_reports.knowledge_figures(hotline, period=period, departments=wanted)}


@blp.route("/departments")
@blp.response(200, s.DepartmentSchema(many=True))
def departments() -> list[dict[str, Any]]:
    """Departments tickets can be dispatched to (replica of the directory)."""
    require_principal(*STAFF)
    return reports.departments(_hotline())


@public.route("/tickets", methods=["POST"])
@idempotent
@public.arguments(s.PublicTicketCreateSchema)
@public.response(201, s.PublicTicketCreatedSchema)
def public_intake(data: dict[str, Any]) -> dict[str, Any]:
    """网上诉求: anyone files a ticket (channel web); answers its number and query code. Rate-limited."""
    limiter: Limiter = current_app.extensions["duban.public_intake_limiter"]
    limiter.hit(request.remote_addr or "unknown")
    ticket = handlers.file_ticket(_hotline(), principal=WEB_PUBLIC, urgency="general", channel="web", **data)
    return {"number": ticket.number, "query_code": ticket.query_code, "status": ticket.status.value,
            "status_label": label(ticket.status)}


@public.route("/status")
@public.arguments(s.PublicStatusQuerySchema, location="query")
@public.response(200, s.PublicStatusSchema)
def public_status(query: dict[str, Any]) -> dict[str, Any]:
    """公众查询: status and timeline by ticket number + query code; no personal data. Rate-limited."""
    limiter: Limiter = current_app.extensions["duban.public_limiter"]
    # remote_addr only: behind nginx, ProxyFix sets it from the one trusted hop (nginx replaces any
    # X-Forwarded-For the client sent).
    limiter.hit(request.remote_addr or "unknown")
    return reports.public_status(_hotline(), number=query["number"], code=query["code"])
