"""The sweep: find the clocks whose next threshold has passed and issue their reminders and cards.

It reads running clocks by ``next_fire_at`` through a partial index, so its cost follows the number of
due clocks, not the open ones. Each batch is one unit of work written with bulk statements. Two sweeps
at once are safe: SQLite serialises writers (BEGIN IMMEDIATE), PostgreSQL hands each sweeper different
rows (FOR UPDATE SKIP LOCKED), and unique constraints refuse a second card for a clock and colour.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.monitoring import store
from services.monitoring.cards import SWEEPER, Card
from services.monitoring.handlers import Monitoring, count_issued, record_cards
from services.monitoring.metrics import SWEEP_DURATION, SWEEP_FIRED, WARNINGS_ISSUED
from services.monitoring.model import Reminder, SupervisedClock
from services.monitoring.rules import CardColor, Stage
from shared import bulk
from shared.errors import ConcurrentUpdate
from shared.ids import new_id
from shared.tables import UtcDateTime

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class SweepResult:
    examined: int = 0
    warnings: int = 0
    yellows: int = 0
    reds: int = 0

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(self.examined + other.examined, self.warnings + other.warnings,
                           self.yellows + other.yellows, self.reds + other.reds)


def sweep(monitoring: Monitoring, *, now: datetime | None = None, batch_size: int = 1000) -> SweepResult:
    """Fire every clock due at ``now`` (default: the database clock), batch by batch, until none is due."""
    started = time.perf_counter()
    now = now or monitoring.db.clock.now()
    total = SweepResult()
    while True:
        result = sweep_batch(monitoring, now=now, batch_size=batch_size)
        total += result
        if result.examined < batch_size:
            break
    SWEEP_DURATION.observe(time.perf_counter() - started)
    if total.examined:
        log.info("sweep fired", extra={"clocks": total.examined, "reminders": total.warnings,
                                        "yellow_cards": total.yellows, "red_cards": total.reds})
    return total


def sweep_batch(monitoring: Monitoring, *, now: datetime, batch_size: int) -> SweepResult:
    """One unit of work: up to ``batch_size`` due clocks, their signals, events and one audit record.

    The batch is audited as one record (the sweeper's action: every clock's stage before → after and
    every reminder and card issued); per-signal records would double the sweep's cost. Each card still
    carries who issued it and why, and each signal is an event.
    """
    m = monitoring
    with m.db.unit_of_work(actor=SWEEPER) as uow:
        due = due_clocks(uow.conn, now=now, limit=batch_size, lock=not m.db.is_sqlite)
        if not due:
            return SweepResult()
        before = {c.id: c.stage.value for c in due}
        reminders: list[Reminder] = []
        cards: list[Card] = []
        for clock in due:
            for signal in clock.fire(now, m.calendar, m.policy_for(clock)):
                if signal.stage is Stage.REMINDED:
                    reminders.append(Reminder.for_signal(signal, id=new_id(), now=now))
                else:
                    cards.append(Card.for_signal(signal, id=new_id(), now=now))
        save_fired(uow.conn, due)
        issued_reminders = uow.repository(store.WarningRepository).add_new(reminders)
        issued = record_cards(m, uow, cards, now=now, audit_each=False)
        # Instants as the audit's JSON prints them, formatted here rather than in a callback per clock.
        uow.audit("sweep.fired", "sweep", new_id(), before={"clocks": before}, after={
            "clocks": {c.id: [c.stage.value, c.next_fire_at and c.next_fire_at.isoformat()] for c in due},
            "warnings": {r.id: r.clock_id for r in issued_reminders},
            "cards": {c.id: [c.color.value, c.rule.value, c.clock_id or c.escalation_key] for c in issued}})
        uow.commit()
    SWEEP_FIRED.inc(len(due))
    WARNINGS_ISSUED.inc(len(issued_reminders))
    count_issued(issued)
    return SweepResult(examined=len(due), warnings=len(issued_reminders),
                       yellows=sum(c.color is CardColor.YELLOW for c in issued),
                       reds=sum(c.color is CardColor.RED for c in issued))


# -- reading and writing a batch ------------------------------------------------------------------
# The sweep loads instants raw and converts each distinct one once: due clocks share start times and
# deadlines (day closes), and converting every one cost a third of loading a batch on SQLite.
_RAW_INSTANTS = [sa.type_coerce(c, sa.types.NullType()) if isinstance(c.type, UtcDateTime) else c
                 for c in store.clocks.c]


def due_clocks(conn: Connection, *, now: datetime, limit: int, lock: bool) -> list[SupervisedClock]:
    """Running clocks whose next threshold has passed, earliest first (through ix_clocks_next_fire).

    With ``lock`` (PostgreSQL) the rows are locked and rows another sweeper holds are skipped, so two
    sweepers share the due clocks instead of fighting over them.
    """
    clocks = store.clocks
    query = (sa.select(*_RAW_INSTANTS).where(store.IS_RUNNING, clocks.c.next_fire_at <= now)
             .order_by(clocks.c.next_fire_at).limit(limit))
    if lock:
        query = query.with_for_update(skip_locked=True)
    rows = conn.execute(query).all()
    if not rows:
        return []
    columns = [list(values) for values in zip(*rows, strict=True)]
    for i, column in enumerate(clocks.c):
        if isinstance(column.type, UtcDateTime):
            process = column.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
            columns[i] = bulk.each_once(process, columns[i])
    return [store.clock_from_row(row) for row in zip(*columns, strict=True)]


def save_fired(conn: Connection, fired: Sequence[SupervisedClock]) -> None:
    """Write many clocks' new stage and next fire time in one statement; fails if any was saved meanwhile."""
    if not fired:
        return
    rows = [{"id": c.id, "version": c.version, "stage": c.stage.value, "next_fire_at": c.next_fire_at}
            for c in fired]
    matched = bulk.update_versioned(conn, store.clocks, rows, match=("id", "version"))
    if matched != len(fired):
        raise ConcurrentUpdate("时钟已被他人修改 / clocks changed during the sweep")
    for clock in fired:
        clock.version += 1


def run_forever(monitoring: Monitoring, *, interval: float, stop: threading.Event,
                batch_size: int = 1000) -> None:
    """Distributed mode: sweep every ``interval`` seconds until ``stop`` is set; a failed round is retried."""
    while not stop.is_set():
        try:
            sweep(monitoring, batch_size=batch_size)
        except Exception:  # the next round retries; the process must not die on one bad batch
            log.exception("sweep failed; retrying", extra={"retry_in_s": interval})
        stop.wait(interval)
