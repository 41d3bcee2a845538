"""Spot-check HTTP API: the directories, plans and draws, and the public records (一公开); thin views."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from services.spotcheck import handlers
from services.spotcheck import schemas as s
from services.spotcheck.handlers import Spotcheck
from services.spotcheck.model import Plan
from services.spotcheck.results import Result
from services.spotcheck.rules import label
from shared.appcontext import service_context
from shared.auth import require_principal
from shared.errors import NotFound
from shared.idempotency import idempotent
from shared.schemas import page
from shared.web import Blueprint

blp = Blueprint("spotcheck", __name__, url_prefix="/api/spotcheck/v1",
                description="双随机、一公开：检查对象与执法人员名录、抽查计划、可验证抽取")
public = Blueprint("spotcheck-public", __name__, url_prefix="/api/spotcheck/v1/public",
                   description="公开的抽查计划与抽取记录（任何人可复核）")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _spotcheck() -> Spotcheck:
    spotcheck: Spotcheck = service_context()
    return spotcheck


def present(plan: Plan) -> dict[str, Any]:
    return {"id": plan.id, "name": plan.name, "status": plan.status.value, "status_label": label(plan.status),
            "departments": plan.departments, "check_items": plan.check_items,
            "population_filter": plan.population_filter, "parameters": plan.parameters,
            "commitment": plan.commitment, "population_sha256": plan.population_sha256,
            "targets": len(plan.population["targets"]) if plan.population else None,
            "published_at": plan.published_at, "draw_id": (plan.draw or {}).get("id"),
            "draw_failed": (plan.draw or {}).get("failed"), "version": plan.version}


@blp.route("/targets")
class Targets(MethodView):
    @blp.doc(security=BEARER)
    @blp.arguments(s.TargetListQuerySchema, location="query")
    @blp.response(200, s.TargetPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """检查对象名录 / the target directory"""
        require_principal()
        items, total = handlers.list_targets(_spotcheck(), page=query["page"], page_size=query["page_size"],
                                             risk_class=query.get("risk_class"))
        return page([{**vars(t), "risk_class": t.risk_class.value} for t in items], page=query["page"],
                    page_size=query["page_size"], total=total)

    @blp.doc(security=BEARER)
    @idempotent
    @blp.arguments(s.TargetCreateSchema)
    @blp.response(200, s.TargetReadSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """新增或更新检查对象 / add or update a target (inspectors, admins)"""
        target = handlers.save_target(_spotcheck(), principal=require_principal(), **body)
        return {**vars(target), "risk_class": target.risk_class.value}


@blp.route("/inspectors")
class Inspectors(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, s.InspectorReadSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """执法检查人员名录 / the inspector directory (inspectors, admins)"""
        found = handlers.list_inspectors(_spotcheck(), principal=require_principal())
        return [{**vars(i), "pseudonym": i.pseudonym} for i in found]

    @blp.doc(security=BEARER)
    @idempotent
    @blp.arguments(s.InspectorCreateSchema)
    @blp.response(201, s.InspectorReadSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """新增执法检查人员 / add an inspector to the directory"""
        inspector = handlers.add_inspector(_spotcheck(), principal=require_principal(), **body)
        return {**vars(inspector), "pseudonym": inspector.pseudonym}


@blp.route("/check-items")
class CheckItems(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, s.CheckItemReadSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """抽查事项清单 / the check lists of every department"""
        require_principal()
        return [vars(i) for i in handlers.list_check_items(_spotcheck())]

    @blp.doc(security=BEARER)
    @idempotent
    @blp.arguments(s.CheckItemCreateSchema)
    @blp.response(200, s.CheckItemReadSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """新增或修改抽查事项 / add or update a check item (inspectors, admins)"""
        return vars(handlers.save_check_item(_spotcheck(), principal=require_principal(), **body))


@blp.route("/plans")
class Plans(MethodView):
    @blp.doc(security=BEARER)
    @blp.arguments(s.PlanCreateSchema)
    @blp.response(201, s.PlanReadSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """制定抽查计划（草稿） / draft a plan"""
        return present(handlers.create_plan(_spotcheck(), principal=require_principal(), **body))

    @blp.doc(security=BEARER)
    @blp.arguments(s.PageQuerySchema, location="query")
    @blp.response(200, s.PlanPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """抽查计划 / plans (departments see their own)"""
        items, total = handlers.list_plans(_spotcheck(), principal=require_principal(), page=query["page"],
                                           page_size=query["page_size"])
        return page([present(p) for p in items], page=query["page"], page_size=query["page_size"], total=total)


@blp.route("/plans/<plan_id>")
class PlanById(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, s.PlanReadSchema)
    def get(self, plan_id: str) -> dict[str, Any]:
        """一个抽查计划 / one plan"""
        return present(handlers.get_plan(_spotcheck(), principal=require_principal(), plan_id=plan_id))


@blp.route("/plans/<plan_id>/publish", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, s.PlanReadSchema)
def publish(plan_id: str) -> dict[str, Any]:
    """公布计划：冻结名录快照并公布其哈希与种子承诺 / publish: freeze the population, publish its hash"""
    return present(handlers.publish_plan(_spotcheck(), principal=require_principal(), plan_id=plan_id))


@blp.route("/plans/<plan_id>/draw", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(s.DrawRequestSchema)
@blp.response(200, s.DrawRecordSchema)
@blp.alt_response(409, description="已抽取 / drawn already, or not published")
def draw(body: dict[str, Any], plan_id: str) -> dict[str, Any]:
    """抽取：揭示种子 / draw with the revealed seed (422 if it does not match the commitment)"""
    plan = handlers.draw(_spotcheck(), principal=require_principal(), plan_id=plan_id, seed=body["seed"])
    if plan.draw is None or "failed" in plan.draw:
        return {"plan_id": plan.id, "seed": body["seed"], "commitment": plan.commitment,
                "population_sha256": plan.population_sha256, "parameters": plan.parameters, "selections": []}
    return plan.draw


@public.route("/plans")
@public.arguments(s.PageQuerySchema, location="query")
@public.response(200, s.PlanPageSchema)
def public_plans(query: dict[str, Any]) -> dict[str, Any]:
    """已公布的抽查计划（公开） / published plans (anyone)"""
    items, total = handlers.list_plans(_spotcheck(), principal=None, page=query["page"],
                                       page_size=query["page_size"])
    return page([present(p) for p in items], page=query["page"], page_size=query["page_size"], total=total)


@public.route("/draws/<draw_id>")
@public.response(200, s.DrawRecordSchema)
def public_draw(draw_id: str) -> dict[str, Any]:
    """抽取记录（公开，可复核） / a draw record anyone can replay"""
    plan = handlers.public_draw(_spotcheck(), draw_id=draw_id)
    if plan.draw is None:
        raise NotFound("抽取记录不存在 / draw not found", {"id": [draw_id]})
    return plan.draw


@public.route("/draws/<draw_id>/population")
@public.response(200, s.PopulationSchema)
def public_population(draw_id: str) -> dict[str, Any]:
    """抽取所用的名录快照（公开；执法人员以化名出现） / the frozen population, inspectors as pseudonyms"""
    plan = handlers.public_draw(_spotcheck(), draw_id=draw_id)
    assert plan.population is not None
    return plan.population


@blp.route("/plans/<plan_id>/results")
class Results(MethodView):
    @blp.doc(security=BEARER)
    @blp.response(200, s.ResultReadSchema(many=True))
    def get(self, plan_id: str) -> list[dict[str, Any]]:
        """检查结果 / a plan's results"""
        found = handlers.list_results(_spotcheck(), principal=require_principal(), plan_id=plan_id)
        return [_result(r) for r in found]

    @blp.doc(security=BEARER)
    @idempotent
    @blp.arguments(s.ResultCreateSchema)
    @blp.response(201, s.ResultReadSchema)
    def post(self, body: dict[str, Any], plan_id: str) -> dict[str, Any]:
        """录入检查结果（参与单位） / record a drawn target's result; publish within 20 working days"""
        return _result(handlers.record_result(_spotcheck(), principal=require_principal(), plan_id=plan_id, **body))


@blp.route("/plans/<plan_id>/results/<uscc>/publish", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, s.ResultReadSchema)
def publish_result(plan_id: str, uscc: str) -> dict[str, Any]:
    """公示检查结果 / publish a result (一公开)"""
    return _result(handlers.publish_result(_spotcheck(), principal=require_principal(), plan_id=plan_id, uscc=uscc))


@public.route("/plans/<plan_id>/results")
@public.response(200, s.PublicResultSchema(many=True))
def public_results(plan_id: str) -> list[dict[str, Any]]:
    """已公示的检查结果（公开） / published results (anyone)"""
    found = handlers.list_results(_spotcheck(), principal=None, plan_id=plan_id)
    return [{**r.public_view(), "category_label": label(r.category)} for r in found]


def _result(result: Result) -> dict[str, Any]:
    return {**{k: getattr(result, k) for k in ("uscc", "target_name", "department", "summary", "notes",
                                               "attachments", "inspectors", "recorded_at", "published_at",
                                               "notice_number")},
            "category": result.category.value, "category_label": label(result.category), "finding": result.finding}
