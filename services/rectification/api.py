"""Rectification HTTP API: notices for inspectors and departments, public statistics; thin views."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from services.rectification import handlers, review_handlers
from services.rectification import schemas as s
from services.rectification.handlers import Rectification
from services.rectification.model import Notice
from services.rectification.rules import label
from shared.appcontext import service_context
from shared.auth import require_principal
from shared.idempotency import idempotent
from shared.schemas import page
from shared.web import Blueprint, action_endpoint

blp = Blueprint("rectification", __name__, url_prefix="/api/rectification/v1",
                description="整改通知书：下发、签收、整改报告、验收销号、延期")
public = Blueprint("rectification-public", __name__, url_prefix="/api/rectification/v1/public",
                   description="整改情况公开反馈（不含个人信息）")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _r() -> Rectification:
    rectification: Rectification = service_context()
    return rectification


def present(notice: Notice) -> dict[str, Any]:
    return {"id": notice.id, "number": notice.number, "department": notice.department,
            "status": notice.status.value, "status_label": label(notice.status), "source": notice.source,
            "findings": notice.findings, "requirements": notice.requirements, "issued_at": notice.issued_at,
            "due_at": notice.due_at, "rounds": notice.rounds, "extension_days": notice.extension_days,
            "history": notice.history, "version": notice.version}


@blp.route("/notices")
class Notices(MethodView):
    @blp.doc(security=BEARER)
    @blp.arguments(s.NoticeListQuerySchema, location="query")
    @blp.response(200, s.NoticePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """整改通知书 / notices (departments see their own)"""
        items, total = handlers.list_notices(_r(), principal=require_principal(), page=query["page"],
                                             page_size=query["page_size"], department=query.get("department"),
                                             status=query.get("status"), source=query.get("source"))
        return page([present(n) for n in items], page=query["page"], page_size=query["page_size"], total=total)

    @blp.doc(security=BEARER)
    @idempotent
    @blp.arguments(s.NoticeCreateSchema)
    @blp.response(201, s.NoticeReadSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """下发整改通知书（督查人员） / issue a notice by hand (inspectors)"""
        return present(handlers.issue_manual(_r(), principal=require_principal(), **body))


@blp.route("/notices/<notice_id>")
@blp.doc(security=BEARER)
@blp.response(200, s.NoticeReadSchema)
def get_notice(notice_id: str) -> dict[str, Any]:
    """一份整改通知书 / one notice"""
    return present(handlers.get_notice(_r(), principal=require_principal(), notice_id=notice_id))


@blp.route("/notices/<notice_id>/print")
@blp.doc(security=BEARER, responses={"200": {"description": "text/html: the notice on an A4 page",
                                             "content": {"text/html": {"schema": {"type": "string"}}}}})
def print_notice(notice_id: str) -> Response:
    """打印整改通知书 / the notice as a printable A4 page (HTML)"""
    html = handlers.printable(_r(), principal=require_principal(), notice_id=notice_id)
    return Response(html, mimetype="text/html")


def _action(name: str, schema: type | None, doc: str, run: Any) -> None:
    action_endpoint(blp, f"/notices/<notice_id>/{name}", name=f"notice_{name.replace('/', '_')}", schema=schema,
                    response_schema=s.NoticeReadSchema, doc=doc,
                    run=lambda body, notice_id: present(run(require_principal(), notice_id, body)))


_action("acknowledge", None, "签收（被通知单位） / acknowledge (the department)",
        lambda p, i, b: handlers.acknowledge(_r(), principal=p, notice_id=i))
_action("report", s.ReportSchema, "报送整改报告 / report the measures taken, with evidence (the department)",
        lambda p, i, b: handlers.report(_r(), principal=p, notice_id=i, **b))
_action("extension", s.ExtensionSchema, "申请延期 / request an extension (the department)",
        lambda p, i, b: handlers.request_extension(_r(), principal=p, notice_id=i, **b))
_action("extension/decision", s.DecisionSchema, "审核延期 / decide an extension (inspectors)",
        lambda p, i, b: handlers.decide_extension(_r(), principal=p, notice_id=i, **b))
_action("verify", s.VerifySchema, "验收：通过销号，不通过退回 / verify: pass closes, fail returns (inspectors)",
        lambda p, i, b: handlers.verify(_r(), principal=p, notice_id=i, passed=b["result"] == "pass",
                                        comment=b["comment"]))


@public.route("/stats")
@public.response(200, s.StatsSchema)
def stats() -> dict[str, Any]:
    """整改与好差评公开反馈 / notices closed and on time, reviews by level, bad reviews rectified, per department
    (anyone; no personal data)"""
    return {"items": review_handlers.public_stats(_r())}
