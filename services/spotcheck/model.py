"""Spot checks (双随机、一公开): the two directories and the plan whose draw anyone can replay. Pure domain.

A plan is a draft until published. Publishing freezes its population (the targets its filter selects,
the active inspectors of its departments) and publishes the SHA-256 of that snapshot with a commitment
to the seed, so nobody can steer the draw afterwards; editing the directories changes nothing. The draw
takes the revealed seed and runs ``verify_draw.draw`` (docs/spotcheck-draw.md) on the frozen snapshot.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.spotcheck import verify_draw
from services.spotcheck.rules import CommitmentKind, PlanStatus, RiskClass, SamplingPolicy, label
from services.spotcheck.uscc import uscc_problem
from shared.domain import require_text
from shared.errors import InvalidInput, InvalidTransition
from shared.events import DomainEvent
from shared.events.spotcheck import DrawCompleted, DrawFailed, DrawSnapshot, PlanPublished, PlanSnapshot

REGION = re.compile(r"^\d{6}$")  # 行政区划代码 (GB/T 2260)
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Target:
    """检查对象: an entry of the target directory (检查对象名录库)."""

    uscc: str
    name: str
    region: str
    industry: str
    risk_class: RiskClass
    abnormal: bool = False     # 经营异常名录
    complaints: int = 0
    active: bool = True

    def snapshot(self) -> dict[str, Any]:
        """The target as the frozen population lists it (and the public may read)."""
        return {"uscc": self.uscc, "name": self.name, "region": self.region, "industry": self.industry,
                "class": self.risk_class.value, "abnormal": self.abnormal, "complaints": self.complaints}


def new_target(*, uscc: str, name: str, region: str, industry: str, risk_class: str, abnormal: bool = False,
               complaints: int = 0, active: bool = True) -> Target:
    """A validated target; raises InvalidInput naming every bad field."""
    errors: dict[str, list[str]] = {}
    uscc = (uscc or "").strip().upper()
    if problem := uscc_problem(uscc):
        errors["uscc"] = [problem]
    if not 2 <= len((name or "").strip()) <= 200:
        errors["name"] = ["名称须为 2–200 个字符 / name must be 2–200 characters"]
    if not REGION.match(region or ""):
        errors["region"] = ["行政区划代码为6位数字 / region is a 6-digit division code"]
    if not 1 <= len((industry or "").strip()) <= 50:
        errors["industry"] = ["行业须为 1–50 个字符 / industry must be 1–50 characters"]
    if risk_class not in {c.value for c in RiskClass}:
        errors["risk_class"] = ["风险分类为 A、B、C、D 之一 / one of A, B, C, D"]
    if not 0 <= complaints <= 1_000_000:
        errors["complaints"] = ["投诉数应为 0 以上 / must be 0 or more"]
    if errors:
        raise InvalidInput("检查对象信息有误 / invalid target: " + ", ".join(sorted(errors)), errors)
    return Target(uscc, name.strip(), region, industry.strip(), RiskClass(risk_class), bool(abnormal),
                  int(complaints), bool(active))


@dataclass(frozen=True)
class Inspector:
    """执法检查人员: an entry of the inspector directory, not a user who logs in."""

    id: str
    name: str
    department: str
    certificate_no: str          # 执法证号
    region: str
    qualifications: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()          # USCCs of declared relations (回避)
    previous_targets: tuple[str, ...] = ()   # USCCs this inspector checked last time
    active: bool = True

    @property
    def pseudonym(self) -> str:
        """A stable pseudonym for the public population export: never the person's name."""
        return "I-" + hashlib.sha256(f"duban-inspector|{self.id}".encode()).hexdigest()[:12]

    def snapshot(self) -> dict[str, Any]:
        return {"pseudonym": self.pseudonym, "department": self.department, "region": self.region,
                "qualifications": sorted(self.qualifications), "conflicts": sorted(self.conflicts),
                "previous_targets": sorted(self.previous_targets)}


