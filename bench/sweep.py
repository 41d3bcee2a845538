"""Benchmark the monitoring sweep: its cost must follow the due clocks, not the open ones (DESIGN §5).

Builds a monitoring database (migrated like production) holding ``--open`` running clocks whose next
threshold is in the future plus ``--due`` clocks due now, then times ``sweep()`` over the due set: the
median of ``--runs`` runs, re-arming the due set between runs (the re-arming is not timed). It repeats
everything with a tenth of the open clocks, and prints both timings, their ratio, and three baselines
measured in the same run: a ``SELECT 1`` round trip, a sweep with nothing due, and the same rows written
bare through the driver (no domain logic, no SQLAlchemy, no audit). Target: under 100 ms for 1,000 due
among 1,000,000 open, and flat as the open count grows. The databases are SQLite files in a temporary
folder, or with ``--database-url`` throw-away databases on that PostgreSQL server (the URL names the
database to connect to for creating them), dropped at the end.

    .venv/bin/python bench/sweep.py                       # SQLite: 1,000,000 and 100,000 open, 1,000 due
    .venv/bin/python bench/sweep.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
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
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.monitoring import open_context, store  # noqa: E402
from services.monitoring.handlers import Monitoring  # noqa: E402
from services.monitoring.sweep import SweepResult, sweep  # noqa: E402
from shared import walcheckpoint  # noqa: E402
from shared.bootstrap import Environment  # noqa: E402
from shared.calendar import TimeLimit, WorkCalendar  # noqa: E402
from shared.clock import ManualClock  # noqa: E402
from shared.migrations import upgrade  # noqa: E402
from shared.settings import DISTRIBUTED, Settings  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning
CHUNK = 20_000
DEPARTMENTS = [f"dept{i:02d}" for i in range(50)]
TARGET_MS = 100.0
COLUMNS = [c.name for c in store.clocks.columns]


@dataclass(frozen=True)
class Timing:
    """One size's runs (milliseconds) and what the last sweep issued."""

    open_clocks: int
    due: int
    wall_ms: list[float]
    cpu_ms: list[float]
    floor_ms: list[float]
    result: SweepResult


# -- where the databases live ------------------------------------------------------------------------
class SqliteTarget:
    """SQLite files in a temporary folder, written through SQLAlchemy (as the suite writes them)."""

    name = "SQLite"
    param = "?"
    begin = "BEGIN IMMEDIATE"  # as the suite's engine begins every write
    lock = ""

    def __init__(self, keep: bool) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="duban-bench-sweep-"))
        self.keep = keep

    def create(self, label: str) -> str:
        return f"sqlite:///{self.folder / label}.db"

    def fill(self, monitoring: Monitoring, rows: list[dict[str, Any]]) -> None:
        with monitoring.db.engine.begin() as conn:
            conn.execute(store.clocks.insert(), rows)

    def analyze(self, monitoring: Monitoring) -> None:
        with monitoring.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")

    def after_rearm(self, monitoring: Monitoring) -> None:
        # As the suite's checkpoint thread would between two sweeps (untimed, like VACUUM on PostgreSQL).
        walcheckpoint.CHECKPOINTER.wait_idle(30)
        walcheckpoint.checkpoint(monitoring.db.engine)

    def bare(self, url: str) -> AbstractContextManager[Any]:
        con = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute(f"PRAGMA wal_autocheckpoint={walcheckpoint.BACKSTOP_PAGES}")  # as the suite's connections
        return closing(con)

    @staticmethod
    def instant(moment: datetime) -> Any:
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite format

    @staticmethod
    def update_clocks(cur: Any, rows: list[tuple[Any, ...]]) -> None:
        cur.executemany("UPDATE clocks SET stage = ?3, next_fire_at = ?4, version = version + 1 "
                        "WHERE id = ?1 AND version = ?2", rows)

    @staticmethod
    def insert(cur: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)

    def close(self) -> None:
        if self.keep:
            print(f"databases kept in {self.folder}", file=sys.stderr)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


