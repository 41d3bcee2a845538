"""The monitoring tables and repositories (SQLAlchemy Core; the model stays persistence-free)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from services.monitoring.approvals import SUBJECT_SERVICE, Approval
from services.monitoring.cards import Card
from services.monitoring.model import Reminder, Subject, SupervisedClock
from services.monitoring.rules import (
    ApprovalStatus,
    CardColor,
    CardRule,
    CardSource,
    CardStatus,
    ClockKind,
    ClockState,
    Outcome,
    Stage,
)
from shared import bulk
from shared.audit_heads import add_audit_heads_table
from shared.calendar import TimeLimit
from shared.calendar_store import add_calendar_years
from shared.directory import add_department_replica
from shared.errors import NotFound
from shared.repository import Repository
from shared.rules_store import add_rules_versions
from shared.tables import UtcDateTime, add_common_tables

metadata = sa.MetaData()
common = add_common_tables(metadata)

# Written as a literal, not a bound parameter: SQLite only uses a partial index when the query repeats
# its condition verbatim.
IS_RUNNING = sa.text("state = 'running'")

clocks = sa.Table(
    "clocks", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("subject_service", sa.String(30), nullable=False),
    sa.Column("subject_kind", sa.String(30), nullable=False),
    sa.Column("subject_id", sa.String(64), nullable=False),
    sa.Column("subject_ref", sa.String(100), nullable=False, server_default=""),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("limit_amount", sa.Integer, nullable=False),
    sa.Column("limit_unit", sa.String(20), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("paused_at", UtcDateTime()),
    sa.Column("paused_workdays", sa.Integer, nullable=False, server_default="0"),
    sa.Column("paused_seconds", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("stopped_at", UtcDateTime()),
    sa.Column("outcome", sa.String(20)),
    sa.Column("stage", sa.String(10), nullable=False),
    sa.Column("next_fire_at", UtcDateTime()),
    # The rules version the clock started under: its reminder and red-card thresholds stay those.
    sa.Column("rules_version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("version", sa.Integer, nullable=False),
    # The sweep reads only running clocks that are due, in next_fire_at order: its cost follows the due
    # clocks, not the open ones.
    sa.Index("ix_clocks_next_fire", "next_fire_at", sqlite_where=IS_RUNNING, postgresql_where=IS_RUNNING),
    sa.Index("ix_clocks_subject", "subject_service", "subject_id"),
    sa.Index("ix_clocks_department_state", "department", "state"),
    sa.Index("ix_clocks_stopped", "stopped_at", sqlite_where=sa.text("stopped_at IS NOT NULL"),
             postgresql_where=sa.text("stopped_at IS NOT NULL")),
)

# Keys of the clock-contract commands already applied (shared.events.clocks): a producer that publishes
# the same command twice, under two message ids, changes the clocks once.
clock_commands = sa.Table(
    "clock_commands", metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("applied_at", UtcDateTime(), nullable=False),
    sa.Index("ix_clock_commands_applied_at", "applied_at"),  # the purge of old keys
)

# Clock commands that found no clock (clock_commands.py): applied when their clock's start arrives.
parked_clock_commands = sa.Table(
    "parked_clock_commands", metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("subject_service", sa.String(30), nullable=False),
    sa.Column("subject_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(30), nullable=True),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("parked_at", UtcDateTime(), nullable=False),
    sa.Index("ix_parked_clock_commands_subject", "subject_service", "subject_id"),
)

cards = sa.Table(
    "cards", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("color", sa.String(10), nullable=False),
    sa.Column("source", sa.String(10), nullable=False),
    sa.Column("rule", sa.String(20), nullable=False),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("subject_service", sa.String(30)),
    sa.Column("subject_kind", sa.String(30)),
    sa.Column("subject_id", sa.String(64)),
    sa.Column("subject_ref", sa.String(100)),
    sa.Column("clock_id", sa.String(36), sa.ForeignKey("clocks.id")),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("issued_at", UtcDateTime(), nullable=False),
    sa.Column("issued_by", sa.String(100), nullable=False),
    sa.Column("acknowledged_at", UtcDateTime()),
    sa.Column("acknowledged_by", sa.String(100)),
    sa.Column("acknowledge_note", sa.Text, nullable=False, server_default=""),
    sa.Column("confirmed_at", UtcDateTime()),
    sa.Column("confirmed_by", sa.String(100)),
    sa.Column("revoked_at", UtcDateTime()),
    sa.Column("revoked_by", sa.String(100)),
    sa.Column("revoke_reason", sa.Text),
    sa.Column("cleared_at", UtcDateTime()),
    sa.Column("cleared_by", sa.String(100)),
    sa.Column("clear_note", sa.Text),
    sa.Column("escalated_to", sa.String(36)),
    sa.Column("escalation_key", sa.String(36)),
    sa.Column("version", sa.Integer, nullable=False),
    # One automatic card per clock and colour, whoever sweeps: NULL clock ids (manual and accumulation
    # cards) never collide. One accumulation red card per yellow card that completed the count.
    sa.UniqueConstraint("clock_id", "color", name="uq_cards_clock_color"),
    sa.UniqueConstraint("escalation_key", name="uq_cards_escalation_key"),
    sa.Index("ix_cards_department_issued", "department", "issued_at"),
    sa.Index("ix_cards_issued", "issued_at"),
)

warnings = sa.Table(
    "warnings", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("clock_id", sa.String(36), sa.ForeignKey("clocks.id"), nullable=False),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("subject_service", sa.String(30), nullable=False),
    sa.Column("subject_kind", sa.String(30), nullable=False),
    sa.Column("subject_id", sa.String(64), nullable=False),
    sa.Column("subject_ref", sa.String(100), nullable=False, server_default=""),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("issued_at", UtcDateTime(), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.UniqueConstraint("clock_id", name="uq_warnings_clock"),
    sa.Index("ix_warnings_department_issued", "department", "issued_at"),
    sa.Index("ix_warnings_issued", "issued_at"),
)

approvals = sa.Table(
    "approvals", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("system", sa.String(50), nullable=False),
    sa.Column("external_id", sa.String(100), nullable=False),
    sa.Column("item_name", sa.String(200), nullable=False),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("accepted_at", UtcDateTime(), nullable=False),
    sa.Column("joint", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("promised_days", sa.Integer),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("extended", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("pause_reason", sa.Text),
    sa.Column("completed_at", UtcDateTime()),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # An external id is unique within one department's system only: another department's id is another item.
    sa.UniqueConstraint("department", "system", "external_id", name="uq_approvals_department_external"),
    sa.Index("ix_approvals_department", "department", "status"),
)

# Replica of the gateway's department directory (names for the board and the scores).
departments = add_department_replica(metadata)

# The audit chain heads every service publishes (shared.audit_heads); `duban audit verify` reads them.
audit_heads = add_audit_heads_table(metadata)
calendar_years = add_calendar_years(metadata)  # the entered holiday years, replicated
rules_versions = add_rules_versions(metadata)  # the published rules, replicated


# -- clocks --------------------------------------------------------------------------------------
def clock_values(clock: SupervisedClock) -> dict[str, Any]:
    return {
        "id": clock.id, "subject_service": clock.subject.service, "subject_kind": clock.subject.kind,
        "subject_id": clock.subject.id, "subject_ref": clock.subject.ref, "kind": clock.kind.value,
        "department": clock.department, "started_at": clock.started_at, "limit_amount": clock.limit.amount,
        "limit_unit": clock.limit.unit.value, "due_at": clock.due_at, "provisional": clock.provisional,
        "state": clock.state.value, "paused_at": clock.paused_at, "paused_workdays": clock.paused_workdays,
        "paused_seconds": clock.paused_seconds, "stopped_at": clock.stopped_at,
        "outcome": clock.outcome.value if clock.outcome else None, "stage": clock.stage.value,
        "next_fire_at": clock.next_fire_at, "rules_version": clock.rules_version, "version": clock.version,
    }


_KINDS = {k.value: k for k in ClockKind}
_STATES = {s.value: s for s in ClockState}
_STAGES = {s.value: s for s in Stage}
_OUTCOMES: dict[str | None, Outcome | None] = {None: None, **{o.value: o for o in Outcome}}


@lru_cache(maxsize=256)
def _limit(amount: int, unit: str) -> TimeLimit:
    return TimeLimit(amount, unit)  # type: ignore[arg-type]


def clock_from_row(row: Sequence[Any]) -> SupervisedClock:
    """A clock from a full ``clocks`` row (columns in table order: the sweep reads thousands at a time)."""
    (id_, service, kind_of_subject, subject_id, ref, kind, department, started_at, amount, unit, due_at,
     provisional, state, paused_at, paused_workdays, paused_seconds, stopped_at, outcome, stage, next_fire_at,
     rules_version, version) = row
    return SupervisedClock(
        id=id_, subject=Subject(service, kind_of_subject, subject_id, ref), kind=_KINDS[kind],
        department=department, started_at=started_at, limit=_limit(amount, unit), due_at=due_at,
        provisional=provisional, state=_STATES[state], paused_at=paused_at, paused_workdays=paused_workdays,
        paused_seconds=paused_seconds, stopped_at=stopped_at, outcome=_OUTCOMES[outcome], stage=_STAGES[stage],
        next_fire_at=next_fire_at, rules_version=rules_version, version=version)


class ClockRepository(Repository):
    """Loads and saves clocks inside a unit of work's connection."""

    def get(self, clock_id: str) -> SupervisedClock:
        row = self.conn.execute(sa.select(clocks).where(clocks.c.id == clock_id)).first()
        if row is None:
            raise NotFound("时钟不存在 / clock not found", {"id": [clock_id]})
        return clock_from_row(row)

    def of_subject(self, service: str, subject_id: str, *, kinds: Iterable[ClockKind] | None = None,
                   open_only: bool = True, lock: bool = False) -> list[SupervisedClock]:
        """A subject's clocks; ``lock`` (PostgreSQL) waits for a sweep holding them instead of failing
        its version check afterwards."""
        query = sa.select(clocks).where(clocks.c.subject_service == service, clocks.c.subject_id == subject_id)
        if kinds is not None:
            query = query.where(clocks.c.kind.in_([k.value for k in kinds]))
        if open_only:
            query = query.where(clocks.c.state != ClockState.STOPPED.value)
        if lock:
            query = query.with_for_update()
        return [clock_from_row(r) for r in self.conn.execute(query.order_by(clocks.c.started_at, clocks.c.id))]

    def add(self, clock: SupervisedClock) -> None:
        clock.version = 1
        self.conn.execute(clocks.insert().values(**clock_values(clock)))

    def save(self, clock: SupervisedClock) -> None:
        """Write back; fails if someone else saved the clock since it was loaded."""
        self.save_versioned(clocks, clock, clock_values(clock),
                            "时钟已被他人修改，请重试 / the clock changed meanwhile; retry")


