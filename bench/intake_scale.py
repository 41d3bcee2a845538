"""Does filing (受理) stay flat as the tickets pile up? And what does a filing spend its time on?

Files tickets through the use case (``handlers.file_ticket``, one thread, the hotline's own SQLite file)
on an empty database, then seeds the tables in bulk up to ``--tickets`` (default 1,000,000: tickets, their
keyword index, timeline, outbox and audit rows, as a year of filings leaves them), and files the same kind
of tickets again. The ratio of the two rates is the figure (target ≥ 0.9). A cProfile of the filings on the
empty database shows where a filing's time goes.

    .venv/bin/python bench/intake_scale.py [--tickets 1000000] [--filings 1500] [--profile-lines 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake import ticket_body

from services.hotline import handlers, open_context, store
from services.hotline.cli import OPERATOR_USER
from shared.bootstrap import Environment
from shared.migrations import migrate_service
from shared.settings import Settings
from shared.text import keywords


def bodies(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    callers = [f"139{rng.randrange(10**8):08d}" for _ in range(50)]
    return [json.loads(ticket_body(rng, callers)) for _ in range(count)]


def file_all(hotline: handlers.Hotline, batch: list[dict[str, Any]]) -> dict[str, float]:
    started = time.perf_counter()
    for body in batch:
        handlers.file_ticket(hotline, principal=OPERATOR_USER, **body)
    seconds = time.perf_counter() - started
    return {"filings": len(batch), "seconds": round(seconds, 2), "per_s": round(len(batch) / seconds, 1)}


def seed(hotline: handlers.Hotline, total: int, seed_value: int) -> float:
    """Bulk rows up to ``total`` tickets, shaped like the filed ones (a prototype row varied per ticket)."""
    db = hotline.db
    started = time.perf_counter()
    with db.engine.connect() as conn:
        prototype = dict(conn.execute(store.tickets.select().limit(1)).one()._mapping)
        existing = conn.exec_driver_sql("SELECT count(*) FROM tickets").scalar_one()
    texts = bodies(500, seed_value + 1)
    words = [sorted(keywords(f"{b['title']} {b['content']}")) for b in texts]
    rng = random.Random(seed_value)
    base = datetime(2025, 11, 1, tzinfo=UTC)
    batch = 20_000
    timeline, outbox, audit, keyword_table = (db.metadata.tables[name] for name in
                                              ("ticket_timeline", "outbox", "audit_log", "ticket_keywords"))
    with db.engine.connect() as conn:
        last_audit = conn.exec_driver_sql("SELECT COALESCE(MAX(seq), 0) FROM audit_log").scalar_one()
    for first in range(existing, total, batch):
        tickets, keys, entries, events, records = [], [], [], [], []
        for n in range(first, min(first + batch, total)):
            ticket_id = str(uuid.UUID(int=rng.getrandbits(128)))
            created = base + timedelta(seconds=n * 30)
            body = texts[n % len(texts)]
            tickets.append({**prototype, "id": ticket_id, "number": f"S{n:012d}", "title": body["title"],
                            "content": body["content"], "created_at": created})
            keys.extend({"keyword": k, "ticket_id": ticket_id, "created_at": created} for k in words[n % len(words)])
            entries.append({"ticket_id": ticket_id, "at": created, "actor": "operator", "action": "received",
                            "from_status": None, "to_status": "received", "department": None, "note": "",
                            "data": "{}", "outcome": None})
            events.append({"id": str(uuid.uuid4()), "routing_key": "hotline.ticket.received", "body": "{}",
                           "created_at": created, "published_at": created, "attempts": 1})
            last_audit += 1
            records.append({"seq": last_audit, "at": created, "actor": "user:operator", "action": "ticket.received",
                            "entity_type": "ticket", "entity_id": ticket_id, "before": None, "after": "{}",
                            "correlation_id": None, "prev_hash": "0" * 64, "hash": "0" * 64})
        with db.engine.begin() as conn:
            conn.execute(store.tickets.insert(), tickets)
            conn.execute(keyword_table.insert(), keys)
            conn.execute(timeline.insert(), entries)
            conn.execute(outbox.insert(), events)
            conn.execute(audit.insert(), records)
        sys.stderr.write(f"seeded {min(first + batch, total):,}/{total:,} ({time.perf_counter() - started:.0f} s)\n")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_head SET seq = ?", (last_audit,))
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def profile_lines(profile: cProfile.Profile, lines: int) -> list[str]:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats("cumulative").print_stats(lines)
    return [line for line in out.getvalue().splitlines() if line.strip()][-lines - 1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--filings", type=int, default=1500)
    parser.add_argument("--profile-lines", type=int, default=25)
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args(argv)
    os.environ.setdefault("DUBAN_LOG_LEVEL", "WARNING")
    folder = Path(tempfile.mkdtemp(prefix="duban-intake-scale-"))
    settings = Settings(data_dir=folder, background_workers=False, log_level="WARNING")
    migrate_service("services.hotline", "hotline", settings)
    hotline = open_context(Environment(settings))
    keywords("预热分词")
    warm, empty_batch, full_batch = bodies(200, args.seed), bodies(args.filings, args.seed + 2), \
        bodies(args.filings, args.seed + 3)
    file_all(hotline, warm)
    profile = cProfile.Profile()
    profile.enable()
    at_start = file_all(hotline, empty_batch)
    profile.disable()
    seeded_s = seed(hotline, args.tickets, args.seed)
    at_scale = file_all(hotline, full_batch)
    # The profiled run is slower than a plain one: the empty rate is measured again without the profiler,
    # on a fresh database, right after the run at scale, so the ratio compares like with like.
    fresh = Settings(data_dir=folder / "fresh", background_workers=False, log_level="WARNING")
    migrate_service("services.hotline", "hotline", fresh)
    clean = open_context(Environment(fresh))
    file_all(clean, warm)
    at_empty = file_all(clean, empty_batch)
    result = {"bench": "intake_scale", "tickets_seeded": args.tickets, "seed_seconds": round(seeded_s, 1),
              "at_empty": at_empty, "at_scale": at_scale,
              "ratio_scale_over_empty": round(at_scale["per_s"] / at_empty["per_s"], 3), "target": ">= 0.9",
              "profiled_at_empty": at_start,
              "profile_empty_cumulative": profile_lines(profile, args.profile_lines)}
    hotline.db.dispose()
    clean.db.dispose()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
