"""Monitoring use cases: load in a unit of work, let the model decide, save, publish, audit, commit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from services.monitoring import store
from services.monitoring.approvals import Approval
from services.monitoring.cards import Card, YellowRef, accumulation_groups
from services.monitoring.metrics import CARDS_ISSUED
from services.monitoring.model import Subject, SupervisedClock
from services.monitoring.rules import (
    BUILTIN_DEPARTMENT_NAMES,
    RULE_SECTIONS,
    ApprovalPolicy,
    CardColor,
    CardStatus,
    ClockKind,
    MonitoringPolicy,
    Outcome,
    ScorePolicy,
)
from shared import bulk
from shared.auth import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, Principal
from shared.calendar import TimeLimit, WorkCalendar
from shared.db import Database
from shared.directory import require_active
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.ids import new_id
from shared.rules import RuleBook
from shared.uow import UnitOfWork

# Who reads the whole board; department staff read their own departments' part only.
CITYWIDE_ROLES = (INSPECTOR, DISPATCHER)
BOARD_ROLES = (INSPECTOR, DISPATCHER, DEPARTMENT)


@dataclass(frozen=True)
class Monitoring:
    """What every use case needs: the database, the working-day calendar and the rules in force."""

    db: Database
    calendar: WorkCalendar
    rules: RuleBook = field(default_factory=lambda: RuleBook(RULE_SECTIONS))

    @property
    def policy(self) -> MonitoringPolicy:
        """The card thresholds of the newest published rules (for clocks starting now)."""
        policy: MonitoringPolicy = self.rules.current("monitoring")
        return policy

    def policy_for(self, clock: SupervisedClock) -> MonitoringPolicy:
        """The thresholds a clock is judged by: those of the rules it started under."""
        policy: MonitoringPolicy = self.rules.at(clock.rules_version, "monitoring")
        return policy

    @property
    def approval_limits(self) -> ApprovalPolicy:
        limits: ApprovalPolicy = self.rules.current("approvals")
        return limits

    @property
    def scoring(self) -> ScorePolicy:
        scoring: ScorePolicy = self.rules.current("scoring")
        return scoring


def visible_departments(principal: Principal) -> frozenset[str] | None:
    """The departments whose clocks and cards ``principal`` may see; None means all of them."""
    return None if principal.has_any(*CITYWIDE_ROLES) else principal.departments


def can_see(department: str, principal: Principal) -> bool:
    visible = visible_departments(principal)
    return visible is None or department in visible



# -- clocks (driven by events) ---------------------------------------------------------------------
def start_clock(monitoring: Monitoring, uow: UnitOfWork, *, subject: Subject, kind: ClockKind, department: str,
                started_at: datetime, limit: TimeLimit, due_at: datetime, provisional: bool) -> SupervisedClock:
    version = monitoring.rules.version
    clock = SupervisedClock.start(id=new_id(), subject=subject, kind=kind, department=department,
                                  started_at=started_at, limit=limit, due_at=due_at, provisional=provisional,
                                  calendar=monitoring.calendar, policy=monitoring.rules.at(version, "monitoring"),
                                  rules_version=version)
    store.ClockRepository(uow.conn).add(clock)
    uow.audit("clock.started", "clock", clock.id, before=None,
              after={**clock.snapshot(), "kind": kind.value, "department": department,
                     "subject": subject.as_dict(), "limit": clock.limit.label_zh()})
    return clock


def change_clocks(uow: UnitOfWork, clocks: Iterable[SupervisedClock], action: str,
                  change: Callable[[SupervisedClock], None]) -> list[SupervisedClock]:
    """Apply ``change`` to each clock, save it and audit before → after."""
    repo = store.ClockRepository(uow.conn)
    changed = []
    for clock in clocks:
        before = clock.snapshot()
        change(clock)
        repo.save(clock)
        uow.audit(f"clock.{action}", "clock", clock.id, before=before, after=clock.snapshot())
        changed.append(clock)
    return changed


def stop_clocks(monitoring: Monitoring, uow: UnitOfWork, clocks: Iterable[SupervisedClock], *, at: datetime,
                outcome: Outcome | None = None) -> list[SupervisedClock]:
    return change_clocks(uow, clocks, "stopped",
                         lambda c: c.stop(at, monitoring.calendar, monitoring.policy_for(c), outcome))


# -- cards -----------------------------------------------------------------------------------------
def record_cards(monitoring: Monitoring, uow: UnitOfWork, cards: Sequence[Card], *, now: datetime | None = None,
                 audit_each: bool = True) -> list[Card]:
    """Insert new cards (a card some other sweep already wrote is skipped) and audit them; the unit of
    work announces the inserted ones.

    Yellow cards then go through the accumulation rule, which may add red cards. The sweep passes
    ``audit_each=False`` and audits the whole batch in one record instead.
    """
    issued = uow.repository(store.CardRepository).add_new(cards)
    if audit_each:
        for card in issued:
            _audit_issued(uow, card)
    yellow_departments = {c.department for c in issued if c.color is CardColor.YELLOW}
    if yellow_departments:
        issued += escalate(monitoring, uow, yellow_departments, now=now or uow.now, audit_each=audit_each)
    return issued


def _audit_issued(uow: UnitOfWork, card: Card) -> None:
    uow.audit("card.issued", "card", card.id, before=None,
              after={**card.snapshot(), "rule": card.rule.value, "reason": card.reason, "clock_id": card.clock_id})


def count_issued(cards: Iterable[Card]) -> None:
    """Count cards in the metrics once their unit of work committed (one increment per label set)."""
    counts = Counter((card.color.value, card.source.value) for card in cards)
    for (color, source), n in counts.items():
        CARDS_ISSUED.labels(color, source).inc(n)


class _AlreadyCounted(Exception):
    """Another sweeper counted some of these yellow cards first; those groups earn nothing here."""


def escalate(monitoring: Monitoring, uow: UnitOfWork, departments: set[str], *, now: datetime,
             audit_each: bool = True) -> list[Card]:
    """黄牌累计: each full group of N uncounted yellow cards of a department within the window → a red card.

    All groups are settled with two bulk statements; if another sweeper (PostgreSQL) counted some of the
    same yellows meanwhile, that attempt is rolled back and the groups are settled one by one.
    """
    c = store.cards
    rows = uow.conn.execute(
        sa.select(c.c.id, c.c.department, c.c.subject_ref, c.c.issued_at)
        .where(c.c.color == CardColor.YELLOW.value, c.c.status != CardStatus.REVOKED.value,
               c.c.escalated_to.is_(None), c.c.issued_at > now - monitoring.policy.yellow_window,
               c.c.department.in_(sorted(departments))))
    by_department: dict[str, list[YellowRef]] = {}
    for row in rows:
        by_department.setdefault(row.department, []).append(
            YellowRef(row.id, row.department, row.subject_ref or "", row.issued_at))
    earned: list[tuple[Card, list[YellowRef]]] = []
    for department in sorted(by_department):
        for group in accumulation_groups(by_department[department], monitoring.policy):
            red = Card.accumulation(id=new_id(), yellows=group, now=now, policy=monitoring.policy)
            red.version = 1
            earned.append((red, group))
    if not earned:
        return []
    try:
        with uow.conn.begin_nested():
            _count_towards(uow.conn, earned)
    except _AlreadyCounted:
        settled = []
        for pair in earned:
            try:
                with uow.conn.begin_nested():
                    _count_towards(uow.conn, [pair])
                settled.append(pair)
            except _AlreadyCounted:
                continue
        earned = settled
    reds = uow.repository(store.CardRepository).issued([red for red, _group in earned])
    if audit_each:
        for red in reds:
            _audit_issued(uow, red)
    return reds


def _count_towards(conn: sa.Connection, earned: list[tuple[Card, list[YellowRef]]]) -> None:
    """Mark each group's yellows as counted towards its red card and insert the red cards, or raise."""
    c = store.cards
    marks = [{"id": y.id, "escalated_to": red.id} for red, group in earned for y in group]
    counted = bulk.update_versioned(conn, c, marks, match=("id",), condition="cards.escalated_to IS NULL")
    if counted != len(marks):
        raise _AlreadyCounted
    if len(bulk.insert_new(conn, c, [store.card_values(red) for red, _ in earned])) != len(earned):
        raise _AlreadyCounted