# -- cards and reminders -------------------------------------------------------------------------
_CARD_SCALARS = ("id", "department", "reason", "clock_id", "issued_at", "issued_by", "acknowledged_at",
                 "acknowledged_by", "acknowledge_note", "confirmed_at", "confirmed_by", "revoked_at",
                 "revoked_by", "revoke_reason", "cleared_at", "cleared_by", "clear_note", "escalated_to",
                 "escalation_key", "version")


def card_values(card: Card) -> dict[str, Any]:
    values = {name: getattr(card, name) for name in _CARD_SCALARS}
    subject = card.subject
    values.update(color=card.color.value, source=card.source.value, rule=card.rule.value,
                  status=card.status.value, subject_service=subject.service if subject else None,
                  subject_kind=subject.kind if subject else None, subject_id=subject.id if subject else None,
                  subject_ref=subject.ref if subject else None)
    return values


def card_from_row(row: Row[Any]) -> Card:
    m = row._mapping
    subject = (Subject(m["subject_service"], m["subject_kind"], m["subject_id"], m["subject_ref"] or "")
               if m["subject_service"] else None)
    return Card(color=CardColor(m["color"]), source=CardSource(m["source"]), rule=CardRule(m["rule"]),
                status=CardStatus(m["status"]), subject=subject, **{name: m[name] for name in _CARD_SCALARS})


