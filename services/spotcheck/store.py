"""The spot-check tables (the two directories, plans with their frozen populations and draws) and repositories."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from services.spotcheck.model import CheckItem, Inspector, Plan, Target
from services.spotcheck.results import Result
from services.spotcheck.rules import PlanStatus, ResultCategory, RiskClass
from shared.calendar_store import add_calendar_years
from shared.directory import add_department_replica
from shared.errors import ConcurrentUpdate, Conflict, NotFound
from shared.jsonutil import dumps
from shared.repository import Repository
from shared.rules_store import add_rules_versions
from shared.tables import UtcDateTime, add_common_tables

metadata = sa.MetaData()
common = add_common_tables(metadata)
departments = add_department_replica(metadata)
calendar_years = add_calendar_years(metadata)
rules_versions = add_rules_versions(metadata)

targets = sa.Table(
    "targets", metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("region", sa.String(6), nullable=False),
    sa.Column("industry", sa.String(50), nullable=False),
    sa.Column("risk_class", sa.String(1), nullable=False),
    sa.Column("abnormal", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("complaints", sa.Integer, nullable=False, server_default="0"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index("ix_targets_class", "risk_class"),
)

inspectors = sa.Table(
    "inspectors", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("certificate_no", sa.String(50), nullable=False, unique=True),
    sa.Column("region", sa.String(6), nullable=False),
    sa.Column("qualifications", sa.Text, nullable=False, server_default="[]"),
    sa.Column("conflicts", sa.Text, nullable=False, server_default="[]"),
    sa.Column("previous_targets", sa.Text, nullable=False, server_default="[]"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index("ix_inspectors_department", "department"),
)

check_items = sa.Table(
    "check_items", metadata,
    sa.Column("code", sa.String(50), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("legal_basis", sa.String(500), nullable=False),
    sa.Column("key", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)

plans = sa.Table(
    "plans", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("departments", sa.Text, nullable=False),
    sa.Column("check_items", sa.Text, nullable=False),
    sa.Column("population_filter", sa.Text, nullable=False),
    sa.Column("parameters", sa.Text, nullable=False),
    sa.Column("commitment", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("population", sa.Text),            # the frozen snapshot (JSON), from publication on
    sa.Column("population_sha256", sa.String(64)),
    sa.Column("draw", sa.Text),                  # the public draw record (JSON)
    sa.Column("draw_id", sa.String(36), unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("published_at", UtcDateTime()),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_plans_status", "status"),
)

results = sa.Table(
    "results", metadata,
    sa.Column("plan_id", sa.String(36), sa.ForeignKey("plans.id"), primary_key=True),
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("draw_id", sa.String(36), nullable=False),
    sa.Column("target_name", sa.String(200), nullable=False),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("category", sa.String(30), nullable=False),
    sa.Column("summary", sa.String(1000), nullable=False),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("attachments", sa.Text, nullable=False, server_default="[]"),
    sa.Column("inspectors", sa.Text, nullable=False, server_default="[]"),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("published_at", UtcDateTime()),
    # The rectification notice a finding raised (整改通知书), linked back from rectification's event.
    sa.Column("notice_id", sa.String(36)),
    sa.Column("notice_number", sa.String(40)),
    sa.Column("version", sa.Integer, nullable=False),
)

_JSON = ("departments", "check_items", "population_filter", "parameters", "commitment")


def _json(value: Any) -> str | None:
    return None if value is None else dumps(value)


class TargetRepository(Repository):
    def upsert(self, target: Target, *, now: Any) -> None:
        values = {"name": target.name, "region": target.region, "industry": target.industry,
                  "risk_class": target.risk_class.value, "abnormal": target.abnormal,
                  "complaints": target.complaints, "active": target.active, "updated_at": now}
        if not self.conn.execute(targets.update().where(targets.c.uscc == target.uscc).values(**values)).rowcount:
            self.conn.execute(targets.insert().values(uscc=target.uscc, **values))

    def get(self, uscc: str) -> Target:
        row = self.conn.execute(sa.select(targets).where(targets.c.uscc == uscc)).first()
        if row is None:
            raise NotFound("检查对象不存在 / target not found", {"uscc": [uscc]})
        return _target(row)

    def all(self) -> list[Target]:
        return [_target(row) for row in self.conn.execute(sa.select(targets).order_by(targets.c.uscc))]

    def page(self, *, offset: int, limit: int, risk_class: str | None = None) -> tuple[list[Target], int]:
        where = sa.true() if risk_class is None else targets.c.risk_class == risk_class
        total = self.conn.execute(sa.select(sa.func.count()).select_from(targets).where(where)).scalar_one()
        rows = self.conn.execute(sa.select(targets).where(where).order_by(targets.c.uscc).offset(offset).limit(limit))
        return [_target(row) for row in rows], int(total)


def _target(row: Row[Any]) -> Target:
    return Target(row.uscc, row.name, row.region, row.industry, RiskClass(row.risk_class), row.abnormal,
                  row.complaints, row.active)


class CheckItemRepository(Repository):
    def upsert(self, item: CheckItem, *, now: Any) -> None:
        values = {"name": item.name, "department": item.department, "legal_basis": item.legal_basis,
                  "key": item.key, "updated_at": now}
        if not self.conn.execute(check_items.update().where(check_items.c.code == item.code).values(**values)).rowcount:
            self.conn.execute(check_items.insert().values(code=item.code, **values))

    def all(self) -> list[CheckItem]:
        rows = self.conn.execute(sa.select(check_items).order_by(check_items.c.department, check_items.c.code))
        return [CheckItem(r.code, r.name, r.department, r.legal_basis, r.key) for r in rows]

    def unknown(self, codes: list[str], departments: list[str]) -> list[str]:
        """The codes that are not items of these departments' lists."""
        if not codes:
            return []
        known = set(self.conn.execute(sa.select(check_items.c.code).where(
            check_items.c.code.in_(codes), check_items.c.department.in_(departments))).scalars())
        return [c for c in codes if c not in known]


