"""Publishing, keeping and checking audit chain heads (``shared.events.audit``).

Every service publishes its head through its own outbox; the keeper (monitoring) stores the highest
head it has received per service in ``audit_heads``; ``check_against_kept`` tells whether a chain still
reaches that head. The table is defined here so that ``duban audit verify`` can read it without
importing the keeper's package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from shared.bus.envelope import Event
from shared.events.audit import AuditHeadPublished
from shared.tables import UtcDateTime

KEEPER = "monitoring"  # the service that keeps every service's published heads
PUBLISH_INTERVAL = 300.0  # seconds: "every few minutes"


def add_audit_heads_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "audit_heads", metadata,
        sa.Column("service", sa.String(50), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("reported_at", UtcDateTime(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
    )


AUDIT_HEADS = add_audit_heads_table(sa.MetaData())


def publish_head(db: Any) -> AuditHeadPublished:
    """Write ``<service>.audit.head`` with the current head to the service's outbox."""
    head_t = db.metadata.tables["audit_head"]
    with db.unit_of_work(actor="system") as uow:
        head = uow.conn.execute(sa.select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)).one_or_none()
        seq, hash_ = (int(head.seq), head.hash) if head is not None else (0, "0" * 64)
        event = AuditHeadPublished(service=db.service, seq=seq, hash=hash_, at=uow.now)
        uow.publish(event.routing_key(db.service), event.to_data(), version=event.VERSION)
        uow.commit()
    return event


def keep_head(_context: Any, uow: Any, event: Event) -> None:
    """Keeper's handler: remember the head unless a higher one of that service is already kept.

    A lower head never replaces a higher one: that is exactly what a truncation would send.
    """
    head = AuditHeadPublished.from_event(event)
    producer = event.type.split(".", 1)[0]
    if head.service != producer:  # a service reports only its own chain: never applicable, dead-letter it
        from shared.errors import InvalidInput

        raise InvalidInput(f"{producer} may not report the audit head of {head.service}",
                           {"service": [head.service]})
    table = uow.table("audit_heads")
    kept = uow.conn.execute(sa.select(table.c.seq).where(table.c.service == head.service)).scalar()
    values = {"seq": head.seq, "hash": head.hash, "reported_at": head.at, "received_at": uow.now}
    if kept is None:
        uow.conn.execute(table.insert().values(service=head.service, **values))
    elif head.seq >= kept:
        uow.conn.execute(table.update().where(table.c.service == head.service).values(**values))


@dataclass(frozen=True)
class HeadCheck:
    ok: bool
    kept_seq: int | None
    message: str


def check_against_kept(chain: Any, service: str, kept: Any) -> HeadCheck:
    """Does ``service``'s chain (a connection to its database) still reach the ``kept`` head row?"""
    if kept is None:
        return HeadCheck(True, None, f"no published head of {service} kept yet")
    from shared.audit import AUDIT_HEAD, AUDIT_LOG

    head_seq = chain.execute(sa.select(AUDIT_HEAD.c.seq).where(AUDIT_HEAD.c.id == 1)).scalar() or 0
    if head_seq < kept.seq:
        return HeadCheck(False, kept.seq, f"truncated: the chain ends at seq {head_seq}, but seq {kept.seq} "
                                          f"was published at {kept.reported_at.isoformat()}")
    row_hash = chain.execute(sa.select(AUDIT_LOG.c.hash).where(AUDIT_LOG.c.seq == kept.seq)).scalar()
    if row_hash != kept.hash:
        return HeadCheck(False, kept.seq, f"rewritten: seq {kept.seq} no longer has the hash published "
                                          f"at {kept.reported_at.isoformat()}")
    return HeadCheck(True, kept.seq, f"reaches the head published at {kept.reported_at.isoformat()} "
                                     f"(seq {kept.seq})")


def register_publishing(runtime: Any, databases: dict[str, Any]) -> None:
    """Publish each database's head every ``PUBLISH_INTERVAL`` seconds from ``runtime``."""
    for name, db in databases.items():
        runtime.add_periodic(f"{name}.audit-head", PUBLISH_INTERVAL, lambda db=db: publish_head(db))
