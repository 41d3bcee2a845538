"""Benchmark the monitoring sweep: its cost must follow the due clocks, not the open ones (DESIGN §5).

Builds a SQLite monitoring database (migrated like production, in a temporary folder) holding ``--open``
running clocks whose next threshold is in the future plus ``--due`` clocks due now, then times
``sweep()`` over the due set: the median of ``--runs`` runs, re-arming the due set between runs (the
re-arming is not timed). It repeats everything with a tenth of the open clocks, and prints both timings,
their ratio, and two baselines measured in the same run: a ``SELECT 1`` round trip and a sweep with
nothing due. Target: under 100 ms for 1,000 due among 1,000,000 open, and flat as the open count grows.

    .venv/bin/python bench/sweep.py                       # 1,000,000 and 100,000 open, 1,000 due
    .venv/bin/python bench/sweep.py --open 200000 --due 500
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.monitoring import open_monitoring, store  # noqa: E402
from services.monitoring.handlers import Monitoring  # noqa: E402
from services.monitoring.sweep import SweepResult, sweep  # noqa: E402
from shared.calendar import TimeLimit, WorkCalendar  # noqa: E402
from shared.clock import ManualClock  # noqa: E402
from shared.migrations import upgrade  # noqa: E402
from shared.settings import Settings  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning
CHUNK = 20_000
DEPARTMENTS = [f"dept{i:02d}" for i in range(50)]
TARGET_MS = 100.0


@dataclass(frozen=True)
class Timing:
    open_clocks: int
    due: int
    wall_ms: list[float]
    cpu_ms: list[float]
    floor_ms: list[float]
    result: SweepResult

    @property
    def median_ms(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def median_cpu_ms(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def median_floor_ms(self) -> float:
        return statistics.median(self.floor_ms)


def clock_row(i: int, *, due_now: bool, rng: random.Random, due_of: Callable[[datetime], datetime]) -> dict[str, Any]:
    """One running 5-working-day handle clock; due-now ones are 70% past their reminder, 30% past due."""
    if due_now:
        started = NOW - timedelta(days=7 if rng.random() < 0.7 else 12)
        fire = NOW - timedelta(seconds=rng.randint(1, 3600))
    else:
        started = NOW - timedelta(hours=rng.randint(0, 48))
        fire = NOW + timedelta(minutes=rng.randint(1, 60 * 24 * 20))
    limit = TimeLimit.workdays(5)
    return {
        "id": str(uuid.UUID(int=i)), "subject_service": "hotline", "subject_kind": "ticket",
        "subject_id": str(uuid.UUID(int=(i + 1) << 64)), "subject_ref": f"2026112{i:07d}", "kind": "handle",
        "department": rng.choice(DEPARTMENTS), "started_at": started, "limit_amount": limit.amount,
        "limit_unit": limit.unit.value, "due_at": due_of(started), "provisional": False,
        "state": "running", "paused_at": None, "paused_workdays": 0, "paused_seconds": 0, "stopped_at": None,
        "outcome": None, "stage": "none", "next_fire_at": fire, "version": 1,
    }


def build(folder: Path, open_clocks: int, due: int, calendar: WorkCalendar) -> tuple[Monitoring, list[str]]:
    """A migrated database with ``open_clocks`` future clocks and ``due`` due ones; returns the due ids."""
    folder.mkdir(parents=True)
    settings = Settings(data_dir=folder, background_workers=False, jwt_secret="x" * 40)
    upgrade("services.monitoring", settings.database_url_for("monitoring"))
    monitoring = open_monitoring(settings, clock=ManualClock(NOW), calendar=calendar)
    rng = random.Random(open_clocks)
    total = open_clocks + due
    due_positions = set(rng.sample(range(total), due))
    deadlines: dict[datetime, datetime] = {}

    def due_of(started: datetime) -> datetime:
        # Starts fall on whole hours, so a few dozen calendar answers serve a million rows.
        if started not in deadlines:
            deadlines[started] = calendar.due(started, TimeLimit.workdays(5)).due_at
        return deadlines[started]

    written, started, due_ids = 0, time.perf_counter(), []
    while written < total:
        rows = []
        for i in range(written, min(total, written + CHUNK)):
            rows.append(clock_row(i, due_now=i in due_positions, rng=rng, due_of=due_of))
            if i in due_positions:
                due_ids.append(rows[-1]["id"])
        with monitoring.db.engine.begin() as conn:
            conn.execute(store.clocks.insert(), rows)
        written += len(rows)
        rate = written / max(time.perf_counter() - started, 1e-9)
        print(f"\r  filling {written:,} / {total:,} clocks ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with monitoring.db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return monitoring, due_ids


def rearm(monitoring: Monitoring, due_ids: list[str]) -> None:
    """Put the due set back as it was: no signals issued, due again now."""
    c = store.clocks
    with monitoring.db.engine.begin() as conn:
        for table in (store.cards, store.warnings, monitoring.db.metadata.tables["outbox"]):
            conn.execute(table.delete())
        for start in range(0, len(due_ids), 500):
            conn.execute(c.update().where(c.c.id.in_(due_ids[start:start + 500]))
                         .values(stage="none", next_fire_at=NOW - timedelta(seconds=1)))


def timed(action: Callable[[], object], runs: int,
          before: Callable[[], object] | None = None) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of ``runs`` calls of ``action`` (``before`` runs untimed).

    CPU time is reported too because a shared machine's other load inflates wall time, not CPU time.
    """
    wall, cpu = [], []
    for _ in range(runs):
        if before is not None:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def bare_writes(con: sqlite3.Connection, result: SweepResult) -> Callable[[], None]:
    """The rows one sweep writes, written straight through sqlite3 with no domain logic, SQLAlchemy or
    audit: the floor this machine puts under the sweep."""
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    now = NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    later = (NOW + timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def event(type_: str, id_: str, clock_id: str, department: str, text: str) -> tuple[Any, ...]:
        body = {"id": str(uuid.uuid4()), "type": type_, "occurred_at": now, "producer": "monitoring",
                "data": {"id": id_, "clock_id": clock_id, "department": department, "text": text}}
        return str(uuid.uuid4()), type_, json.dumps(body, sort_keys=True, ensure_ascii=False), now, 0

    def run() -> None:
        con.execute("BEGIN IMMEDIATE")
        rows = con.execute("SELECT * FROM clocks WHERE state = 'running' AND next_fire_at <= ? "
                           "ORDER BY next_fire_at LIMIT ?", (now, result.examined)).fetchall()
        con.executemany("UPDATE clocks SET stage = 'reminded', next_fire_at = ?, version = version + 1 "
                        "WHERE id = ? AND version = ?", [(later, r[0], r[20]) for r in rows])
        warnings = [(str(uuid.uuid4()), r[0], r[6], r[1], r[2], r[3], r[4], r[5], r[10], now,
                     f"{r[4]} 办理时限将于{r[10]}到期 / handle limit due at {r[10]}") for r in rows[:result.warnings]]
        con.executemany("INSERT INTO warnings (id, clock_id, department, subject_service, subject_kind, subject_id, "
                        "subject_ref, kind, due_at, issued_at, message) VALUES (?,?,?,?,?,?,?,?,?,?,?)", warnings)
        carded = rows[result.warnings:][:result.yellows] + rows[:result.reds]
        cards = [(str(uuid.uuid4()), "yellow" if i < result.yellows else "red", "auto", "due", r[6],
                  f"{r[4]} 办理时限已于{r[10]}到期未办结", r[1], r[2], r[3], r[4], r[0], "issued", now, "system:sweep",
                  "", 1) for i, r in enumerate(carded)]
        con.executemany("INSERT INTO cards (id, color, source, rule, department, reason, subject_service, "
                        "subject_kind, subject_id, subject_ref, clock_id, status, issued_at, issued_by, "
                        "acknowledge_note, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
        events = [event("monitoring.warning.issued", w[0], w[1], w[2], w[10]) for w in warnings]
        events += [event("monitoring.card.issued", c[0], c[10], c[4], c[5]) for c in cards]
        con.executemany("INSERT INTO outbox (id, routing_key, body, created_at, attempts) VALUES (?,?,?,?,?)", events)
        con.execute("COMMIT")

    return run


def measure(folder: Path, open_clocks: int, due: int, runs: int, calendar: WorkCalendar) -> Timing:
    print(f"{open_clocks:,} open clocks, {due:,} due:", file=sys.stderr)
    monitoring, due_ids = build(folder, open_clocks, due, calendar)
    try:
        results: list[SweepResult] = []
        rearm(monitoring, due_ids)
        sweep(monitoring, now=NOW)  # warm-up: page cache and statement caches, as in a long-running sweeper
        wall, cpu = timed(lambda: results.append(sweep(monitoring, now=NOW)), runs,
                          before=lambda: rearm(monitoring, due_ids))
        assert all(r.examined == due for r in results), results
        with closing(sqlite3.connect(folder / "monitoring.db", isolation_level=None)) as con:
            floor, _ = timed(bare_writes(con, results[-1]), runs, before=lambda: rearm(monitoring, due_ids))
        return Timing(open_clocks, due, wall, cpu, floor, results[-1])
    finally:
        monitoring.db.dispose()


def baselines(folder: Path, calendar: WorkCalendar, runs: int) -> tuple[float, float]:
    """``SELECT 1`` round trip and a sweep with nothing due, on a database of the same schema."""
    monitoring, _ = build(folder, 0, 0, calendar)
    try:
        with monitoring.db.engine.connect() as conn:
            select_one = statistics.median(timed(lambda: conn.exec_driver_sql("SELECT 1").scalar(), runs * 20)[0])
        empty = statistics.median(timed(lambda: sweep(monitoring, now=NOW), runs * 5)[0])
        return select_one, empty
    finally:
        monitoring.db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=1_000_000, help="open clocks not yet due (default 1,000,000)")
    parser.add_argument("--due", type=int, default=1_000, help="clocks due now (default 1,000)")
    parser.add_argument("--runs", type=int, default=7, help="timed sweeps per size (default 7)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    calendar = WorkCalendar()
    folder = Path(tempfile.mkdtemp(prefix="duban-bench-sweep-"))
    try:
        big = measure(folder / "big", args.open, args.due, args.runs, calendar)
        small = measure(folder / "small", max(args.open // 10, 1), args.due, args.runs, calendar)
        select_one, empty = baselines(folder / "empty", calendar, args.runs)
    finally:
        if args.keep:
            print(f"databases kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    r = big.result
    print(f"sweep of {args.due:,} due clocks (median of {args.runs}; each run issues "
          f"{r.warnings} reminders, {r.yellows} yellow and {r.reds} red cards)")
    for timing in (big, small):
        runs = ", ".join(f"{t:.0f}" for t in timing.wall_ms)
        print(f"  {timing.open_clocks:>10,} open: {timing.median_ms:7.1f} ms wall, {timing.median_cpu_ms:7.1f} ms CPU"
              f"  ({timing.median_ms * 1000 / max(timing.due, 1):.0f} µs per due clock; runs {runs} ms)")
    print(f"  ratio {big.open_clocks:,} / {small.open_clocks:,} open: {big.median_ms / small.median_ms:.2f} wall, "
          f"{big.median_cpu_ms / small.median_cpu_ms:.2f} CPU")
    print(f"baselines in this run: SELECT 1 round trip {select_one:.3f} ms; sweep with nothing due {empty:.2f} ms; "
          f"the same rows written bare through sqlite3 {big.median_floor_ms:.1f} ms "
          f"(sweep / bare = {big.median_ms / big.median_floor_ms:.1f})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f} during the run")
    verdict = "met" if big.median_ms < TARGET_MS else "MISSED"
    print(f"target < {TARGET_MS:.0f} ms for {args.due:,} due among {args.open:,} open: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
