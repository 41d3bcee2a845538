"""Tables every service database has: outbox, inbox, audit log, idempotency keys.

They are defined once here; each service's metadata includes them via ``add_common_tables``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for long-lived logs.
BigSerial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every database.

    SQLite keeps no offset, so values are stored as naive UTC there; a naive value is refused on
    the way in because it is always a bug (whose wall clock would it be?).
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def add_common_tables(metadata: sa.MetaData) -> dict[str, sa.Table]:
    """Define the outbox, inbox, audit and idempotency tables on ``metadata``."""
    outbox = sa.Table(
        "outbox", metadata,
        sa.Column("seq", BigSerial, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("routing_key", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("published_at", UtcDateTime()),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        # After a failed attempt the relay leaves the event alone until then (exponential backoff).
        sa.Column("next_attempt_at", UtcDateTime()),
        sa.Column("dead_at", UtcDateTime()),
        # The relay's scan reads only pending rows; a partial index keeps it proportional to them.
        sa.Index("ix_outbox_pending", "seq",
                 sqlite_where=sa.text("published_at IS NULL AND dead_at IS NULL"),
                 postgresql_where=sa.text("published_at IS NULL AND dead_at IS NULL")),
    )
    inbox = sa.Table(
        "inbox", metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("message_id", sa.String(36), primary_key=True),
        sa.Column("routing_key", sa.String(200), nullable=False),
        sa.Column("processed_at", UtcDateTime(), nullable=False),
    )
    audit_log = sa.Table(
        "audit_log", metadata,
        sa.Column("seq", BigSerial, primary_key=True, autoincrement=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("entity_type", sa.String(100), nullable=False),
        sa.Column("entity_id", sa.String(100), nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("correlation_id", sa.String(64)),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Index("ix_audit_entity", "entity_type", "entity_id"),
    )
    # One row, locked while appending, so concurrent writers extend the chain one at a time.
    audit_head = sa.Table(
        "audit_head", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    idempotency_keys = sa.Table(
        "idempotency_keys", metadata,
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("body", sa.Text),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("completed_at", UtcDateTime()),
    )
    return {
        "outbox": outbox, "inbox": inbox, "audit_log": audit_log,
        "audit_head": audit_head, "idempotency_keys": idempotency_keys,
    }