class InspectorRepository(Repository):
    def add(self, inspector: Inspector, *, now: Any) -> None:
        self.conn.execute(inspectors.insert().values(
            id=inspector.id, name=inspector.name, department=inspector.department,
            certificate_no=inspector.certificate_no, region=inspector.region,
            qualifications=_json(list(inspector.qualifications)), conflicts=_json(list(inspector.conflicts)),
            previous_targets=_json(list(inspector.previous_targets)), active=inspector.active, updated_at=now))

    def remember_assignments(self, assigned: dict[str, list[str]], *, now: Any) -> None:
        """Add each inspector's new targets to its previous ones, so the next draw avoids them (回避)."""
        lock = self.conn.dialect.name != "sqlite"  # SQLite writers are serialised already
        for inspector_id, usccs in assigned.items():
            query = sa.select(inspectors.c.previous_targets).where(inspectors.c.id == inspector_id)
            row = self.conn.execute(query.with_for_update() if lock else query).first()
            if row is not None:
                previous = sorted(set(json.loads(row.previous_targets)) | set(usccs))
                self.conn.execute(inspectors.update().where(inspectors.c.id == inspector_id)
                                  .values(previous_targets=_json(previous), updated_at=now))

    def all(self, *, departments: list[str] | None = None) -> list[Inspector]:
        query = sa.select(inspectors).order_by(inspectors.c.id)
        if departments is not None:
            query = query.where(inspectors.c.department.in_(departments))
        return [_inspector(row) for row in self.conn.execute(query)]


def _inspector(row: Row[Any]) -> Inspector:
    return Inspector(row.id, row.name, row.department, row.certificate_no, row.region,
                     tuple(json.loads(row.qualifications)), tuple(json.loads(row.conflicts)),
                     tuple(json.loads(row.previous_targets)), row.active)


class PlanRepository(Repository):
    def add(self, plan: Plan) -> None:
        plan.version = 1
        self.conn.execute(plans.insert().values(id=plan.id, version=1, **_plan_values(plan)))
        self.seen(plan)

    def get(self, plan_id: str) -> Plan:
        row = self.conn.execute(sa.select(plans).where(plans.c.id == plan_id)).first()
        if row is None:
            raise NotFound("抽查计划不存在 / plan not found", {"id": [plan_id]})
        return self.seen(_plan(row))

    def batch_after(self, after: str, size: int) -> list[Plan]:
        """The next ``size`` plans by id after ``after`` (snapshots; each holds its frozen population)."""
        rows = self.conn.execute(sa.select(plans).where(plans.c.id > after).order_by(plans.c.id).limit(size))
        return self.seen_all([_plan(row) for row in rows])

    def by_draw(self, draw_id: str) -> Plan:
        row = self.conn.execute(sa.select(plans).where(plans.c.draw_id == draw_id)).first()
        if row is None:
            raise NotFound("抽取记录不存在 / draw not found", {"id": [draw_id]})
        return _plan(row)

    def save(self, plan: Plan) -> None:
        self.save_versioned(plans, plan, _plan_values(plan), "计划已被他人修改，请重试 / the plan changed; retry")

    def page(self, *, offset: int, limit: int, departments: frozenset[str] | None = None,
             published_only: bool = False) -> tuple[list[Plan], int]:
        conditions: list[Any] = []
        if published_only:
            conditions.append(plans.c.status != PlanStatus.DRAFT.value)
        where = sa.and_(sa.true(), *conditions)
        # A list shows summaries: the frozen population (up to a city's million targets) stays in the table.
        summary = [c for c in plans.c if c.name not in ("population", "draw")]
        rows = [_plan(row, summary=True) for row in self.conn.execute(
            sa.select(*summary).where(where).order_by(plans.c.created_at.desc(), plans.c.id))]
        if departments is not None:  # a department sees the plans it takes part in
            rows = [p for p in rows if set(p.departments) & departments]
        return rows[offset:offset + limit], len(rows)


