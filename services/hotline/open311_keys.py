"""Open311 API keys: issued to a named client by an admin, stored hashed, revoked by name.

A key is 32 random bytes, so a plain SHA-256 of it is enough to store (a slow password hash protects
guessable secrets; nobody guesses 256 random bits). The key itself is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.db import Database
from shared.errors import Conflict, InvalidInput, NotFound
from shared.tables import UtcDateTime

PREFIX = "o311_"
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,49}$")


def key_columns() -> list[sa.Column[Any]]:
    """The columns of ``open311_keys`` (the table and its migration, 0004)."""
    return [
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hint", sa.String(12), nullable=False),    # the key's first characters, to tell keys apart
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", UtcDateTime()),
        sa.Column("revoked_by", sa.String(100)),
    ]


def add_key_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("open311_keys", metadata, *key_columns())


@dataclass(frozen=True)
class ApiKey:
    name: str
    hint: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "hint": self.hint, "created_at": self.created_at,
                "created_by": self.created_by, "revoked_at": self.revoked_at, "active": self.active}


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _table() -> sa.Table:
    from services.hotline.store import open311_keys  # store builds its metadata with add_key_table

    return open311_keys


def create_key(db: Database, *, name: str, actor: str) -> tuple[ApiKey, str]:
    """Issue a key to client ``name``; returns the record and the key (shown this once only)."""
    if not NAME.match(name):
        raise InvalidInput("名称应为 2–50 个小写字母、数字或 . _ - / name: 2–50 of a-z 0-9 . _ -",
                           {"name": ["2–50 lowercase letters, digits, '.', '_' or '-'"]})
    key = PREFIX + secrets.token_urlsafe(32)
    t = _table()
    with db.unit_of_work(actor=actor) as uow:
        if uow.conn.execute(sa.select(t.c.name).where(t.c.name == name)).first():
            raise Conflict(f"已有名为 {name} 的密钥 / a key named {name} exists (names are never reused)",
                           {"name": ["taken"]})
        record = ApiKey(name=name, hint=key[:len(PREFIX) + 4], created_at=uow.now, created_by=actor)
        uow.conn.execute(t.insert().values(name=name, key_hash=_hash(key), hint=record.hint,
                                           created_at=record.created_at, created_by=actor))
        uow.audit("open311_key.created", "open311_key", name, before=None, after=record.as_dict())
        uow.commit()
    return record, key


def list_keys(db: Database) -> list[ApiKey]:
    t = _table()
    with db.read() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.created_at, t.c.name)).all()
    return [ApiKey(r.name, r.hint, r.created_at, r.created_by, r.revoked_at) for r in rows]


def revoke_key(db: Database, *, name: str, actor: str) -> ApiKey:
    """Revoke client ``name``'s key: every later request with it is refused (403)."""
    t = _table()
    with db.unit_of_work(actor=actor) as uow:
        row = uow.conn.execute(sa.select(t).where(t.c.name == name)).first()
        if row is None:
            raise NotFound(f"没有名为 {name} 的密钥 / no key named {name}", {"name": [name]})
        before = ApiKey(row.name, row.hint, row.created_at, row.created_by, row.revoked_at)
        if not before.active:
            return before
        uow.conn.execute(t.update().where(t.c.name == name).values(revoked_at=uow.now, revoked_by=actor))
        after = ApiKey(row.name, row.hint, row.created_at, row.created_by, uow.now)
        uow.audit("open311_key.revoked", "open311_key", name, before=before.as_dict(), after=after.as_dict())
        uow.commit()
    return after


def client_of(db: Database, key: str) -> str | None:
    """The client name of an active ``key``, or None (unknown or revoked)."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    digest = _hash(key)
    t = _table()
    with db.read() as conn:
        row = conn.execute(sa.select(t.c.name, t.c.key_hash, t.c.revoked_at).where(t.c.key_hash == digest)).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, digest):
        return None
    return str(row.name)