def issue_manual_card(monitoring: Monitoring, *, principal: Principal, department: str, color: str, reason: str,
                      subject: dict[str, str] | None = None) -> Card:
    """An inspector's card for abnormal handling (refusal without reasons, unlawful fees …)."""
    now = monitoring.db.clock.now()
    with monitoring.db.unit_of_work(actor=principal.actor) as uow:
        require_active(uow.conn, store.departments, [department], "department", builtin=BUILTIN_DEPARTMENT_NAMES)
        card = Card.manual(id=new_id(), color=CardColor(color), department=department, reason=reason,
                           subject=Subject(**subject) if subject else None, actor=principal, now=now)
        issued = record_cards(monitoring, uow, [card], now=now)
        uow.commit()
    count_issued(issued)
    return card


def get_card(monitoring: Monitoring, *, principal: Principal, card_id: str) -> Card:
    """A card the caller may see; another department's card is reported as not found."""
    with monitoring.db.read() as conn:
        card = store.CardRepository(conn).get(card_id)
    if not can_see(card.department, principal):
        raise NotFound("牌不存在 / card not found", {"id": [card_id]})
    return card


def _card_transition(monitoring: Monitoring, principal: Principal, card_id: str, action: str,
                     apply: Callable[[Card, datetime], None]) -> Card:
    now = monitoring.db.clock.now()
    with monitoring.db.unit_of_work(actor=principal.actor) as uow:
        repo = uow.repository(store.CardRepository)
        card = repo.get(card_id)
        if not can_see(card.department, principal):
            raise NotFound("牌不存在 / card not found", {"id": [card_id]})
        before = card.snapshot()
        apply(card, now)
        repo.save(card)
        uow.audit(f"card.{action}", "card", card.id, before=before, after=card.snapshot())
        uow.commit()
    return card