def new_inspector(*, id: str, name: str, department: str, certificate_no: str, region: str,
                  qualifications: list[str] | tuple[str, ...] = (), conflicts: list[str] | tuple[str, ...] = (),
                  previous_targets: list[str] | tuple[str, ...] = (), active: bool = True) -> Inspector:
    errors: dict[str, list[str]] = {}
    if not 2 <= len((name or "").strip()) <= 50:
        errors["name"] = ["姓名须为 2–50 个字符 / name must be 2–50 characters"]
    if not CODE.match(certificate_no or ""):
        errors["certificate_no"] = ["执法证号为字母、数字、点、横线 / letters, digits, dots and dashes"]
    if not REGION.match(region or ""):
        errors["region"] = ["行政区划代码为6位数字 / region is a 6-digit division code"]
    for field_name, codes in (("conflicts", conflicts), ("previous_targets", previous_targets)):
        bad = [c for c in codes if uscc_problem(c)]
        if bad:
            errors[field_name] = [f"不是有效的统一社会信用代码 / not a valid USCC: {c}" for c in bad]
    if any(not CODE.match(q) for q in qualifications):
        errors["qualifications"] = ["抽查事项编码有误 / invalid check-item codes"]
    if errors:
        raise InvalidInput("检查人员信息有误 / invalid inspector: " + ", ".join(sorted(errors)), errors)
    return Inspector(id, name.strip(), department, certificate_no, region, tuple(sorted(set(qualifications))),
                     tuple(sorted(set(conflicts))), tuple(sorted(set(previous_targets))), bool(active))


@dataclass(frozen=True)
class CheckItem:
    """抽查事项: an item of a department's check list, with its legal basis; key items (重点) may be checked
    beyond the sampling ratios."""

    code: str
    name: str
    department: str
    legal_basis: str
    key: bool = False


def new_check_item(*, code: str, name: str, department: str, legal_basis: str, key: bool = False) -> CheckItem:
    errors: dict[str, list[str]] = {}
    if not CODE.match(code or ""):
        errors["code"] = ["编码为字母、数字、点、横线 / letters, digits, dots and dashes"]
    if not 2 <= len((name or "").strip()) <= 200:
        errors["name"] = ["名称须为 2–200 个字符 / name must be 2–200 characters"]
    if not 2 <= len((legal_basis or "").strip()) <= 500:
        errors["legal_basis"] = ["须注明法律依据 / the legal basis is required (2–500 characters)"]
    if errors:
        raise InvalidInput("抽查事项有误 / invalid check item: " + ", ".join(sorted(errors)), errors)
    return CheckItem(code, name.strip(), department, legal_basis.strip(), bool(key))


