"""Spot-check use cases: the directories, plans, publication and the draw; each audited and announced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.spotcheck import store
from services.spotcheck.model import CheckItem, Inspector, Plan, Target, new_check_item, new_inspector, new_target
from services.spotcheck.results import Result
from services.spotcheck.rules import RULE_SECTIONS, PlanStatus, ResultCategory, SamplingPolicy
from shared.calendar import WorkCalendar
from shared.db import Database
from shared.directory import require_active
from shared.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from shared.ids import new_id
from shared.roles import ADMIN, INSPECTOR, Principal
from shared.rules import RuleBook

# Who plans and draws (纪检监察/督查 and admins); department staff read the plans they take part in.
PLANNERS = (INSPECTOR, ADMIN)


@dataclass(frozen=True)
class Spotcheck:
    """What every use case needs: the database, the working-day calendar and the rules in force."""

    db: Database
    calendar: WorkCalendar
    rules: RuleBook = field(default_factory=lambda: RuleBook(RULE_SECTIONS))

    @property
    def policy(self) -> SamplingPolicy:
        policy: SamplingPolicy = self.rules.current("spotcheck")
        return policy


def _planner(principal: Principal) -> None:
    if not principal.has_any(*PLANNERS):
        raise Forbidden("只有督查人员可以制定和抽取计划 / only inspectors plan and draw")


# -- directories -----------------------------------------------------------------------------------
def save_target(spotcheck: Spotcheck, *, principal: Principal, **fields: Any) -> Target:
    """Add or update a target of the directory (检查对象名录库)."""
    _planner(principal)
    target = new_target(**fields)
    with spotcheck.db.unit_of_work(actor=principal.actor) as uow:
        repo = uow.repository(store.TargetRepository)
        try:
            before: dict[str, Any] | None = repo.get(target.uscc).snapshot()
        except NotFound:
            before = None
        repo.upsert(target, now=uow.now)
        uow.audit("target.saved", "target", target.uscc, before=before, after=target.snapshot())
        uow.commit()
    return target


def add_inspector(spotcheck: Spotcheck, *, principal: Principal, **fields: Any) -> Inspector:
    """Add an inspector to the directory (执法检查人员名录库)."""
    _planner(principal)
    inspector = new_inspector(id=new_id(), **fields)
    with spotcheck.db.unit_of_work(actor=principal.actor) as uow:
        require_active(uow.conn, store.departments, [inspector.department], "department")
        uow.repository(store.InspectorRepository).add(inspector, now=uow.now)
        uow.audit("inspector.added", "inspector", inspector.id, before=None,
                  after={**inspector.snapshot(), "certificate_no": inspector.certificate_no})
        uow.commit()
    return inspector


def list_targets(spotcheck: Spotcheck, *, page: int, page_size: int,
                 risk_class: str | None = None) -> tuple[list[Target], int]:
    with spotcheck.db.read() as conn:
        return store.TargetRepository(conn).page(offset=(page - 1) * page_size, limit=page_size,
                                                  risk_class=risk_class)


def list_inspectors(spotcheck: Spotcheck, *, principal: Principal) -> list[Inspector]:
    _planner(principal)
    with spotcheck.db.read() as conn:
        return store.InspectorRepository(conn).all()


def save_check_item(spotcheck: Spotcheck, *, principal: Principal, **fields: Any) -> CheckItem:
    """Add or update an item of a department's check list (抽查事项清单)."""
    _planner(principal)
    item = new_check_item(**fields)
    with spotcheck.db.unit_of_work(actor=principal.actor) as uow:
        require_active(uow.conn, store.departments, [item.department], "department")
        uow.repository(store.CheckItemRepository).upsert(item, now=uow.now)
        uow.audit("check_item.saved", "check_item", item.code, before=None, after=vars(item))
        uow.commit()
    return item


def list_check_items(spotcheck: Spotcheck) -> list[CheckItem]:
    with spotcheck.db.read() as conn:
        return store.CheckItemRepository(conn).all()


