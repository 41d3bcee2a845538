"""好差评 HTTP API: the public rates a ticket, approval systems report reviews, staff handle bad ones; thin views."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.rectification import review_handlers as handlers
from services.rectification import schemas as s
from services.rectification.api import present as present_notice
from services.rectification.handlers import Rectification
from services.rectification.reviews import Response, Review
from services.rectification.rules import LEVELS, label
from services.rectification.schemas import NoticeReadSchema
from shared.appcontext import service_context
from shared.auth import current_principal, require_principal
from shared.idempotency import idempotent
from shared.ratelimit import limit_public
from shared.schemas import page
from shared.web import Blueprint, action_endpoint

blp = Blueprint("reviews", __name__, url_prefix="/api/rectification/v1/reviews",
                description="好差评：公众评价、系统报送、差评回访核实、整改或说明、申诉复核、评价人反馈")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _r() -> Rectification:
    rectification: Rectification = service_context()
    return rectification


def present(review: Review) -> dict[str, Any]:
    return {"id": review.id, "number": review.number, "channel": review.channel.value, "subject": review.subject,
            "department": review.department, "level": review.level, "level_label": LEVELS[review.level],
            "bad": review.bad, "comment": review.comment, "real_name": review.real_name,
            "received_at": review.received_at, "status": review.status.value, "status_label": label(review.status),
            "due_at": review.due_at, "response": review.response, "fix_level": review.fix_level,
            "appealed": review.appealed, "notice_id": review.notice_id, "history": review.history,
            "version": review.version}


def receipt(review: Review) -> dict[str, Any]:
    return {"id": review.id, "number": review.number, "level": review.level, "status": review.status.value,
            "status_label": label(review.status), "due_at": review.due_at, "fix_level": review.fix_level}


@blp.route("")
class Reviews(MethodView):
    @blp.doc(security=BEARER)
    @blp.arguments(s.ReviewListQuerySchema, location="query")
    @blp.response(200, s.ReviewPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """好差评 / reviews (departments see their own)"""
        number, size = query.pop("page"), query.pop("page_size")
        items, total = handlers.list_reviews(_r(), principal=require_principal(), page=number, page_size=size,
                                             department=query.get("department"), status=query.get("status"),
                                             channel=query.get("channel"), bad=query.get("bad"))
        return page([present(v) for v in items], page=number, page_size=size, total=total)

    @idempotent
    @blp.arguments(s.PublicReviewSchema)
    @blp.response(201, s.ReviewReceiptSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """公众评价 / rate a closed ticket with its number + query code (anyone; rate-limited; once per ticket)"""
        limit_public()
        return receipt(handlers.review_ticket(_r(), **body))


@blp.route("/system", methods=["POST"])
@blp.doc(security=BEARER)
@idempotent
@blp.arguments(s.SystemReviewSchema)
@blp.response(201, s.ReviewReadSchema)
@blp.alt_response(200, schema=s.ReviewReadSchema, description="the same item reported again: the first review")
@blp.alt_response(409, description="the same (system, external_id) reported with another review")
def report_review(body: dict[str, Any]) -> Any:
    """政务服务系统报送评价 / an approval system reports a review of one of its items (its service account)"""
    review, created = handlers.review_item(_r(), principal=require_principal(), **body)
    return present(review) if created else (present(review), 200)


@blp.route("/<review_id>")
@blp.doc(security=BEARER)
@blp.response(200, s.ReviewReadSchema)
def get_review(review_id: str) -> dict[str, Any]:
    """一条评价 / one review"""
    return present(handlers.get_review(_r(), principal=require_principal(), review_id=review_id))


def _action(name: str, schema: type, doc: str, run: Any, respond: Any = present,
            response_schema: Any = s.ReviewReadSchema) -> None:
    action_endpoint(blp, f"/<review_id>/{name}", name=f"review_{name}", schema=schema,
                    response_schema=response_schema, doc=doc, run=lambda body, review_id: respond(run(review_id, body)))


_action("callback", s.CallbackSchema, "回访核实：属实待整改，不属实则结束 / call the reviewer back (review office)",
        lambda i, b: handlers.call_back(_r(), principal=require_principal(), review_id=i, **b))
_action("rectify", s.RespondSchema, "整改 / rectify, with measures and evidence (the rated department)",
        lambda i, b: handlers.respond(_r(), principal=require_principal(), review_id=i, kind=Response.RECTIFY, **b))
_action("explain", s.RespondSchema, "解释说明 / explain why nothing is to be fixed (the rated department)",
        lambda i, b: handlers.respond(_r(), principal=require_principal(), review_id=i, kind=Response.EXPLAIN, **b))
_action("appeal", s.AppealSchema, "申诉复核 / appeal the bad review, once (the rated department)",
        lambda i, b: handlers.appeal(_r(), principal=require_principal(), review_id=i, **b))
_action("decide", s.AppealDecisionSchema, "复核申诉：成立则差评不计 / decide the appeal (inspectors)",
        lambda i, b: handlers.decide(_r(), principal=require_principal(), review_id=i, **b))


@blp.route("/<review_id>/notice", methods=["POST"])
@blp.doc(security=BEARER)
@idempotent
@blp.arguments(s.ReviewNoticeSchema)
@blp.response(201, NoticeReadSchema)
def notice_for_callback(body: dict[str, Any], review_id: str) -> dict[str, Any]:
    """对回访不满意（认定属实）下发整改通知书 / an inspector raises a notice on a justified dissatisfied callback"""
    return present_notice(handlers.notice_for_callback(_r(), principal=require_principal(), review_id=review_id,
                                                       **body))


def _rate(review_id: str, body: dict[str, Any]) -> Review:
    principal = current_principal()
    if principal is None:
        limit_public()
    return handlers.rate(_r(), principal=principal, review_id=review_id, **body)


_action("rate", s.RateSchema, "评价人评价整改结果 / the reviewer rates the answer: the review office records it, or "
        "the caller with the ticket's number + query code (rate-limited)", _rate, respond=receipt,
        response_schema=s.ReviewReceiptSchema)