@dataclass
class Plan:
    """抽查计划: departments, check items, the population filter, sampling, team size and 回避 rules."""

    id: str
    name: str
    departments: list[str]
    check_items: list[str]
    population_filter: dict[str, list[str]]   # {"regions": [...], "industries": [...], "classes": [...]}
    parameters: dict[str, Any]                # what the draw takes (docs/spotcheck-draw.md)
    commitment: dict[str, str]
    created_at: datetime
    created_by: str
    status: PlanStatus = PlanStatus.DRAFT
    population: dict[str, list[dict[str, Any]]] | None = None   # frozen at publication
    population_sha256: str | None = None
    published_at: datetime | None = None
    draw: dict[str, Any] | None = None       # the public draw record, or {"failed": reason}
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(cls, *, id: str, name: str, departments: list[str], check_items: dict[str, list[str]],
               population_filter: dict[str, list[str]], ratios: dict[str, int] | None, team_size: int | None,
               conflict_rules: dict[str, bool], commitment: dict[str, str], policy: SamplingPolicy,
               now: datetime, actor: str) -> Plan:
        """A draft plan; ratios and team size default to the rules in force (SamplingPolicy)."""
        require_text(name, "name", minimum=2)
        errors: dict[str, list[str]] = {}
        if not departments:
            errors["departments"] = ["至少一个单位 / at least one department"]
        team_size = team_size or policy.team_size
        if team_size < max(2, len(set(departments))):
            errors["team_size"] = ["每组至少2人，且不少于参与单位数 / at least 2, and one per department"]
        ratios = {**policy.ratios(), **(ratios or {})}
        if set(ratios) != {"A", "B", "C", "D"} or any(not 0 <= r <= 10_000 for r in ratios.values()):
            errors["ratios"] = ["A、B、C、D 各为 0–10000 基点 / A, B, C, D each 0–10000 basis points"]
        if commitment.get("kind") == CommitmentKind.SHA256 and not SHA256_HEX.match(commitment.get("value", "")):
            errors["commitment"] = ["sha256 承诺应为64位小写十六进制 / 64 lowercase hex characters"]
        if errors:
            raise InvalidInput("抽查计划有误 / invalid plan: " + ", ".join(sorted(errors)), errors)
        parameters = {
            "ratios": ratios, "team_size": team_size, "departments": sorted(set(departments)),
            "check_items": {d: sorted(set(check_items.get(d, []))) for d in sorted(set(departments))},
            "weights": {"complaint": policy.complaint_weight, "complaint_cap": policy.complaint_cap,
                        "abnormal": policy.abnormal_weight},
            "conflict_rules": {"declared": True, "previous": True, "same_region": False, **conflict_rules}}
        return cls(id=id, name=name.strip(), departments=sorted(set(departments)),
                   check_items=sorted({c for codes in check_items.values() for c in codes}),
                   population_filter=population_filter, parameters=parameters, commitment=dict(commitment),
                   created_at=now, created_by=actor)

    def selects(self, target: Target) -> bool:
        """Whether the population filter keeps ``target`` (an empty list keeps all)."""
        f = self.population_filter
        return (target.active and (not f.get("regions") or target.region in f["regions"])
                and (not f.get("industries") or target.industry in f["industries"])
                and (not f.get("classes") or target.risk_class.value in f["classes"]))

    def publish(self, *, targets: list[Target], inspectors: list[Inspector], now: datetime) -> None:
        """一公开 before the draw: freeze the population, publish its hash and the seed's commitment."""
        self._require(PlanStatus.DRAFT, action="publish")
        population = {"targets": [t.snapshot() for t in targets if self.selects(t)],
                      "inspectors": [i.snapshot() for i in inspectors
                                     if i.active and i.department in self.departments]}
        if not population["targets"]:
            raise InvalidInput("抽查范围内没有检查对象 / the population filter selects no target",
                               {"population_filter": ["selects no target"]})
        self.population = population
        self.population_sha256 = verify_draw.population_sha256(population["targets"], population["inspectors"])
        self.status, self.published_at = PlanStatus.PUBLISHED, now
        self.events.append(PlanPublished(plan_id=self.id, name=self.name, departments=self.departments,
                                         population_sha256=self.population_sha256, commitment=self.commitment,
                                         targets=len(population["targets"]), published_at=now))

    def run_draw(self, *, draw_id: str, seed: str, inspectors: dict[str, Inspector], now: datetime) -> None:
        """双随机: draw with the revealed seed from the frozen population; a failure is recorded too."""
        self._require(PlanStatus.PUBLISHED, action="draw")
        assert self.population is not None and self.population_sha256 is not None
        if not verify_draw.commitment_matches(self.commitment, seed):
            raise InvalidInput("种子与公布的承诺不符 / the seed does not match the published commitment",
                               {"seed": ["does not hash to the commitment"]})
        try:
            selections = verify_draw.draw(seed, self.population["targets"], self.population["inspectors"],
                                          self.parameters)
        except verify_draw.DrawFailed as failure:
            self.status, self.draw = PlanStatus.FAILED, {"failed": str(failure), "seed": seed, "at": now.isoformat()}
            self.events.append(DrawFailed(plan_id=self.id, reason=str(failure), drawn_at=now))
            return
        by_pseudonym = {i.pseudonym: i for i in inspectors.values()}
        self.status = PlanStatus.DRAWN
        self.draw = {
            "id": draw_id, "plan_id": self.id, "seed": seed, "commitment": self.commitment,
            "population_sha256": self.population_sha256, "algorithm": verify_draw.ALGORITHM,
            "parameters": self.parameters, "drawn_at": now.isoformat(),
            "selections": [{"target": s["target"], "inspectors": [
                {"pseudonym": p, "name": by_pseudonym[p].name, "certificate_no": by_pseudonym[p].certificate_no,
                 "department": by_pseudonym[p].department} for p in s["inspectors"]]} for s in selections]}
        self.events.append(DrawCompleted(plan_id=self.id, draw_id=draw_id, algorithm=verify_draw.ALGORITHM,
                                         population_sha256=self.population_sha256, selections=len(selections),
                                         drawn_at=now))

    def republish(self, now: datetime) -> None:
        """A published plan and its draw as they stand (``spotcheck.plan.snapshot``, ``spotcheck.draw.snapshot``)."""
        if self.published_at is None or self.population is None or self.population_sha256 is None:
            return  # a draft is not public, and not a case yet
        self.events.append(PlanSnapshot(plan_id=self.id, name=self.name, departments=self.departments,
                                        population_sha256=self.population_sha256, commitment=self.commitment,
                                        targets=len(self.population["targets"]), published_at=self.published_at,
                                        status=self.status.value))
        if self.draw and "id" in self.draw:
            self.events.append(DrawSnapshot(plan_id=self.id, draw_id=self.draw["id"], algorithm=self.draw["algorithm"],
                                            population_sha256=self.population_sha256,
                                            selections=len(self.draw["selections"]),
                                            drawn_at=datetime.fromisoformat(self.draw["drawn_at"])))

    def _require(self, *allowed: PlanStatus, action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"计划当前为“{label(self.status)}”，不能{action} / cannot {action} a "
                                    f"{self.status.value} plan", {"status": [self.status.value]})
