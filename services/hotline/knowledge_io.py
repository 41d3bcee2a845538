"""Import and export of the knowledge base (CSV or XLSX), for a city moving an existing 知识库 in or out.

Every row is checked first (the article's own rules, the department directory); a file with a bad row
imports nothing unless the caller skips bad rows. Each article is one unit of work (its versions, index
terms, events and audit record together), so an interrupted import leaves whole articles only. A row
whose ``id`` names an existing article updates it (a new draft version), any other row drafts a new one;
an export carries the ids, so a department can export, edit and import its articles again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from services.hotline import knowledge, store
from services.hotline.knowledge_model import Article, ArticleContent, ArticleStatus
from shared.auth import ADMIN, Principal
from shared.errors import InvalidInput, NotFound
from shared.tabular import read_rows, write_rows

if TYPE_CHECKING:
    from services.hotline.handlers import Hotline

COLUMNS = ("id", "department", "category", "question", "answer", "legal_basis", "document_number",
           "effective_from", "review_by", "keywords", "public", "status", "version")
REQUIRED = ("department", "question", "answer", "review_by")
TRUE, FALSE = {"1", "true", "yes", "y", "是", "公开"}, {"", "0", "false", "no", "n", "否", "内部"}
IMPORTER = Principal("cli:knowledge-import", frozenset({ADMIN}), display_name="知识库导入")


@dataclass
class Row:
    line: int
    article_id: str | None
    department: str
    content: ArticleContent


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError(f"public: not a yes/no value: {value!r}")


def _date(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidInput) and exc.errors:
        return "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in sorted(exc.errors.items()))
    return str(exc)


def parse(rows: Iterator[tuple[int, dict[str, str]]], *, today: date, departments: set[str]) -> Parsed:
    """Check every row as the API would; bad rows are named by line number."""
    parsed = Parsed()
    for line, row in rows:
        try:
            missing = [c for c in REQUIRED if not row.get(c, "").strip()]
            if missing:
                raise ValueError(f"missing {', '.join(missing)}")
            department = row["department"].strip()
            if department not in departments:
                raise ValueError(f"department: unknown department {department!r}")
            review_by = _date(row["review_by"], "review_by")
            assert review_by is not None
            content = ArticleContent(
                question=row["question"], answer=row["answer"], review_by=review_by,
                category=row.get("category", ""), legal_basis=row.get("legal_basis", ""),
                document_number=row.get("document_number", ""),
                effective_from=_date(row.get("effective_from", ""), "effective_from"),
                keywords=tuple(k.strip() for k in row.get("keywords", "").replace("；", ";").split(";") if k.strip()),
                public=_flag(row.get("public", ""))).checked(today)
            parsed.rows.append(Row(line, row.get("id", "").strip() or None, department, content))
        except (ValueError, InvalidInput) as exc:
            parsed.bad.append((line, _reason(exc)))
    return parsed


def read(hotline: Hotline, path: Path) -> Parsed:
    with hotline.db.read() as conn:
        codes = set(conn.execute(sa.select(store.departments.c.code).where(store.departments.c.active.is_(True)))
                    .scalars())
    return parse(read_rows(path), today=knowledge.today(hotline), departments=codes)


def store_rows(hotline: Hotline, rows: Iterable[Row], *, publish: bool,
               progress: Callable[[int], object] = lambda _n: None) -> dict[str, int]:
    """Draft (or update) each article, publishing it at once with ``publish``; returns what was done.

    A row equal to what the article already says changes nothing, so importing a file twice is harmless.
    """
    done = {"created": 0, "updated": 0, "unchanged": 0, "published": 0}
    for row in rows:
        existing = _existing(hotline, row.article_id)
        if existing is None:
            article = knowledge.create_article(hotline, principal=IMPORTER, department=row.department,
                                               **_changes(row.content))
            done["created"] += 1
        elif (existing.draft or existing.head).content != row.content:
            article = knowledge.update_article(hotline, principal=IMPORTER, article_id=existing.id,
                                               **_changes(row.content))
            done["updated"] += 1
        else:
            article = existing
            done["unchanged"] += 1
        if publish and article.draft is not None:
            knowledge.publish_article(hotline, principal=IMPORTER, article_id=article.id)
            done["published"] += 1
        progress(1)
    return done


def _existing(hotline: Hotline, article_id: str | None) -> Article | None:
    if article_id is None:
        return None
    try:
        return knowledge.get_article(hotline, principal=IMPORTER, article_id=article_id)
    except NotFound:
        return None


def _changes(content: ArticleContent) -> dict[str, Any]:
    values = content.as_dict()
    values["keywords"] = list(content.keywords)
    return values


def export_rows(hotline: Hotline, *, status: str | None = ArticleStatus.PUBLISHED.value) -> list[list[object]]:
    """Every article version with ``status`` (None: every version), as rows under ``COLUMNS``."""
    v, a = store.knowledge.versions, store.knowledge.articles
    query = (sa.select(v, a.c.department).join(a, a.c.id == v.c.article_id)
             .order_by(a.c.department, v.c.question, v.c.number))
    if status:
        query = query.where(v.c.status == status)
    with hotline.db.read() as conn:
        return [[r.article_id, r.department, r.category, r.question, r.answer, r.legal_basis, r.document_number,
                 r.effective_from.isoformat() if r.effective_from else "", r.review_by.isoformat(),
                 ";".join(json.loads(r.keywords)), "是" if r.public else "否", r.status, r.number]
                for r in conn.execute(query)]


def export(path: Path, rows: Iterable[list[object]]) -> int:
    """Write exported rows to CSV or XLSX (by the file's suffix); returns how many."""
    return write_rows(path, COLUMNS, rows)