def confirm_card(monitoring: Monitoring, *, principal: Principal, card_id: str, note: str = "") -> Card:
    return _card_transition(monitoring, principal, card_id, "confirmed",
                            lambda card, now: card.confirm(actor=principal, now=now, note=note))


def acknowledge_card(monitoring: Monitoring, *, principal: Principal, card_id: str, note: str = "") -> Card:
    return _card_transition(monitoring, principal, card_id, "acknowledged",
                            lambda card, now: card.acknowledge(actor=principal, now=now, note=note))


def revoke_card(monitoring: Monitoring, *, principal: Principal, card_id: str, reason: str) -> Card:
    return _card_transition(monitoring, principal, card_id, "revoked",
                            lambda card, now: card.revoke(actor=principal, reason=reason, now=now))


def clear_card(monitoring: Monitoring, *, principal: Principal, card_id: str, note: str) -> Card:
    return _card_transition(monitoring, principal, card_id, "cleared",
                            lambda card, now: card.clear(actor=principal, note=note, now=now))


# -- approvals (ingest API) ----------------------------------------------------------------------------
def _may_report_for(principal: Principal, department: str) -> None:
    if not (principal.has_any(ADMIN) or principal.acts_for(department)):
        raise Forbidden("只能报送本单位的审批事项 / only your own department's approvals",
                        {"department": [department]})


def ingest_approval(monitoring: Monitoring, *, principal: Principal, system: str, external_id: str,
                    item_name: str, department: str, accepted_at: datetime, joint: bool = False,
                    promised_days: int | None = None) -> tuple[Approval, bool]:
    """受理 reported by an external system, keyed by (department, system, external_id).

    The same key and the same facts again return the first one; the same key with other facts is a
    409. Returns the approval and whether it was created now.
    """
    _refuse_pseudo_department(department)
    _may_report_for(principal, department)
    now = monitoring.db.clock.now()
    facts = {"item_name": item_name.strip(), "accepted_at": accepted_at, "joint": joint,
             "promised_days": promised_days}
    try:
        with monitoring.db.unit_of_work(actor=principal.actor) as uow:
            repo = store.ApprovalRepository(uow.conn)
            existing = repo.find(department, system, external_id)
            if existing is not None:
                return _same_report(existing, facts), False
            require_active(uow.conn, store.departments, [department], "department")
            approval = Approval.accept(
                id=new_id(), system=system, external_id=external_id, item_name=item_name, department=department,
                accepted_at=accepted_at, joint=joint, promised_days=promised_days, now=now,
                calendar=monitoring.calendar, policy=monitoring.policy, limits=monitoring.approval_limits,
                new_id=new_id, rules_version=monitoring.rules.version)
            repo.add(approval)
            uow.audit("approval.accepted", "approval", approval.id, before=None,
                      after={**approval.snapshot(), "system": system, "external_id": external_id})
            uow.commit()
        return approval, True
    except sa.exc.IntegrityError:  # a concurrent report of the same item won the insert
        with monitoring.db.read() as conn:
            again = store.ApprovalRepository(conn).find(department, system, external_id)
        if again is None:
            raise
        return _same_report(again, facts), False