class PostgresTarget:
    """Throw-away databases on a PostgreSQL server, filled with COPY and dropped at the end."""

    name = "PostgreSQL"
    param = "%s"
    begin = "BEGIN"
    lock = " FOR UPDATE SKIP LOCKED"

    def __init__(self, admin_url: str, keep: bool) -> None:
        import psycopg

        self.psycopg = psycopg
        self.server = admin_url.rsplit("/", 1)[0] + "/"
        self.admin = psycopg.connect(admin_url, autocommit=True)
        self.prefix = f"duban_bench_sweep_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self.keep = keep

    def create(self, label: str) -> str:
        name = f"{self.prefix}_{label}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.server + name

    def fill(self, monitoring: Monitoring, rows: list[dict[str, Any]]) -> None:
        with (self.psycopg.connect(monitoring.db.url) as con, con.cursor() as cur,
              cur.copy(f"COPY clocks ({', '.join(COLUMNS)}) FROM STDIN") as copy):
            for row in rows:
                copy.write_row([row[c] for c in COLUMNS])

    def analyze(self, monitoring: Monitoring) -> None:
        with self.psycopg.connect(monitoring.db.url, autocommit=True) as con:
            con.execute("VACUUM ANALYZE")

    def after_rearm(self, monitoring: Monitoring) -> None:
        # Each run leaves dead rows behind; vacuum them (untimed) so autovacuum does not land in a run.
        with self.psycopg.connect(monitoring.db.url, autocommit=True) as con:
            for table in ("clocks", "cards", "warnings", "outbox", "audit_log", "audit_head"):
                con.execute(f"VACUUM {table}")

    def bare(self, url: str) -> AbstractContextManager[Any]:
        return self.psycopg.connect(url, autocommit=True)

    @staticmethod
    def instant(moment: datetime) -> Any:
        return moment

    # One statement per table, the rows as one JSON parameter: faster here than executemany's pipeline.
    @staticmethod
    def update_clocks(cur: Any, rows: list[tuple[Any, ...]]) -> None:
        cur.execute("UPDATE clocks SET stage = v.stage, next_fire_at = v.next_fire_at, version = clocks.version + 1 "
                    "FROM json_populate_recordset(NULL::clocks, %s) AS v "
                    "WHERE clocks.id = v.id AND clocks.version = v.version",
                    (as_json(("id", "version", "stage", "next_fire_at"), rows),))

    @staticmethod
    def insert(cur: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        names = ", ".join(columns)
        cur.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM json_populate_recordset(NULL::{table}, %s)",
                    (as_json(columns, rows),))

    def close(self) -> None:
        for name in self.created:
            if self.keep:
                print(f"database kept: {self.server}{name}", file=sys.stderr)
            else:
                self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


Target = SqliteTarget | PostgresTarget


