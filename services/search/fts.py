"""The embedded backend: SQLite FTS5 in the search service's own SQLite file (the default).

``case_text`` holds the cut words of each case (title, body, and the extras: number, address, tags) under
the rowid of its ``cases`` row; filters, the caller's scope and facets are SQL over ``cases`` and
``case_departments``. Documents are written in the consumer's transaction, beside the inbox row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.search import store
from services.search.backend import NEWEST, CaseDocument, CasePage, CaseQuery, Hit
from services.search.model import Scope
from services.search.rules import FINISHED_STATUSES
from services.search.segment import Clause, joined
from shared.db import Database

TABLE = "case_text"
# BM25 weights of title, body and extras: a word in the title says more about the case than one in the body.
WEIGHTS = (3.0, 1.0, 2.0)
c = store.cases
d = store.case_departments
HITS = sa.table("search_hits", *(sa.column(name) for name in ("seq", "score", "kind", "status", "at")))


def create_statement(table: str = TABLE) -> str:
    # unicode61 splits on the spaces between our words and keeps CJK runs whole; diacritics are kept so
    # pinyin with tones is not folded into another word.
    return (f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(title, body, extra, "
            "tokenize = 'unicode61 remove_diacritics 0')")


def text_columns(doc: CaseDocument) -> dict[str, str]:
    """The cut words of a document, per FTS5 column (also what Elasticsearch indexes)."""
    return {"title": joined(doc.title), "body": joined(doc.body),
            "extra": joined(" ".join((doc.number, doc.address, *doc.tags)))}


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _clause(clause: Clause) -> str:
    if not clause.parts:
        return _quoted(clause.word)
    return f"({_quoted(clause.word)} OR ({' AND '.join(_quoted(p) for p in clause.parts)}))"


def match_expression(clauses: Sequence[Clause], *, any_clause: bool = False) -> str:
    """The FTS5 MATCH expression of a query: every clause (or, for similar cases, any clause)."""
    return (" OR " if any_clause else " AND ").join(_clause(cl) for cl in clauses)


def scope_conditions(query: CaseQuery, scope: Scope) -> list[Any]:
    """The WHERE conditions of a query's filters and the caller's scope over ``cases``."""
    where: list[Any] = []
    if query.kinds:
        where.append(c.c.kind.in_(query.kinds))
    if query.statuses:
        where.append(c.c.status.in_(query.statuses))
    if query.regions:
        where.append(c.c.region.in_(query.regions))
    if query.since is not None:
        where.append(c.c.at >= query.since)
    if query.until is not None:
        where.append(c.c.at < query.until)
    if query.caller_key:
        where.append(c.c.caller_key == query.caller_key)
    if query.open_only:
        where.append(c.c.status.not_in(FINISHED_STATUSES))
    if query.departments:
        where.append(_in_departments(query.departments))
    if scope.departments is not None:
        where.append(_in_departments(scope.departments) if scope.departments else sa.false())
    if not scope.confidential:
        where.append(c.c.confidential.is_(False))
    return where


def _in_departments(codes: Iterable[str]) -> Any:
    held = d.alias()  # its own name: the department facet joins case_departments to the same query
    return sa.exists().where(held.c.seq == c.c.seq, held.c.department.in_(sorted(codes))).correlate(c)


class FtsBackend:
    """SQLite FTS5 over the service's database file."""

    name = "fts"

    def __init__(self, db: Database) -> None:
        if not db.is_sqlite:
            raise RuntimeError("the fts search backend needs the search service's database on SQLite")
        self.db = db

    # -- writing -----------------------------------------------------------------------------------
    def put(self, conn: Connection, entries: Sequence[tuple[int, CaseDocument]], *, table: str = TABLE) -> None:
        if not entries:
            return
        seqs = [seq for seq, _doc in entries]
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE rowid IN ({','.join('?' * len(seqs))})", tuple(seqs))
        conn.exec_driver_sql(f"INSERT INTO {table} (rowid, title, body, extra) VALUES (?, ?, ?, ?)",
                             [(seq, *text_columns(doc).values()) for seq, doc in entries])

    def rebuild(self, batches: Iterable[Sequence[tuple[int, CaseDocument]]], *,
                progress: Callable[[int], None] | None = None) -> str:
        """Fill a fresh table beside the live one, then swap them in one short transaction; searches go
        on against the old table meanwhile (WAL readers never wait)."""
        fresh = f"{TABLE}_next"
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {fresh}")
            conn.exec_driver_sql(create_statement(fresh))
        for batch in batches:
            with self.db.engine.begin() as conn:
                self.put(conn, batch, table=fresh)
            if progress is not None:
                progress(len(batch))
        with self.db.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
            conn.exec_driver_sql(f"ALTER TABLE {fresh} RENAME TO {TABLE}")
        return TABLE

    def ping(self) -> None:
        with self.db.read() as conn:
            conn.exec_driver_sql(f"SELECT rowid FROM {TABLE} LIMIT 1")

    # -- searching ---------------------------------------------------------------------------------
    def search(self, query: CaseQuery, scope: Scope, *, facets: Sequence[str]) -> CasePage:
        with self.db.read() as conn:
            if query.clauses:
                rows, total, counts = self._matched(conn, query, scope, facets)
            else:
                rows, total, counts = self._filtered(conn, query, scope, facets)
        hits = [Hit(store.document(r), round(float(r.score), 4)) for r in rows]
        return CasePage(hits=hits, total=total, facets=counts)

    @staticmethod
    def _matched(conn: Connection, query: CaseQuery, scope: Scope,
                 facets: Sequence[str]) -> tuple[Sequence[Any], int, dict[str, list[tuple[str, int]]]]:
        """Words: one MATCH pass, ranked and filtered, into a per-connection temporary table; the page, the
        total and the facets read those rows instead of matching (and ranking) again.

        The ``+`` in the join conditions keeps SQLite's planner from driving the join from the 1,000,000
        cases (or their departments) and probing the smaller side: the matches drive, each looks its case
        up by primary key.
        """
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {HITS.name} (seq INTEGER PRIMARY KEY, "
                             "score REAL NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, at TIMESTAMP)")
        conn.exec_driver_sql(f"DELETE FROM {HITS.name}")
        match = sa.text(f"{TABLE} MATCH :match").bindparams(
            match=match_expression(query.clauses, any_clause=query.any_clause))
        ranked = sa.select(c.c.seq, -sa.func.bm25(sa.literal_column(TABLE), *WEIGHTS), c.c.kind, c.c.status,
                           c.c.at) \
            .select_from(sa.table(TABLE).join(c, c.c.seq == sa.literal_column(f"+{TABLE}.rowid"))) \
            .where(match, *scope_conditions(query, scope))
        conn.execute(sa.insert(HITS).from_select(["seq", "score", "kind", "status", "at"], ranked))
        total = int(conn.execute(sa.select(sa.func.count()).select_from(HITS)).scalar_one())
        if not total:
            return [], 0, {}
        order = (HITS.c.at.desc(), HITS.c.seq.desc()) if query.sort == NEWEST else \
            (HITS.c.score.desc(), HITS.c.at.desc())
        page = sa.select(HITS.c.seq).order_by(*order).limit(query.page_size).offset(query.offset).subquery()
        rows = conn.execute(sa.select(c, HITS.c.score.label("score"))
                            .select_from(page.join(HITS, HITS.c.seq == page.c.seq)
                                         .join(c, c.c.seq == sa.literal_column(f"+{HITS.name}.seq")))
                            .order_by(*order)).all()
        counts: dict[str, list[tuple[str, int]]] = {}
        for name in facets:
            if name == "department":
                source: Any = HITS.join(d, d.c.seq == sa.literal_column(f"+{HITS.name}.seq"))
                column: Any = d.c.department
            else:
                source, column = HITS, HITS.c[name]
            counts[name] = _counted(conn, source, [], column)
        return rows, total, counts

    def _filtered(self, conn: Connection, query: CaseQuery, scope: Scope,
                  facets: Sequence[str]) -> tuple[Sequence[Any], int, dict[str, list[tuple[str, int]]]]:
        """No words: filters over ``cases``, newest first."""
        where = scope_conditions(query, scope)
        rows = conn.execute(sa.select(c, sa.literal(0.0).label("score")).where(*where)
                            .order_by(c.c.at.desc(), c.c.seq.desc()).limit(query.page_size)
                            .offset(query.offset)).all()
        total = int(conn.execute(sa.select(sa.func.count()).select_from(c).where(*where)).scalar_one())
        counts = {}
        for name in facets if total else ():
            if name == "department":
                counts[name] = _counted(conn, c.join(d, d.c.seq == c.c.seq), where, d.c.department)
            else:
                counts[name] = _counted(conn, c, where, c.c[name])
        return rows, total, counts



def _counted(conn: Connection, source: Any, where: list[Any], column: Any) -> list[tuple[str, int]]:
    """A facet: the values of ``column`` over the rows, most frequent first."""
    n = sa.func.count().label("n")
    rows = conn.execute(sa.select(column, n).select_from(source).where(*where).group_by(column)
                        .order_by(n.desc(), column).limit(50))
    return [(str(value), int(count)) for value, count in rows if value]
