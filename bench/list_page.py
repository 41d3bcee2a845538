"""Benchmark the staff list pages with 100,000 tickets: each must render in under 300 ms at p95.

Builds the embedded suite (every part, migrated, with the demo data) in a temporary folder, signs in
through the login form, and times pages through the gateway exactly as a browser gets them (session
cookie → gateway page → the hotline's API in-process → HTML), first on the demo data (a handful of
tickets: the baseline, same run), then again after bulk-loading ``--tickets`` tickets (default 100,000)
spread over statuses, departments and 90 days. It prints p50/p95/max per page and the ratio of the
p95s (big / demo), and exits 1 when a page's p95 is over ``--target-ms`` (300).

    .venv/bin/python bench/list_page.py                 # ≈ 1 min
    .venv/bin/python bench/list_page.py --tickets 20000 --requests 30 --json-out list.json
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from werkzeug.test import Client  # noqa: E402

from gateway.embedded import create_suite  # noqa: E402
from gateway.passwords import Passwords  # noqa: E402
from gateway.registry import PARTS  # noqa: E402
from services.hotline import store  # noqa: E402
from shared.bulk import insert_rows  # noqa: E402
from shared.clock import ManualClock  # noqa: E402
from shared.settings import Settings  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
PASSWORD = "duban-demo"
BATCH = 5_000
# (who, page): what staff open all day; the deep page and the filters are where an index is missed.
PAGES = [
    ("dispatcher", "/tickets"),
    ("dispatcher", "/tickets?status=signed"),
    ("dispatcher", "/tickets?department=zjj&overdue=1"),
    ("dispatcher", "/tickets?q=噪音"),
    ("dispatcher", "/tickets?page=2000"),
    ("dispatcher", "/dispatch"),
    ("dispatcher", "/dispatch/callbacks"),
    ("dept-zjj", "/inbox"),
    ("inspector", "/board/cards"),
]
TITLES = ["夜间施工噪音扰民", "小区路灯不亮", "道路井盖缺失", "餐馆油烟扰民", "停水无通知", "公交线路建议",
          "违规收费举报", "电梯频繁故障", "占道经营", "垃圾清运不及时"]


def sign_in(suite: Any, username: str) -> Client:
    client = Client(suite.wsgi)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert token, "the login form carries a CSRF token"
    answer = client.post("/login", data={"csrf_token": token.group(1), "username": username, "password": PASSWORD})
    assert answer.status_code == 302, f"{username} could not sign in"
    return client


def time_pages(suite: Any, requests: int) -> dict[str, list[float]]:
    clients = {who: sign_in(suite, who) for who in {who for who, _ in PAGES}}
    timings: dict[str, list[float]] = {}
    for who, path in PAGES:
        client = clients[who]
        client.get(path).close()  # warm: templates compiled, caches filled
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            body = response.get_data()
            samples.append((time.perf_counter() - started) * 1000)
            response.close()
            if response.status_code != 200:
                raise SystemExit(f"{path} as {who}: HTTP {response.status_code}\n{body[:400]!r}")
        timings[f"{who} {path}"] = samples
    return timings


def load_tickets(suite: Any, count: int, seed: int) -> None:
    """Clone the demo tickets (one per status) into ``count`` rows, with their departments and timelines."""
    rng = random.Random(seed)
    db = suite.contexts["hotline"].db
    with db.read() as conn:
        templates = [dict(r._mapping) for r in conn.execute(sa.select(store.tickets))]
        departments = [r.code for r in conn.execute(sa.select(store.departments.c.code))]
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        tickets, links, steps = [], [], []
        for n in range(first, min(count, first + BATCH)):
            template = rng.choice(templates)
            created = NOW - timedelta(minutes=rng.randrange(90 * 24 * 60))
            ticket_id = str(uuid.uuid4())
            lead = rng.choice(departments) if template["lead_department"] else None
            ticket = {**template, "id": ticket_id, "number": f"2026{n:010d}", "created_at": created,
                      "title": f"{rng.choice(TITLES)}{n}", "lead_department": lead, "co_departments": "[]",
                      "version": 1}
            for key in ("dispatched_at", "sign_due_at", "handle_due_at", "signed_at", "replied_at", "closed_at",
                        "callback_due_at"):
                if ticket[key] is not None:
                    ticket[key] = created + (ticket[key] - template["created_at"])
            tickets.append(ticket)
            if lead:
                links.append({"ticket_id": ticket_id, "department": lead, "role": "lead"})
            steps.append({"ticket_id": ticket_id, "at": created, "actor": "operator", "action": "received",
                          "from_status": None, "to_status": "received", "department": None, "note": "",
                          "data": "{}", "outcome": None})
        with db.engine.begin() as conn:
            insert_rows(conn, store.tickets, tickets)
            insert_rows(conn, store.ticket_departments, links)
            insert_rows(conn, store.timeline, steps)
    sys.stderr.write(f"loaded {count} tickets in {time.perf_counter() - started:.1f} s\n")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page (after one warm-up)")
    parser.add_argument("--target-ms", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # one JSON log line per request would be timed too
    # The SQLite checkpointer may still hold a -wal file for a moment after the suite closes.
    with tempfile.TemporaryDirectory(prefix="duban-bench-list-", ignore_cleanup_errors=True) as folder:
        settings = Settings(data_dir=Path(folder), background_workers=False, demo_password=PASSWORD,
                            log_level="WARNING")
        fast = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))  # the login is not timed
        suite = create_suite(settings, clock=ManualClock(NOW), overrides={"gateway": {"passwords": fast}})
        try:
            for name, part in PARTS.items():
                part.seed_demo(suite.contexts[name])
                suite.runtime.run_until_idle()
            demo = time_pages(suite, args.requests)
            load_tickets(suite, args.tickets, args.seed)
            big = time_pages(suite, args.requests)
        finally:
            suite.close()
    print(f"{'page':<48} {'demo p95':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'ratio':>6}")
    over = []
    report = {}
    for page, samples in big.items():
        ratio = p95(samples) / p95(demo[page])
        print(f"{page:<48} {p95(demo[page]):>9.1f} {median(samples):>8.1f} {p95(samples):>8.1f} "
              f"{max(samples):>8.1f} {ratio:>6.2f}")
        report[page] = {"demo_p95_ms": p95(demo[page]), "p50_ms": median(samples), "p95_ms": p95(samples),
                        "max_ms": max(samples), "ratio_p95": ratio}
        if p95(samples) > args.target_ms:
            over.append(page)
    print(f"tickets: {args.tickets:,}; target p95 < {args.target_ms:.0f} ms; "
          f"{'all pages within it' if not over else 'over: ' + ', '.join(over)}")
    if args.json_out:
        args.json_out.write_text(json.dumps({"tickets": args.tickets, "pages": report}, ensure_ascii=False, indent=2))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
