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
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from services.monitoring import store
from services.monitoring.cards import SWEEPER, Card
from services.monitoring.handlers import Monitoring, count_issued, new_id, record_cards
from services.monitoring.metrics import SWEEP_DURATION, SWEEP_FIRED, WARNINGS_ISSUED
from services.monitoring.model import Reminder
from services.monitoring.rules import CardColor, Stage

if TYPE_CHECKING:
    from flask import Flask

    from shared.bus.runtime import EmbeddedRuntime

log = logging.getLogger(__name__)

SWEEP_JOB = "monitoring.sweep"


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
        log.info("sweep fired %d clocks: %d reminders, %d yellow, %d red cards", total.examined,
                 total.warnings, total.yellows, total.reds)
    return total


def sweep_batch(monitoring: Monitoring, *, now: datetime, batch_size: int) -> SweepResult:
    """One unit of work: up to ``batch_size`` due clocks, their signals, events and one audit record.

    The batch is audited as one record (the sweeper's action: every clock's stage before → after and
    every reminder and card issued); per-signal records would double the sweep's cost. Each card still
    carries who issued it and why, and each signal is an event.
    """
    m = monitoring
    with m.db.unit_of_work(actor=SWEEPER) as uow:
        due = store.due_clocks(uow.conn, now=now, limit=batch_size, lock=not m.db.is_sqlite)
        if not due:
            return SweepResult()
        before = {c.id: c.stage.value for c in due}
        reminders: list[Reminder] = []
        cards: list[Card] = []
        for clock in due:
            for signal in clock.fire(now, m.calendar, m.policy):
                if signal.stage is Stage.REMINDED:
                    reminders.append(Reminder.for_signal(signal, id=new_id(), now=now))
                else:
                    cards.append(Card.for_signal(signal, id=new_id(), now=now))
        store.save_fired(uow.conn, due)
        written = store.insert_new(uow.conn, store.warnings, [store.reminder_values(r) for r in reminders])
        issued_reminders = [r for r in reminders if r.id in written]
        for reminder in issued_reminders:
            uow.publish("monitoring.warning.issued", reminder.event_data())
        issued = record_cards(m, uow, cards, now=now, audit_each=False)
        uow.audit("sweep.fired", "sweep", new_id(), before={"clocks": before}, after={
            "clocks": {c.id: [c.stage.value, c.next_fire_at] for c in due},
            "warnings": {r.id: r.clock_id for r in issued_reminders},
            "cards": {c.id: [c.color.value, c.rule.value, c.clock_id or c.escalation_key] for c in issued}})
        uow.commit()
    SWEEP_FIRED.inc(len(due))
    WARNINGS_ISSUED.inc(len(issued_reminders))
    count_issued(issued)
    return SweepResult(examined=len(due), warnings=len(issued_reminders),
                       yellows=sum(c.color is CardColor.YELLOW for c in issued),
                       reds=sum(c.color is CardColor.RED for c in issued))


def register_periodic(runtime: EmbeddedRuntime, app: Flask, *, interval: float = 5.0) -> None:
    """Embedded mode: run the sweep every ``interval`` seconds in the suite's runtime thread."""
    monitoring: Monitoring = app.extensions["duban.monitoring"]
    runtime.add_periodic(SWEEP_JOB, interval, lambda: sweep(monitoring))


def run_forever(monitoring: Monitoring, *, interval: float, stop: threading.Event,
                batch_size: int = 1000) -> None:
    """Distributed mode: sweep every ``interval`` seconds until ``stop`` is set; a failed round is retried."""
    while not stop.is_set():
        try:
            sweep(monitoring, batch_size=batch_size)
        except Exception:  # the next round retries; the process must not die on one bad batch
            log.exception("sweep failed; retrying in %.1f s", interval)
        stop.wait(interval)
