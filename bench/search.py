"""Case search benchmarks, each against a floor measured in the same run (bench/README.md).

    query   p50/p95 of a two-word Chinese query with a filter over N cases (default 1,000,000) on the
            embedded backend (the whole use case: scope, total, facets, page), beside a bare FTS5 MATCH
            of the same words on the same table (the floor).
    index   bulk index rate of 150-character documents, segmentation included, on both backends, beside
            a bare bulk of the same documents already segmented (the floor): executemany into an FTS5
            table, and ``helpers.bulk`` of prepared sources into Elasticsearch (noida-db's engine,
            started here on a free port).

    .venv/bin/python bench/search.py query [--cases 1000000] [--queries 200]
    .venv/bin/python bench/search.py index [--docs 20000] [--backend fts|elasticsearch|both]

The query corpus is built in bulk: each generated text is made of fragments cut once with the project's
segmentation and joined, so a million documents take a minute, not an hour; the queries themselves run
the real code. The index phase cuts every document for real (that is what it measures).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake import DETAILS, DISTRICTS, ESTATES, ROADS, TEMPLATES, TOPICS, WHEN

from services.search.backend import CaseQuery
from services.search.model import CaseDocument, Scope
from services.search.rules import FACETS, CaseKind
from services.search.segment import joined, query_clauses, tokens

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DEPARTMENTS = ["zjj", "cgj", "sthj", "scjg", "swjt", "jtj", "gaj", "wjw", "rsj", "mzj", "jyj", "zrzyj"]
KINDS = [CaseKind.TICKET] * 14 + [CaseKind.CARD, CaseKind.NOTICE, CaseKind.WARNING, CaseKind.INSPECTION]
STATUSES = ["received", "dispatched", "signed", "replied", "closed", "closed", "closed"]
# Two-word queries a caller's words would give: a place word and a problem word.
QUERY_PAIRS = [("小区", "噪音"), ("油烟", "扰民"), ("停水", "小区"), ("路灯", "不亮"), ("电梯", "故障"),
               ("工地", "施工"), ("垃圾", "清运"), ("积水", "路口"), ("物业", "收费"), ("供暖", "温度"),
               ("单车", "盲道"), ("过期", "超市"), ("拖欠", "工资"), ("公交", "线路"), ("窨井", "缺失")]


def text(rng: random.Random, cut: Callable[[str], str] | None = None) -> tuple[str, str, str, str]:
    """A title and a body of about 150 characters in all, from the intake benchmark's vocabulary, and, when
    ``cut`` is given, their words made of the cut of each fragment (template text and slot values)."""
    _type, _urgency, _utility, title_t, content_t = rng.choice(TEMPLATES)
    road, road2 = rng.sample(ROADS, 2)
    slots = {"estate": rng.choice(ESTATES), "road": road, "road2": road2, "no": rng.randint(1, 199),
             "district": rng.choice(DISTRICTS), "when": rng.choice(WHEN), "topic": rng.choice(TOPICS),
             "detail": "".join(rng.sample(DETAILS, 3))}
    extra = "".join(rng.choice(DETAILS) for _ in range(4))
    title, title_words = _compose(title_t, slots, cut)
    body, body_words = _compose(content_t + extra, slots, cut)
    room = 150 - len(title)
    if cut is not None and len(body) > room:  # the words of the cut-off tail go too, near enough
        body_words = " ".join(body_words.split()[:max(1, round(len(body_words.split()) * room / len(body)))])
    return title, body[:room], title_words, body_words


def _compose(template: str, slots: dict[str, Any], cut: Callable[[str], str] | None) -> tuple[str, str]:
    parts, words = [], []
    for literal, field_name, _spec, _conversion in string.Formatter().parse(template):
        for piece in (literal, str(slots[field_name]) if field_name else ""):
            if piece:
                parts.append(piece)
                if cut is not None:
                    words.append(cut(piece))
    return "".join(parts), " ".join(w for w in words if w)


def document(n: int, rng: random.Random, title: str, body: str) -> CaseDocument:
    kind = rng.choice(KINDS)
    lead = rng.choice(DEPARTMENTS)
    at = T0 + timedelta(minutes=n % 500_000)
    return CaseDocument(kind=kind, id=f"b-{n}", at=at, number=f"2026{n:010d}", title=title, body=body,
                        status=rng.choice(STATUSES), departments=(lead,), region=f"1101{n % 16 + 1:02d}",
                        tags=("complaint",), status_at=at, updated_at=at)


# -- query -------------------------------------------------------------------------------------------
def build_corpus(path: Path, cases: int, seed: int) -> None:
    """``cases`` documents into a migrated search database, written in bulk."""
    import sqlalchemy as sa

    from services.search import store
    from shared.db import Database
    from shared.migrations import upgrade

    url = f"sqlite:///{path}"
    upgrade("services.search", url)
    db = Database(url, service="search", metadata=store.metadata)
    rng = random.Random(seed)
    cache: dict[str, str] = {}

    def cut(fragment: str) -> str:  # fragments recur: cut each once
        if fragment not in cache:
            cache[fragment] = joined(fragment)
        return cache[fragment]

    now = datetime.now(UTC)
    batch = 20_000
    started = time.perf_counter()
    for first in range(1, cases + 1, batch):
        rows, departments, texts = [], [], []
        for n in range(first, min(first + batch, cases + 1)):
            title, body, title_words, body_words = text(rng, cut)
            doc = document(n, rng, title, body)
            rows.append({**store._values(doc), "seq": n, "indexed_at": now})
            departments.append({"seq": n, "department": doc.departments[0]})
            texts.append((n, title_words, body_words, f"{doc.number} {' '.join(doc.tags)}"))
        with db.engine.begin() as conn:
            conn.execute(store.cases.insert(), rows)
            conn.execute(store.case_departments.insert(), departments)
            conn.exec_driver_sql("INSERT INTO case_text (rowid, title, body, extra) VALUES (?, ?, ?, ?)", texts)
        progress(f"corpus {min(first + batch - 1, cases):,}/{cases:,} "
                 f"({time.perf_counter() - started:.0f} s)")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO case_text(case_text) VALUES ('optimize')")
        conn.execute(sa.text("ANALYZE"))
    db.dispose()


def bench_query(args: argparse.Namespace) -> dict[str, Any]:
    from services.search import store
    from services.search.fts import FtsBackend, match_expression
    from shared.db import Database

    folder = Path(args.data or tempfile.mkdtemp(prefix="duban-search-bench-"))
    path = folder / f"search-{args.cases}.db"
    if not path.exists():
        build_corpus(path, args.cases, args.seed)
    db = Database(f"sqlite:///{path}", service="search", metadata=store.metadata)
    backend = FtsBackend(db)
    rng = random.Random(args.seed + 1)
    inspector = Scope(departments=None, confidential=False, addresses=False)
    plan = [(rng.choice(QUERY_PAIRS), rng.choice(["kind", "department", "status"])) for _ in range(args.queries)]

    def ours(pair: tuple[str, str], filter_name: str) -> int:
        query = CaseQuery(clauses=query_clauses(" ".join(pair)), **_filter(filter_name))
        return backend.search(query, inspector, facets=FACETS).total

    def bare(pair: tuple[str, str], _filter_name: str) -> int:
        with db.read() as conn:
            return len(conn.exec_driver_sql(
                "SELECT rowid FROM case_text WHERE case_text MATCH ? ORDER BY rank LIMIT 20",
                (match_expression(query_clauses(" ".join(pair))),)).all())

    for pair, filter_name in plan[:10]:  # warm the page cache and jieba
        ours(pair, filter_name), bare(pair, filter_name)
    floor, measured, totals = _timed(bare, plan), _timed(ours, plan), []
    for pair, filter_name in plan[:20]:
        totals.append(ours(pair, filter_name))
    db.dispose()
    return {"phase": "query", "cases": args.cases, "queries": args.queries,
            "ours_ms": _percentiles(measured), "bare_match_ms": _percentiles(floor),
            "p95_ratio_ours_over_bare": round(_p(measured, 95) / _p(floor, 95), 2),
            "median_total_matching": statistics.median(totals), "database": str(path),
            "target": "p95 < 50 ms"}


def _filter(name: str) -> dict[str, Any]:
    return {"kind": {"kinds": ("ticket",)}, "department": {"departments": ("zjj",)},
            "status": {"statuses": ("closed",)}}[name]


def _timed(run: Callable[[tuple[str, str], str], int], plan: list[tuple[tuple[str, str], str]]) -> list[float]:
    times = []
    for pair, filter_name in plan:
        started = time.perf_counter()
        run(pair, filter_name)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _percentiles(values: list[float]) -> dict[str, float]:
    return {"p50": round(_p(values, 50), 2), "p95": round(_p(values, 95), 2), "max": round(max(values), 2)}


# -- index -------------------------------------------------------------------------------------------
def documents(count: int, seed: int) -> list[tuple[int, CaseDocument]]:
    rng = random.Random(seed)
    return [(n, document(n, rng, *text(rng)[:2])) for n in range(1, count + 1)]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rate(run: Callable[[], None], count: int) -> dict[str, float]:
    wall, cpu = time.perf_counter(), _cpu()
    run()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return {"docs_per_s": round(count / wall), "docs_per_cpu_s_here": round(count / cpu) if cpu else 0.0,
            "seconds": round(wall, 2)}


def chunks(entries: list[Any], size: int = 2000) -> Iterator[list[Any]]:
    for first in range(0, len(entries), size):
        yield entries[first:first + size]


def bench_index_fts(entries: list[tuple[int, CaseDocument]]) -> dict[str, Any]:
    from services.search import store
    from services.search.fts import FtsBackend, text_columns
    from shared.db import Database
    from shared.migrations import upgrade

    folder = Path(tempfile.mkdtemp(prefix="duban-search-index-"))
    url = f"sqlite:///{folder / 'search.db'}"
    upgrade("services.search", url)
    db = Database(url, service="search", metadata=store.metadata)
    prepared = [(seq, *text_columns(doc).values()) for seq, doc in entries]   # the floor's input, cut beforehand

    def bare() -> None:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE VIRTUAL TABLE bare USING fts5(title, body, extra, "
                                 "tokenize = 'unicode61 remove_diacritics 0')")
        for batch in chunks(prepared):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO bare (rowid, title, body, extra) VALUES (?, ?, ?, ?)", batch)

    backend = FtsBackend(db)
    floor = _rate(bare, len(entries))
    ours = _rate(lambda: backend.rebuild(chunks(entries)), len(entries))
    db.dispose()
    return {"backend": "fts", "docs": len(entries), "ours": ours, "bare_bulk": floor,
            "ratio_ours_over_bare": round(ours["docs_per_s"] / floor["docs_per_s"], 3)}


def bench_index_elastic(entries: list[tuple[int, CaseDocument]]) -> dict[str, Any]:
    from elasticsearch import helpers

    from services.search.elastic import ElasticBackend, source
    from tests.backing import elasticsearch_engine

    with tempfile.TemporaryDirectory(prefix="duban-es-bench-") as data, elasticsearch_engine(data) as url:
        backend = ElasticBackend.connect(url, alias="bench-cases")
        backend.ensure()
        prepared = [source(seq, doc) for seq, doc in entries]   # the floor's input, cut beforehand

        def bare() -> None:
            helpers.bulk(backend.client, ({"_index": "bench-cases-vbare", "_id": s["key"], "_source": s}
                                          for s in prepared), chunk_size=2000)

        floor = _rate(bare, len(entries))
        ours = _rate(lambda: backend.rebuild(chunks(entries)), len(entries))
        backend.refresh()
        indexed = backend.client.count(index=backend.alias)["count"]
    return {"backend": "elasticsearch (noida-db engine)", "docs": len(entries), "indexed": indexed, "ours": ours,
            "bare_bulk": floor, "ratio_ours_over_bare": round(ours["docs_per_s"] / floor["docs_per_s"], 3)}


def bench_index(args: argparse.Namespace) -> dict[str, Any]:
    entries = documents(args.docs, args.seed)
    tokens("预热分词")  # load jieba's dictionary before any clock starts
    result: dict[str, Any] = {"phase": "index", "docs": args.docs, "chars_per_doc": 150,
                              "target": ">= 2000 docs/s per core and >= 0.5x the bare bulk"}
    if args.backend in ("fts", "both"):
        result["fts"] = bench_index_fts(entries)
        progress("fts done")
    if args.backend in ("elasticsearch", "both"):
        result["elasticsearch"] = bench_index_elastic(entries)
    return result


def progress(line: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r" + line + " " * 10)
    else:
        sys.stderr.write(line + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=["query", "index"])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--backend", choices=["fts", "elasticsearch", "both"], default="both")
    parser.add_argument("--data", help="folder for the query corpus (kept; reused by later runs)")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    os.environ.setdefault("DUBAN_LOG_LEVEL", "WARNING")
    result = bench_query(args) if args.phase == "query" else bench_index(args)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
