"""Reading and verifying the hash-chained audit trail (DESIGN §7).

``UnitOfWork._append_audit`` writes the chain: every row carries the hash of its predecessor and a
hash of its own fields, and ``audit_head`` (id=1) holds the last seq and hash. ``verify_chain``
recomputes the chain from the rows; ``entity_history`` answers "who changed what" for one record.

The chain proves that no row was edited, removed, inserted or reordered *relative to the head*. An
attacker who can rewrite every later row and the head as well is caught only if the head was also
recorded somewhere they cannot reach (an exported report, another service's log).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.db import Database
from shared.tables import add_common_tables
from shared.uow import GENESIS_HASH, audit_hash

# Rows fetched per round trip while verifying; memory stays flat however long the chain is.
STREAM_BATCH = 1000

# The table definitions are the same in every service, so queries can be built from our own copy
# and work on any service's connection without that service's metadata.
_TABLES = add_common_tables(sa.MetaData())
AUDIT_LOG = _TABLES["audit_log"]
AUDIT_HEAD = _TABLES["audit_head"]


@dataclass(frozen=True)
class ChainReport:
    """Outcome of ``verify_chain``.

    ``checked`` counts the rows found intact before the first fault (all rows when ``ok``);
    ``first_bad_seq`` is the first seq whose row is wrong or missing, or that the head disagrees on.
    """

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify_chain(db: Database) -> ChainReport:
    """Recompute the whole audit chain of ``db`` and compare it with ``audit_head``."""
    with _snapshot(db) as conn:
        head = conn.execute(sa.select(AUDIT_HEAD.c.seq, AUDIT_HEAD.c.hash)
                            .where(AUDIT_HEAD.c.id == 1)).one_or_none()
        # A database nobody audited yet may lack the head row: that is the genesis state.
        head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
        checked, prev_hash = 0, GENESIS_HASH
        with conn.execute(sa.select(AUDIT_LOG).order_by(AUDIT_LOG.c.seq)
                          .execution_options(yield_per=STREAM_BATCH)) as rows:
            for row in rows:
                fault = _row_fault(row._mapping, expected_seq=checked + 1, prev_hash=prev_hash)
                if fault is not None:
                    return ChainReport(ok=False, checked=checked, first_bad_seq=fault[0],
                                       reason=fault[1])
                checked += 1
                prev_hash = row.hash
    if head_seq != checked:
        where = "missing" if head is None else f"at seq {head_seq}"
        return ChainReport(ok=False, checked=checked, first_bad_seq=min(head_seq, checked) + 1,
                           reason=f"audit_head is {where} but the log ends at seq {checked}")
    if head_hash != prev_hash:
        return ChainReport(ok=False, checked=checked, first_bad_seq=head_seq,
                           reason=f"audit_head hash does not match the hash of seq {head_seq}")
    return ChainReport(ok=True, checked=checked)


def _row_fault(row: Any, *, expected_seq: int, prev_hash: str) -> tuple[int, str] | None:
    """Why ``row`` breaks the chain as (first bad seq, reason), or None if it continues it."""
    if row["seq"] != expected_seq:
        return expected_seq, f"seq {expected_seq} is missing (next row is seq {row['seq']})"
    if row["prev_hash"] != prev_hash:
        return expected_seq, f"seq {expected_seq} does not link to the hash of seq {expected_seq - 1}"
    if audit_hash(prev_hash, dict(row)) != row["hash"]:
        return expected_seq, f"seq {expected_seq} was altered: its fields no longer match its hash"
    return None


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """A read-only transaction in which the head and every row are seen as of one instant.

    PostgreSQL's default READ COMMITTED takes a new snapshot per statement, so a commit landing
    between reading the head and reading the rows would look like tampering; REPEATABLE READ
    prevents that. SQLite's deferred read transaction is a snapshot already.
    """
    options: dict[str, Any] = {"read_only": True}
    if not db.is_sqlite:
        options["isolation_level"] = "REPEATABLE READ"
    with db.engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def entity_history(conn: Connection, entity_type: str, entity_id: str) -> list[dict[str, Any]]:
    """Every audit record of one entity, oldest first, with ``before``/``after`` decoded.

    Each entry also lists ``changed``: the top-level fields whose value differs between before and
    after, which is what a "who changed what" view shows first.
    """
    t = AUDIT_LOG
    rows = conn.execute(
        sa.select(t.c.seq, t.c.at, t.c.actor, t.c.action, t.c.entity_type, t.c.entity_id,
                  t.c.before, t.c.after, t.c.correlation_id)
        .where(t.c.entity_type == entity_type, t.c.entity_id == str(entity_id))
        .order_by(t.c.seq))
    history = []
    for row in rows:
        entry = dict(row._mapping)
        entry["before"] = None if row.before is None else json.loads(row.before)
        entry["after"] = None if row.after is None else json.loads(row.after)
        entry["changed"] = changed_fields(entry["before"], entry["after"])
        history.append(entry)
    return history


def changed_fields(before: Any, after: Any) -> list[str]:
    """Top-level keys that differ between two snapshots (all keys of the one present on create/delete)."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    return sorted(k for k in old.keys() | new.keys() if k not in old or k not in new or old[k] != new[k])
