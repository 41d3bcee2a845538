"""The search service's own tables: the case documents (the projection every backend is built from),
their departments, the replicas every consuming service keeps, and the common tables.

The ``cases`` table is the truth of the index: events fold into it inside the consumer's transaction (with
the inbox row), and a backend's index can always be rebuilt from it (``duban search reindex``). In the
embedded mode the FTS5 index ``case_text`` lives in the same SQLite file, written in that same
transaction, so a case is searchable the moment its event is consumed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.search.model import CaseDocument
from services.search.rules import CaseKind
from shared.calendar_store import add_calendar_years
from shared.directory import add_department_replica
from shared.jsonutil import dumps
from shared.repository import Repository
from shared.tables import BigSerial, UtcDateTime, add_common_tables

metadata = sa.MetaData()
common = add_common_tables(metadata)
departments = add_department_replica(metadata)
calendar_years = add_calendar_years(metadata)  # kept like every consuming service's (docs/calendar.md)

cases = sa.Table(
    "cases", metadata,
    sa.Column("seq", BigSerial, primary_key=True, autoincrement=True),   # FTS5 rowid
    sa.Column("key", sa.String(120), nullable=False, unique=True),      # kind:id
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("source_id", sa.String(100), nullable=False),
    sa.Column("number", sa.String(60), nullable=False, server_default=""),
    sa.Column("title", sa.String(300), nullable=False, server_default=""),
    sa.Column("body", sa.Text, nullable=False, server_default=""),
    sa.Column("address", sa.String(300), nullable=False, server_default=""),
    sa.Column("region", sa.String(12)),
    sa.Column("status", sa.String(30), nullable=False, server_default=""),
    sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("tags", sa.Text, nullable=False, server_default="[]"),
    # In their order, the lead department first; case_departments holds the same codes for filtering.
    sa.Column("departments", sa.Text, nullable=False, server_default="[]"),
    sa.Column("caller_key", sa.String(64)),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("status_at", UtcDateTime()),
    sa.Column("updated_at", UtcDateTime()),
    sa.Column("memo", sa.Text, nullable=False, server_default="{}"),
    # When this row was last written (the service's clock): a rebuild re-applies what changed while it ran.
    sa.Column("indexed_at", UtcDateTime(), nullable=False),
    sa.Index("ix_cases_at", "at"),
    sa.Index("ix_cases_indexed_at", "indexed_at"),
    sa.Index("ix_cases_kind_at", "kind", "at"),
    sa.Index("ix_cases_status", "status"),
    sa.Index("ix_cases_region", "region"),
    sa.Index("ix_cases_caller_key", "caller_key", "at"),
)

case_departments = sa.Table(
    "case_departments", metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.ForeignKey("cases.seq"),
              primary_key=True),
    sa.Column("department", sa.String(50), primary_key=True),
    sa.Index("ix_case_departments_department", "department", "seq"),
)

_COLUMNS = ("number", "title", "body", "address", "region", "status", "confidential", "caller_key", "at",
            "status_at", "updated_at")


def _values(doc: CaseDocument) -> dict[str, Any]:
    return {**{name: getattr(doc, name) for name in _COLUMNS}, "key": doc.key, "kind": doc.kind.value,
            "source_id": doc.id, "tags": json.dumps(list(doc.tags), ensure_ascii=False), "memo": dumps(doc.memo),
            "departments": json.dumps(list(doc.departments))}


def document(row: Any) -> CaseDocument:
    m = row._mapping
    return CaseDocument(kind=CaseKind(m["kind"]), id=m["source_id"], departments=tuple(json.loads(m["departments"])),
                        tags=tuple(json.loads(m["tags"])), memo=json.loads(m["memo"]),
                        **{name: m[name] for name in _COLUMNS})


class CaseRepository(Repository):
    """Loads and saves case documents; ``save`` answers the row's ``seq`` (the FTS5 rowid)."""

    def get(self, key: str) -> tuple[int, CaseDocument] | None:
        """The stored document of ``key``; on PostgreSQL its row stays locked until the unit of work ends,
        so two workers folding events of one case take turns (SQLite writers are serialised already)."""
        statement = sa.select(cases).where(cases.c.key == key)
        if self.conn.dialect.name != "sqlite":
            statement = statement.with_for_update()
        row = self.conn.execute(statement).first()
        if row is None:
            return None
        return row.seq, document(row)

    def save(self, seq: int | None, doc: CaseDocument, *, now: datetime) -> int:
        values = {**_values(doc), "indexed_at": now}
        if seq is None:
            seq = self.conn.execute(cases.insert().values(**values).returning(cases.c.seq)).scalar_one()
        else:
            self.conn.execute(cases.update().where(cases.c.seq == seq).values(**values))
            self.conn.execute(case_departments.delete().where(case_departments.c.seq == seq))
        if doc.departments:
            self.conn.execute(case_departments.insert(),
                              [{"seq": seq, "department": d} for d in dict.fromkeys(doc.departments)])
        return seq


def batches(conn: Connection, size: int = 2000, *,
            since: datetime | None = None) -> Iterator[list[tuple[int, CaseDocument]]]:
    """Every stored document (written at ``since`` or later) with its ``seq``, in batches, by keyset
    pagination (no growing OFFSET)."""
    last = 0
    while True:
        statement = sa.select(cases).where(cases.c.seq > last)
        if since is not None:
            statement = statement.where(cases.c.indexed_at >= since)
        rows = conn.execute(statement.order_by(cases.c.seq).limit(size)).all()
        if not rows:
            return
        yield [(r.seq, document(r)) for r in rows]
        last = rows[-1].seq


def count(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar_one())