def _plan_values(plan: Plan) -> dict[str, Any]:
    return {**{name: _json(getattr(plan, name)) for name in _JSON}, "name": plan.name, "status": plan.status.value,
            "population": _json(plan.population), "population_sha256": plan.population_sha256,
            "draw": _json(plan.draw), "draw_id": (plan.draw or {}).get("id"), "created_at": plan.created_at,
            "created_by": plan.created_by, "published_at": plan.published_at}


def _plan(row: Row[Any], *, summary: bool = False) -> Plan:
    m = row._mapping
    if summary:
        draw = {"id": m["draw_id"]} if m["draw_id"] else None
        return Plan(id=m["id"], name=m["name"], **{name: json.loads(m[name]) for name in _JSON},
                    created_at=m["created_at"], created_by=m["created_by"], status=PlanStatus(m["status"]),
                    population_sha256=m["population_sha256"], published_at=m["published_at"], draw=draw,
                    version=m["version"])
    return Plan(id=m["id"], name=m["name"], **{name: json.loads(m[name]) for name in _JSON},
                created_at=m["created_at"], created_by=m["created_by"], status=PlanStatus(m["status"]),
                population=json.loads(m["population"]) if m["population"] else None,
                population_sha256=m["population_sha256"], published_at=m["published_at"],
                draw=json.loads(m["draw"]) if m["draw"] else None, version=m["version"])


class ResultRepository(Repository):
    def add(self, result: Result) -> None:
        exists = self.conn.execute(sa.select(results.c.uscc).where(results.c.plan_id == result.plan_id,
                                                                    results.c.uscc == result.uscc)).first()
        if exists:
            raise Conflict("该检查对象的结果已录入 / a result for this target is recorded already",
                           {"uscc": [result.uscc]})
        result.version = 1
        self.conn.execute(results.insert().values(version=1, **_result_values(result)))
        self.seen(result)

    def get(self, plan_id: str, uscc: str) -> Result:
        row = self.conn.execute(sa.select(results).where(results.c.plan_id == plan_id,
                                                         results.c.uscc == uscc)).first()
        if row is None:
            raise NotFound("检查结果不存在 / result not found", {"uscc": [uscc]})
        return self.seen(_result(row))

    def save(self, result: Result) -> None:
        updated = self.conn.execute(results.update().where(
            results.c.plan_id == result.plan_id, results.c.uscc == result.uscc,
            results.c.version == result.version).values(version=result.version + 1, **_result_values(result)))
        if updated.rowcount != 1:
            raise ConcurrentUpdate("结果已被他人修改，请重试 / the result changed meanwhile; retry")
        result.version += 1

    def batch_after(self, after: str, size: int) -> list[Result]:
        """The next ``size`` results after the one whose ``id`` (plan:uscc) is ``after`` (snapshots)."""
        plan_id, _, uscc = after.partition(":")
        later = sa.or_(results.c.plan_id > plan_id, sa.and_(results.c.plan_id == plan_id, results.c.uscc > uscc))
        rows = self.conn.execute(sa.select(results).where(later).order_by(results.c.plan_id, results.c.uscc)
                                 .limit(size))
        return self.seen_all([_result(row) for row in rows])

    def of_plan(self, plan_id: str, *, published_only: bool = False) -> list[Result]:
        query = sa.select(results).where(results.c.plan_id == plan_id).order_by(results.c.uscc)
        if published_only:
            query = query.where(results.c.published_at.is_not(None))
        return [_result(row) for row in self.conn.execute(query)]


def _result_values(result: Result) -> dict[str, Any]:
    return {"plan_id": result.plan_id, "uscc": result.uscc, "draw_id": result.draw_id,
            "target_name": result.target_name, "department": result.department, "category": result.category.value,
            "summary": result.summary, "notes": result.notes, "attachments": _json(result.attachments),
            "inspectors": _json(result.inspectors), "recorded_at": result.recorded_at,
            "recorded_by": result.recorded_by, "published_at": result.published_at}


def _result(row: Row[Any]) -> Result:
    m = row._mapping
    return Result(m["plan_id"], m["draw_id"], m["uscc"], m["target_name"], m["department"],
                  ResultCategory(m["category"]), m["summary"], m["notes"], json.loads(m["attachments"]),
                  json.loads(m["inspectors"]), m["recorded_at"], m["recorded_by"], m["published_at"],
                  m["notice_number"], m["version"])