# -- plans -----------------------------------------------------------------------------------------
def create_plan(spotcheck: Spotcheck, *, principal: Principal, name: str, departments: list[str],
                check_items: list[str], population_filter: dict[str, list[str]], commitment: dict[str, str],
                ratios: dict[str, int] | None = None, team_size: int | None = None,
                conflict_rules: dict[str, bool] | None = None) -> Plan:
    """A draft plan; its ratios and team size default to the rules in force."""
    _planner(principal)
    with spotcheck.db.unit_of_work(actor=principal.actor) as uow:
        require_active(uow.conn, store.departments, departments, "departments")
        items = store.CheckItemRepository(uow.conn)
        unknown = items.unknown(sorted(set(check_items)), departments)
        if unknown:
            raise InvalidInput("不在参与单位的抽查事项清单中 / not on the departments' check lists: "
                               + ", ".join(unknown), {"check_items": [f"unknown item {c}" for c in unknown]})
        department_of = {i.code: i.department for i in items.all() if i.code in set(check_items)}
        by_department: dict[str, list[str]] = {}
        for code in check_items:
            by_department.setdefault(department_of[code], []).append(code)
        plan = Plan.create(id=new_id(), name=name, departments=departments, check_items=by_department,
                           population_filter=population_filter, ratios=ratios, team_size=team_size,
                           conflict_rules=conflict_rules or {}, commitment=commitment, policy=spotcheck.policy,
                           now=uow.now, actor=principal.actor)
        uow.repository(store.PlanRepository).add(plan)
        uow.audit("plan.created", "plan", plan.id, before=None,
                  after={"name": plan.name, "parameters": plan.parameters, "commitment": plan.commitment})
        uow.commit()
    return plan


def publish_plan(spotcheck: Spotcheck, *, principal: Principal, plan_id: str) -> Plan:
    """Freeze the population, publish its hash and the seed's commitment (nobody can steer the draw)."""
    _planner(principal)
    with spotcheck.db.unit_of_work(actor=principal.actor) as uow:
        plans = uow.repository(store.PlanRepository)
        plan = plans.get(plan_id)
        plan.publish(targets=store.TargetRepository(uow.conn).all(),
                     inspectors=store.InspectorRepository(uow.conn).all(departments=plan.departments), now=uow.now)
        plans.save(plan)
        uow.audit("plan.published", "plan", plan.id, before={"status": PlanStatus.DRAFT.value},
                  after={"status": plan.status.value, "population_sha256": plan.population_sha256,
                         "commitment": plan.commitment})
        uow.commit()
    return plan


def draw(spotcheck: Spotcheck, *, principal: Principal, plan_id: str, seed: str) -> Plan:
    """双随机: the draw with the revealed seed; a failure for want of inspectors is recorded too."""
    _planner(principal)
    with spotcheck.db.unit_of_work(actor=principal.actor) as uow:
        plans = uow.repository(store.PlanRepository)
        plan = plans.get(plan_id)
        directory = {i.id: i for i in store.InspectorRepository(uow.conn).all(departments=plan.departments)}
        plan.run_draw(draw_id=new_id(), seed=seed, inspectors=directory, now=uow.now)
        plans.save(plan)
        if plan.status is PlanStatus.DRAWN and plan.draw is not None:  # next time, not the same inspector again
            by_pseudonym = {i.pseudonym: i.id for i in directory.values()}
            assigned: dict[str, list[str]] = {}
            for selection in plan.draw["selections"]:
                for member in selection["inspectors"]:
                    assigned.setdefault(by_pseudonym[member["pseudonym"]], []).append(selection["target"]["uscc"])
            store.InspectorRepository(uow.conn).remember_assignments(assigned, now=uow.now)
            uow.audit("inspectors.assigned", "plan", plan.id, before=None, after={"assigned": assigned})
        uow.audit("plan.drawn", "plan", plan.id, before={"status": PlanStatus.PUBLISHED.value},
                  after={"status": plan.status.value, "draw": (plan.draw or {}).get("id"),
                         "failed": (plan.draw or {}).get("failed")})
        uow.commit()
    return plan