class CardRepository(Repository):
    """Cards, tracked for their events (issued, confirmed, acknowledged, revoked, cleared)."""

    def get(self, card_id: str) -> Card:
        row = self.conn.execute(sa.select(cards).where(cards.c.id == card_id)).first()
        if row is None:
            raise NotFound("牌不存在 / card not found", {"id": [card_id]})
        return self.seen(card_from_row(row))

    def batch_after(self, after: str, size: int) -> list[Card]:
        """The next ``size`` cards by id after ``after`` (snapshots)."""
        rows = self.conn.execute(sa.select(cards).where(cards.c.id > after).order_by(cards.c.id).limit(size))
        return self.seen_all([card_from_row(row) for row in rows])

    def save(self, card: Card) -> None:
        self.save_versioned(cards, card, card_values(card),
                            "该牌已被他人修改，请刷新后重试 / the card changed meanwhile; retry")

    def add_new(self, new: Sequence[Card]) -> list[Card]:
        """Insert cards in one statement; those another sweep already wrote are skipped. Returns the
        cards inserted now (only these are announced)."""
        for card in new:
            card.version = 1
        inserted = bulk.insert_new(self.conn, cards, [card_values(c) for c in new])
        return self.seen_all([c for c in new if c.id in inserted])

    def issued(self, counted: Sequence[Card]) -> list[Card]:
        """Red cards ``escalate`` inserted itself (with their yellows marked in the same statement)."""
        return self.seen_all(counted)


