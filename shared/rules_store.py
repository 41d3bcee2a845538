"""Published rule versions in a database: the gateway's own table and each service's replica.

Same shape on both sides, like the entered holiday years (shared/calendar_store.py): the gateway owns
``rules_versions`` and announces each new version as ``gateway.rules.published``; every service keeps
every version in its replica, so a clock can be judged by the version it started under.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from shared.events.gateway import RulesPublished
from shared.jsonutil import dumps
from shared.rules import RuleBook, Sections, validate
from shared.tables import UtcDateTime

if TYPE_CHECKING:
    from shared.bus.envelope import Event
    from shared.db import Database
    from shared.uow import UnitOfWork

TABLE = "rules_versions"
PUBLISHED = RulesPublished.TYPE


def add_rules_versions(metadata: sa.MetaData) -> sa.Table:
    """The ``rules_versions`` table on a service's metadata: one row per published version."""
    return sa.Table(
        TABLE, metadata,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("document", sa.Text, nullable=False),  # JSON
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("published_at", UtcDateTime(), nullable=False),
        sa.Column("published_by", sa.String(100), nullable=False, server_default=""),
    )


def create_rules_versions(op: Any) -> None:
    """Migration helper: the same table in every service's Alembic revision."""
    metadata = sa.MetaData()
    add_rules_versions(metadata).create(op.get_bind())


def read_versions(conn: sa.Connection, table: sa.Table) -> dict[int, dict[str, Any]]:
    rows = conn.execute(sa.select(table.c.version, table.c.document).order_by(table.c.version)).all()
    return {row.version: json.loads(row.document) for row in rows}


def database_rules(db: Database, sections: Sections, *, refresh_seconds: float) -> RuleBook:
    """A rule book reading the versions replicated in ``db`` (re-checked at most every ``refresh_seconds``)."""
    table = db.metadata.tables[TABLE]

    def source() -> tuple[Hashable, dict[int, dict[str, Any]]]:
        with db.read() as conn:
            newest = conn.execute(sa.select(sa.func.max(table.c.version))).scalar()
            return newest, (read_versions(conn, table) if newest else {})

    return RuleBook(sections, source, refresh_seconds=refresh_seconds)


def write_version(conn: sa.Connection, table: sa.Table, entry: RulesPublished, *, at: datetime,
                  by: str = "") -> bool:
    """Store a version unless it is there already (versions never change once published)."""
    if conn.execute(sa.select(table.c.version).where(table.c.version == entry.version)).first():
        return False
    conn.execute(table.insert().values(version=entry.version, note=entry.note, published_at=at, published_by=by,
                                       document=dumps(entry.document)))
    return True


def apply_rules_published(_context: object, uow: UnitOfWork, event: Event) -> None:
    """Add a published version to the replica; a redelivered or late one changes nothing."""
    entry = RulesPublished.from_event(event)
    if not isinstance(entry.document, dict):
        raise ValueError("rules document must be an object")
    write_version(uow.conn, uow.table(TABLE), entry, at=event.occurred_at)


__all__ = ["PUBLISHED", "TABLE", "add_rules_versions", "apply_rules_published", "create_rules_versions",
           "database_rules", "read_versions", "validate", "write_version"]
