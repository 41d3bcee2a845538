"""Knowledge-base search (知识库检索) latency against a LIKE scan, measured in the same run.

Builds a migrated hotline database (SQLite, or PostgreSQL with --url), fills it with N published
articles made from the demo set (each demo article once per district, with the district's name in the
question), and times the term-index search against the naive alternative, a LIKE scan over question
and answer for every query word. Prints milliseconds per query and the ratio.

    .venv/bin/python bench/knowledge_search.py --articles 5000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from services.hotline.knowledge_demo import ARTICLES
from services.hotline.knowledge_model import Article, ArticleContent
from services.hotline.knowledge_search import SearchScope, TermIndex, query_groups
from services.hotline.knowledge_store import ArticleRepository
from services.hotline.store import knowledge
from shared.db import create_engine
from shared.migrations import upgrade

NOW = datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
QUERIES = ["公积金提取", "社保卡丢了怎么办", "驾照到期", "停水", "油烟扰民", "新生儿落户", "网约车", "暖气不热",
           "拖欠工资", "低保申请"]


class Editor:
    username = "bench"
    departments = frozenset({a[0] for a in ARTICLES})


def fill(engine: sa.Engine, n: int) -> None:
    index = TermIndex(knowledge)
    with engine.begin() as conn:
        repo = ArticleRepository(conn, search=index)
        for i in range(n):
            dept, category, question, answer, (basis, number), words, public, _days = ARTICLES[i % len(ARTICLES)]
            article = Article.create(
                id=f"b{i}", department=dept, actor=Editor(), may_write_any=True, now=NOW, today=NOW.date(),
                content=ArticleContent(question=f"第{i // len(ARTICLES)}区：{question}", answer=answer,
                                       review_by=date(2027, 6, 30), category=category, legal_basis=basis,
                                       document_number=number, keywords=tuple(words.split(";")), public=public))
            article.publish(actor=Editor(), now=NOW, today=NOW.date(), tz=NOW.tzinfo)  # type: ignore[arg-type]
            repo.add(article)


def like_scan(conn: sa.Connection, query: str) -> int:
    """The baseline: every version whose question or answer contains any query word (or a synonym)."""
    v = knowledge.versions
    words = [w for g in query_groups(query) for w in g]
    found = conn.execute(sa.select(v.c.article_id).where(v.c.status == "published", sa.or_(
        *(v.c.question.contains(w) for w in words), *(v.c.answer.contains(w) for w in words))))
    return len(found.all())


def timed(run, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for q in QUERIES:
            run(q)
        samples.append((time.perf_counter() - start) / len(QUERIES) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--url", help="a PostgreSQL database to use (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'hotline.db'}"
        upgrade("services.hotline", url)
        engine = create_engine(url)
        started = time.perf_counter()
        fill(engine, args.articles)
        print(f"indexed {args.articles} articles in {time.perf_counter() - started:.1f} s")
        index = TermIndex(knowledge)
        with engine.connect() as conn:
            search = timed(lambda q: index.search(conn, q, SearchScope()), args.rounds)
            scan = timed(lambda q: like_scan(conn, q), args.rounds)
            hits = {q: len(index.search(conn, q, SearchScope())) for q in QUERIES}
        engine.dispose()
    print(f"term index: {search:.2f} ms/query   LIKE scan: {scan:.2f} ms/query   ratio {scan / search:.2f}x")
    print("hits per query:", hits)


if __name__ == "__main__":
    main()
