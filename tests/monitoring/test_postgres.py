"""The sweep on PostgreSQL: migrations, the partial index, and two sweepers sharing the due clocks through
FOR UPDATE SKIP LOCKED without issuing a card twice. Skipped (loudly) without a server, failed in CI."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from services.monitoring import open_context, store
from services.monitoring.handlers import Monitoring
from services.monitoring.model import Subject, SupervisedClock
from services.monitoring.rules import ClockKind
from services.monitoring.sweep import SweepResult, sweep
from shared.bootstrap import Environment
from shared.calendar import TimeLimit, WorkCalendar
from shared.clock import ManualClock
from shared.migrations import upgrade
from shared.settings import DISTRIBUTED, Settings
from tests.monitoring.moments import SHANGHAI

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)


def contexts(url: str, n: int, calendar: WorkCalendar) -> list[Monitoring]:
    settings = Settings(mode=DISTRIBUTED, database_urls={"monitoring": url})
    return [open_context(Environment(settings, ManualClock(START), calendar)) for _ in range(n)]


def test_two_sweepers_on_postgresql_share_the_due_clocks_and_never_double_a_card(pg_url):
    upgrade("services.monitoring", pg_url)
    calendar = WorkCalendar()
    first, second = contexts(pg_url, 2, calendar)
    try:
        clocks = [SupervisedClock.start(
            id=str(uuid.uuid4()), subject=Subject("hotline", "ticket", str(uuid.uuid4()), f"T{i}"),
            kind=ClockKind.HANDLE, department=f"d{i % 40}", started_at=START, limit=TimeLimit.workdays(5),
            due_at=calendar.due(START, TimeLimit.workdays(5)).due_at, provisional=False, calendar=calendar,
            policy=first.policy) for i in range(400)]
        with first.db.engine.begin() as conn:
            conn.execute(store.clocks.insert(), [store.clock_values(c) | {"version": 1} for c in clocks])
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a 400-row table would be scanned anyway
            plan = conn.exec_driver_sql(
                "EXPLAIN SELECT id FROM clocks WHERE state = 'running' AND next_fire_at <= now() "
                "ORDER BY next_fire_at LIMIT 10").scalars().all()
        results: list[SweepResult] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def run(context: Monitoring) -> None:
            try:
                barrier.wait()
                for when in (datetime(2026, 11, 10, 1, tzinfo=SHANGHAI), datetime(2026, 11, 17, 1, tzinfo=SHANGHAI)):
                    results.append(sweep(context, now=when, batch_size=25))
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(c,)) for c in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert errors == []
        with first.db.read() as conn:
            cards = conn.execute(sa.select(store.cards.c.clock_id, store.cards.c.color)
                                 .where(store.cards.c.clock_id.is_not(None))).all()
            events = conn.execute(sa.select(sa.func.count()).select_from(store.common["outbox"])).scalar_one()
            total = conn.execute(sa.select(sa.func.count()).select_from(store.cards)).scalar_one()
        assert len(cards) == len(set(cards)) == 800  # one yellow and one red per clock
        assert sum(r.examined for r in results) == 800
        assert events == total
        assert any("ix_clocks_next_fire" in line for line in plan), plan
    finally:
        for context in (first, second):
            context.db.dispose()