def as_json(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    return json.dumps([dict(zip(columns, row, strict=True)) for row in rows], ensure_ascii=False,
                      default=datetime.isoformat)


# -- the data ----------------------------------------------------------------------------------------
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


def chunks(open_clocks: int, due: int, calendar: WorkCalendar, due_ids: list[str]) -> Iterator[list[dict[str, Any]]]:
    """The rows in chunks of ``CHUNK``; the ids of the due ones are appended to ``due_ids``."""
    rng = random.Random(open_clocks)
    total = open_clocks + due
    due_positions = set(rng.sample(range(total), due))
    deadlines: dict[datetime, datetime] = {}

    def due_of(started: datetime) -> datetime:
        # Starts fall on whole hours, so a few dozen calendar answers serve a million rows.
        if started not in deadlines:
            deadlines[started] = calendar.due(started, TimeLimit.workdays(5)).due_at
        return deadlines[started]

    for first in range(0, total, CHUNK):
        rows = []
        for i in range(first, min(total, first + CHUNK)):
            rows.append(clock_row(i, due_now=i in due_positions, rng=rng, due_of=due_of))
            if i in due_positions:
                due_ids.append(rows[-1]["id"])
        yield rows


def build(target: Target, label: str, open_clocks: int, due: int,
          calendar: WorkCalendar) -> tuple[Monitoring, list[str]]:
    """A migrated database with ``open_clocks`` future clocks and ``due`` due ones; returns the due ids."""
    url = target.create(label)
    upgrade("services.monitoring", url)
    settings = Settings(mode=DISTRIBUTED, database_urls={"monitoring": url}, background_workers=False)
    monitoring = open_context(Environment(settings, ManualClock(NOW), calendar))
    total, written, started, due_ids = open_clocks + due, 0, time.perf_counter(), []
    for rows in chunks(open_clocks, due, calendar, due_ids):
        target.fill(monitoring, rows)
        written += len(rows)
        rate = written / max(time.perf_counter() - started, 1e-9)
        print(f"\r  filling {written:,} / {total:,} clocks ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    if total:
        print(file=sys.stderr)
    target.analyze(monitoring)
    return monitoring, due_ids


def rearm(target: Target, monitoring: Monitoring, due_ids: list[str]) -> None:
    """Put the due set back as it was: no signals issued, due again now."""
    c = store.clocks
    with monitoring.db.engine.begin() as conn:
        for table in (store.cards, store.warnings, monitoring.db.metadata.tables["outbox"]):
            conn.execute(table.delete())
        for start in range(0, len(due_ids), 500):
            conn.execute(c.update().where(c.c.id.in_(due_ids[start:start + 500]))
                         .values(stage="none", next_fire_at=NOW - timedelta(seconds=1)))
    target.after_rearm(monitoring)


# -- timing ------------------------------------------------------------------------------------------
def timed(action: Callable[[], object], runs: int,
          before: Callable[[], object] | None = None) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of ``runs`` calls of ``action`` (``before`` runs untimed).

    CPU time is this process's only (a PostgreSQL server's work shows in wall time): it is reported
    because a shared machine's other load inflates wall time, not CPU time.
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


WARNING_COLUMNS = tuple(store.warnings.c.keys())
CARD_COLUMNS = ("id", "color", "source", "rule", "department", "reason", "subject_service", "subject_kind",
                "subject_id", "subject_ref", "clock_id", "status", "issued_at", "issued_by", "acknowledge_note",
                "version")
OUTBOX_COLUMNS = ("id", "routing_key", "body", "created_at", "attempts")


def bare_writes(target: Target, con: Any, result: SweepResult) -> Callable[[], None]:
    """The rows one sweep writes, written straight through the driver with no domain logic, SQLAlchemy or
    audit, each table in the driver's fastest way: the floor this machine puts under the sweep."""
    p = target.param
    now, later = target.instant(NOW), target.instant(NOW + timedelta(days=1))
    iso = NOW.isoformat()

    def event(type_: str, id_: str, clock_id: str, department: str, text: str) -> tuple[Any, ...]:
        body = {"id": str(uuid.uuid4()), "type": type_, "occurred_at": iso, "producer": "monitoring",
                "data": {"id": id_, "clock_id": clock_id, "department": department, "text": text}}
        return str(uuid.uuid4()), type_, json.dumps(body, sort_keys=True, ensure_ascii=False), now, 0

    def run() -> None:
        cur = con.cursor()
        cur.execute(target.begin)
        cur.execute(f"SELECT * FROM clocks WHERE state = 'running' AND next_fire_at <= {p} "
                    f"ORDER BY next_fire_at LIMIT {p}{target.lock}", (now, result.examined))
        rows = cur.fetchall()
        target.update_clocks(cur, [(r[0], r[20], "reminded", later) for r in rows])
        warnings = [(str(uuid.uuid4()), r[0], r[6], r[1], r[2], r[3], r[4], r[5], r[10], now,
                     f"{r[4]} 办理时限将于{r[10]}到期 / handle limit due at {r[10]}") for r in rows[:result.warnings]]
        target.insert(cur, "warnings", WARNING_COLUMNS, warnings)
        carded = rows[result.warnings:][:result.yellows] + rows[:result.reds]
        cards = [(str(uuid.uuid4()), "yellow" if i < result.yellows else "red", "auto", "due", r[6],
                  f"{r[4]} 办理时限已于{r[10]}到期未办结", r[1], r[2], r[3], r[4], r[0], "issued", now, "system:sweep",
                  "", 1) for i, r in enumerate(carded)]
        target.insert(cur, "cards", CARD_COLUMNS, cards)
        events = [event("monitoring.warning.issued", w[0], w[1], w[2], w[10]) for w in warnings]
        events += [event("monitoring.card.issued", c[0], c[10], c[4], c[5]) for c in cards]
        target.insert(cur, "outbox", OUTBOX_COLUMNS, events)
        cur.execute("COMMIT")
        cur.close()

    return run


def measure(target: Target, label: str, open_clocks: int, due: int, runs: int, calendar: WorkCalendar) -> Timing:
    print(f"{target.name}: {open_clocks:,} open clocks, {due:,} due:", file=sys.stderr)
    monitoring, due_ids = build(target, label, open_clocks, due, calendar)
    try:
        results: list[SweepResult] = []

        def again() -> None:
            rearm(target, monitoring, due_ids)

        again()
        sweep(monitoring, now=NOW)  # warm-up: page cache and statement caches, as in a long-running sweeper
        wall, cpu = timed(lambda: results.append(sweep(monitoring, now=NOW)), runs, before=again)
        assert all(r.examined == due for r in results), results
        with target.bare(monitoring.db.url) as con:
            floor, _ = timed(bare_writes(target, con, results[-1]), runs, before=again)
        return Timing(open_clocks, due, wall, cpu, floor, results[-1])
    finally:
        monitoring.db.dispose()


def baselines(target: Target, calendar: WorkCalendar, runs: int) -> tuple[float, float]:
    """``SELECT 1`` round trip and a sweep with nothing due, on a database of the same schema."""
    monitoring, _ = build(target, "empty", 0, 0, calendar)
    try:
        with monitoring.db.engine.connect() as conn:
            select_one = median(timed(lambda: conn.exec_driver_sql("SELECT 1").scalar(), runs * 20)[0])
        empty = median(timed(lambda: sweep(monitoring, now=NOW), runs * 5)[0])
        return select_one, empty
    finally:
        monitoring.db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=1_000_000, help="open clocks not yet due (default 1,000,000)")
    parser.add_argument("--due", type=int, default=1_000, help="clocks due now (default 1,000)")
    parser.add_argument("--runs", type=int, default=7, help="timed sweeps per size (default 7)")
    parser.add_argument("--database-url", help="a PostgreSQL server to create throw-away databases on, as "
                        "postgresql://user@host:port/<database to connect to> (default: SQLite files)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    calendar = WorkCalendar()
    target: Target = (PostgresTarget(args.database_url, args.keep) if args.database_url
                      else SqliteTarget(args.keep))
    try:
        big = measure(target, "big", args.open, args.due, args.runs, calendar)
        small = measure(target, "small", max(args.open // 10, 1), args.due, args.runs, calendar)
        select_one, empty = baselines(target, calendar, args.runs)
    finally:
        target.close()
    r = big.result
    print(f"{target.name}: sweep of {args.due:,} due clocks (median of {args.runs}; each run issues "
          f"{r.warnings} reminders, {r.yellows} yellow and {r.reds} red cards)")
    for t in (big, small):
        runs = ", ".join(f"{ms:.0f}" for ms in t.wall_ms)
        print(f"  {t.open_clocks:>10,} open: {median(t.wall_ms):7.1f} ms wall, {median(t.cpu_ms):7.1f} ms CPU, "
              f"best {min(t.wall_ms):.1f} ms  ({median(t.wall_ms) * 1000 / max(t.due, 1):.0f} µs per due clock; "
              f"runs {runs} ms)")
    print(f"  ratio {big.open_clocks:,} / {small.open_clocks:,} open: {median(big.wall_ms) / median(small.wall_ms):.2f}"
          f" wall, {median(big.cpu_ms) / median(small.cpu_ms):.2f} CPU")
    print(f"baselines in this run: SELECT 1 round trip {select_one:.3f} ms; sweep with nothing due {empty:.2f} ms; "
          f"the same rows written bare through the driver {median(big.floor_ms):.1f} ms "
          f"(best {min(big.floor_ms):.1f}) "
          f"(sweep / bare = {median(big.wall_ms) / median(big.floor_ms):.1f})")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f} during the run")
    verdict = "met" if median(big.wall_ms) < TARGET_MS else "MISSED"
    print(f"target < {TARGET_MS:.0f} ms for {args.due:,} due among {args.open:,} open: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