def get_plan(spotcheck: Spotcheck, *, principal: Principal | None, plan_id: str) -> Plan:
    """A plan the caller may see: planners all, departments their own, the public the published ones."""
    with spotcheck.db.read() as conn:
        plan = store.PlanRepository(conn).get(plan_id)
    if principal is not None and principal.has_any(*PLANNERS):
        return plan
    if principal is not None and set(plan.departments) & principal.departments:
        return plan
    if principal is None and plan.status is not PlanStatus.DRAFT:
        return plan
    raise NotFound("抽查计划不存在 / plan not found", {"id": [plan_id]})


def list_plans(spotcheck: Spotcheck, *, principal: Principal | None, page: int,
               page_size: int) -> tuple[list[Plan], int]:
    departments = None if principal is not None and principal.has_any(*PLANNERS) else (
        principal.departments if principal is not None else None)
    with spotcheck.db.read() as conn:
        return store.PlanRepository(conn).page(offset=(page - 1) * page_size, limit=page_size,
                                               departments=departments, published_only=principal is None)


def public_draw(spotcheck: Spotcheck, *, draw_id: str) -> Plan:
    """The plan of a completed draw (一公开): its record and its frozen population."""
    with spotcheck.db.read() as conn:
        return store.PlanRepository(conn).by_draw(draw_id)


# -- results ---------------------------------------------------------------------------------------
def _may_record(plan: Plan, principal: Principal, team: list[dict[str, Any]] | None = None) -> str:
    """The department a result is recorded for: the caller's own if it takes part in the plan; for an
    inspector, that of the target's team leader (the first member drawn)."""
    mine = sorted(set(plan.departments) & principal.departments)
    if mine:
        return mine[0]
    if principal.has_any(*PLANNERS):
        return str(team[0]["department"]) if team else plan.departments[0]
    raise Forbidden("只有参与该计划的单位可以录入结果 / only the plan's departments record results")


def record_result(spotcheck: Spotcheck, *, principal: Principal, plan_id: str, uscc: str, category: str,
                  summary: str, notes: str = "", attachments: list[dict[str, Any]] | None = None) -> Result:
    """检查结果 for a drawn target; it starts the 20-working-day publication clock."""
    with spotcheck.db.unit_of_work(actor=principal.actor) as uow:
        plan = uow.repository(store.PlanRepository).get(plan_id)
        _may_record(plan, principal)
        if plan.status is not PlanStatus.DRAWN or plan.draw is None:
            raise InvalidTransition("计划尚未抽取 / the plan has not been drawn")
        selection = next((s for s in plan.draw["selections"] if s["target"]["uscc"] == uscc), None)
        if selection is None:
            raise InvalidInput("该对象未被抽中 / this target was not drawn", {"uscc": [uscc]})
        department = _may_record(plan, principal, selection["inspectors"])
        result = Result.record(plan_id=plan.id, draw_id=plan.draw["id"], target=selection["target"],
                               inspectors=[{k: i[k] for k in ("name", "certificate_no", "department")}
                                           for i in selection["inspectors"]],
                               department=department, category=ResultCategory(category), summary=summary,
                               notes=notes, attachments=attachments or [], now=uow.now, actor=principal.actor)
        uow.repository(store.ResultRepository).add(result)
        uow.audit("result.recorded", "result", result.subject_id, before=None,
                  after={"category": result.category.value, "finding": result.finding, "summary": result.summary})
        uow.commit()
    return result


def publish_result(spotcheck: Spotcheck, *, principal: Principal, plan_id: str, uscc: str) -> Result:
    """一公开: publish a result; the publication clock stops."""
    with spotcheck.db.unit_of_work(actor=principal.actor) as uow:
        plan = uow.repository(store.PlanRepository).get(plan_id)
        _may_record(plan, principal)
        results = uow.repository(store.ResultRepository)
        result = results.get(plan_id, uscc)
        result.publish(now=uow.now)
        results.save(result)
        uow.audit("result.published", "result", result.subject_id, before={"published_at": None},
                  after={"published_at": result.published_at})
        uow.commit()
    return result


def list_results(spotcheck: Spotcheck, *, principal: Principal | None, plan_id: str) -> list[Result]:
    """A plan's results: all of them for its staff, the published ones for the public."""
    plan = get_plan(spotcheck, principal=principal, plan_id=plan_id)
    with spotcheck.db.read() as conn:
        return store.ResultRepository(conn).of_plan(plan.id, published_only=principal is None)