class WarningRepository(Repository):
    """Reminders (预警), at most one per clock."""

    def add_new(self, new: Sequence[Reminder]) -> list[Reminder]:
        """Insert reminders in one statement; a clock's reminder another sweep wrote is skipped."""
        inserted = bulk.insert_new(self.conn, warnings, [reminder_values(r) for r in new])
        return self.seen_all([r for r in new if r.id in inserted])


    def batch_after(self, after: str, size: int) -> list[Reminder]:
        """The next ``size`` reminders by id after ``after`` (snapshots)."""
        rows = self.conn.execute(sa.select(warnings).where(warnings.c.id > after).order_by(warnings.c.id)
                                 .limit(size))
        return self.seen_all([_reminder(row._mapping) for row in rows])


def _reminder(m: Any) -> Reminder:
    return Reminder(m["id"], m["clock_id"], m["department"],
                    Subject(m["subject_service"], m["subject_kind"], m["subject_id"], m["subject_ref"] or ""),
                    ClockKind(m["kind"]), m["due_at"], m["issued_at"], m["message"])


def reminder_values(reminder: Reminder) -> dict[str, Any]:
    s = reminder.subject
    return {"id": reminder.id, "clock_id": reminder.clock_id, "department": reminder.department,
            "subject_service": s.service, "subject_kind": s.kind, "subject_id": s.id, "subject_ref": s.ref,
            "kind": reminder.kind.value, "due_at": reminder.due_at, "issued_at": reminder.issued_at,
            "message": reminder.message}


# -- approvals -----------------------------------------------------------------------------------
_APPROVAL_SCALARS = ("id", "system", "external_id", "item_name", "department", "accepted_at", "joint",
                     "promised_days", "extended", "pause_reason", "completed_at", "created_at", "version")


class ApprovalRepository(Repository):
    """Approvals (行政审批事项) with their clocks."""

    def __init__(self, conn: Connection, *, seen: Callable[..., None] | None = None, lock: bool = False) -> None:
        super().__init__(conn, seen=seen)
        self.clocks = ClockRepository(conn, seen=seen)
        self.lock = lock  # PostgreSQL writers lock the clocks so a concurrent sweep is waited for

    def get(self, approval_id: str) -> Approval:
        row = self.conn.execute(sa.select(approvals).where(approvals.c.id == approval_id)).first()
        if row is None:
            raise NotFound("审批事项不存在 / approval not found", {"id": [approval_id]})
        return self._load(row)

    def find(self, department: str, system: str, external_id: str) -> Approval | None:
        row = self.conn.execute(sa.select(approvals).where(approvals.c.department == department,
                                                           approvals.c.system == system,
                                                           approvals.c.external_id == external_id)).first()
        return None if row is None else self._load(row)

    def _load(self, row: Row[Any]) -> Approval:
        m = row._mapping
        approval = Approval(status=ApprovalStatus(m["status"]), **{name: m[name] for name in _APPROVAL_SCALARS})
        approval.clocks = self.clocks.of_subject(SUBJECT_SERVICE, approval.id, open_only=False, lock=self.lock)
        return approval

    def add(self, approval: Approval) -> None:
        approval.version = 1
        self.conn.execute(approvals.insert().values(**self._values(approval)))
        for clock in approval.clocks:
            self.clocks.add(clock)

    def save(self, approval: Approval) -> None:
        """Write back the approval and its (at most two) clocks."""
        self.save_versioned(approvals, approval, self._values(approval),
                            "审批事项已被修改，请重试 / the approval changed meanwhile; retry")
        for clock in approval.clocks:
            self.clocks.save(clock)

    @staticmethod
    def _values(approval: Approval) -> dict[str, Any]:
        return {name: getattr(approval, name) for name in _APPROVAL_SCALARS} | {"status": approval.status.value}