def _refuse_pseudo_department(department: str) -> None:
    """The hotline office (12345) runs callback clocks, not licensing: it files no approvals."""
    if department in BUILTIN_DEPARTMENT_NAMES:
        raise InvalidInput("12345热线办不是审批单位 / the hotline office is not an approval department",
                           {"department": [f"{department} is not an approval department"]})


def _same_report(approval: Approval, facts: dict[str, object]) -> Approval:
    """A repeated report must say what the first said; otherwise the external system has a conflict."""
    differing = sorted(name for name, value in facts.items() if getattr(approval, name) != value)
    if differing:
        raise Conflict("该审批事项已以不同内容报送 / this item was reported before with other facts",
                       {name: ["differs from the first report"] for name in differing})
    return approval


def get_approval(monitoring: Monitoring, *, principal: Principal, approval_id: str) -> Approval:
    with monitoring.db.read() as conn:
        approval = store.ApprovalRepository(conn).get(approval_id)
    if not can_see(approval.department, principal):
        raise NotFound("审批事项不存在 / approval not found", {"id": [approval_id]})
    return approval


def change_approval(monitoring: Monitoring, *, principal: Principal, approval_id: str, action: str,
                    apply: Callable[[Approval, datetime], None]) -> Approval:
    """Load, check the caller reports for its department, apply, save approval and clocks, audit."""
    now = monitoring.db.clock.now()
    with monitoring.db.unit_of_work(actor=principal.actor) as uow:
        repo = store.ApprovalRepository(uow.conn, lock=not monitoring.db.is_sqlite)
        approval = repo.get(approval_id)
        if not can_see(approval.department, principal):
            raise NotFound("审批事项不存在 / approval not found", {"id": [approval_id]})
        _may_report_for(principal, approval.department)
        before = approval.snapshot()
        apply(approval, now)
        repo.save(approval)
        uow.audit(f"approval.{action}", "approval", approval.id, before=before, after=approval.snapshot())
        uow.commit()
    return approval


def _pinned(monitoring: Monitoring, approval: Approval) -> MonitoringPolicy:
    """The thresholds of the rules the approval's clocks started under."""
    return monitoring.policy_for(approval.clocks[0]) if approval.clocks else monitoring.policy


def pause_approval(monitoring: Monitoring, *, principal: Principal, approval_id: str, reason: str,
                   at: datetime | None = None) -> Approval:
    return change_approval(monitoring, principal=principal, approval_id=approval_id, action="paused",
                           apply=lambda a, now: a.pause(at=at or now, reason=reason, now=now))


def resume_approval(monitoring: Monitoring, *, principal: Principal, approval_id: str,
                    at: datetime | None = None) -> Approval:
    m = monitoring
    return change_approval(m, principal=principal, approval_id=approval_id, action="resumed",
                           apply=lambda a, now: a.resume(at=at or now, now=now, calendar=m.calendar,
                                                         policy=_pinned(m, a)))


def extend_approval(monitoring: Monitoring, *, principal: Principal, approval_id: str,
                    at: datetime | None = None) -> Approval:
    m = monitoring
    return change_approval(m, principal=principal, approval_id=approval_id, action="extended",
                           apply=lambda a, now: a.extend(at=at or now, now=now, calendar=m.calendar,
                                                         policy=_pinned(m, a),
                                                         limits=m.approval_limits))


def complete_approval(monitoring: Monitoring, *, principal: Principal, approval_id: str,
                      at: datetime | None = None) -> Approval:
    m = monitoring
    return change_approval(m, principal=principal, approval_id=approval_id, action="completed",
                           apply=lambda a, now: a.complete(at=at or now, now=now, calendar=m.calendar,
                                                           policy=_pinned(m, a)))

