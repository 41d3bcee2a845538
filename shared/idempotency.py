"""``Idempotency-Key`` for retried writes: the same key and body replays the first response.

The key is claimed before the view runs, so two concurrent retries cannot both execute; a claim
left behind by a crashed request expires after ``STALE_AFTER`` and the retry may then run. The
answer is stored in the same transaction as the change it answers for (``shared.held_commit``): a
crash leaves either both or neither, so a retry at any later time never does the work twice.

Stored answers hold what the first response held (a caller's name, phone, query code), so they are
kept ``DUBAN_IDEMPOTENCY_TTL_HOURS`` (default 24) only: an older key is treated as new, and
``purge_expired`` (a periodic job of every part's event worker) deletes them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Response, current_app, request
from sqlalchemy.exc import IntegrityError

from shared import held_commit
from shared.appcontext import service_db
from shared.auth import current_principal
from shared.errors import Conflict, InvalidInput
from shared.settings import Settings

HEADER = "Idempotency-Key"
STALE_AFTER = timedelta(seconds=60)
DEFAULT_TTL_HOURS = 24
F = TypeVar("F", bound=Callable[..., Any])


def idempotent(view: F) -> F:
    """Decorate a write view (outermost, under the route) to honour ``Idempotency-Key``."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if not key:
            return view(*args, **kwargs)
        if len(key) > 200 or not key.strip():
            raise InvalidInput(f"{HEADER} must be 1–200 characters", {HEADER: ["invalid length"]})
        db = service_db()
        table = db.metadata.tables["idempotency_keys"]
        principal = current_principal()
        scope = principal.username if principal else f"anon:{request.remote_addr}"
        digest = hashlib.sha256(
            f"{request.method} {request.full_path}\n".encode() + request.get_data()).hexdigest()
        claimed_at = db.clock.now()
        replay = _claim(db, table, scope, key, digest, now=claimed_at, ttl=_ttl())
        if replay is not None:
            return replay
        # Only our own claim: a retry may have taken it over (STALE_AFTER) while this request was slow.
        ours = sa.and_(table.c.scope == scope, table.c.key == key, table.c.created_at == claimed_at,
                       table.c.completed_at.is_(None))
        with held_commit.holding(db) as hold:
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except BaseException:
                hold.rollback()
                _release(db, table, ours)
                raise
            if response.status_code >= 400:
                hold.rollback()
                _release(db, table, ours)
                return response
            answer = table.update().where(ours).values(
                status_code=response.status_code, body=response.get_data(as_text=True),
                completed_at=db.clock.now())
            if hold.conn is not None:
                if hold.conn.execute(answer).rowcount != 1:  # taken over: the retry's work is the one that counts
                    hold.rollback()
                    raise Conflict("相同请求已由重试接手 / a retry with this key took this request over")
                hold.commit()
                return response
        with db.engine.begin() as conn:  # the view wrote nothing, or in more than one unit of work
            conn.execute(answer)
        return response

    return wrapper  # type: ignore[return-value]


def _ttl() -> timedelta:
    settings = current_app.config.get("DUBAN_SETTINGS")
    return timedelta(hours=settings.idempotency_ttl_hours if settings is not None else DEFAULT_TTL_HOURS)


def purge_expired(db: Any, ttl: timedelta) -> int:
    """Delete keys and answers older than ``ttl``; returns how many went."""
    table = db.metadata.tables["idempotency_keys"]
    with db.engine.begin() as conn:
        result = conn.execute(table.delete().where(table.c.created_at < db.clock.now() - ttl))
    return int(result.rowcount or 0)


def _claim(db: Any, table: sa.Table, scope: str, key: str, digest: str, *, now: datetime,
           ttl: timedelta) -> Response | None:
    try:
        with db.engine.begin() as conn:
            conn.execute(table.insert().values(scope=scope, key=key, request_hash=digest, created_at=now))
        return None
    except IntegrityError:
        pass
    with db.engine.begin() as conn:
        row = conn.execute(sa.select(table).where(table.c.scope == scope, table.c.key == key)).one()
        if now - row.created_at >= ttl:  # expired: the key starts afresh, whatever it was used for
            conn.execute(table.update().where(table.c.scope == scope, table.c.key == key).values(
                request_hash=digest, created_at=now, status_code=None, body=None, completed_at=None))
            return None
        if row.request_hash != digest:
            raise InvalidInput(f"{HEADER} 已用于另一个请求 / key was used for a different request",
                               {HEADER: ["reused with a different request"]})
        if row.completed_at is not None:
            response = Response(row.body, status=row.status_code, mimetype="application/json")
            response.headers["Idempotent-Replayed"] = "true"
            return response
        if now - row.created_at < STALE_AFTER:
            raise Conflict("相同请求正在处理 / a request with this key is in progress")
        conn.execute(table.update().where(table.c.scope == scope, table.c.key == key)
                     .values(created_at=now))
    return None


def _release(db: Any, table: sa.Table, ours: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(table.delete().where(ours))


PURGE_INTERVAL = 600.0  # seconds between purges of expired answers


def register_purge(runtime: Any, databases: Mapping[str, Any], settings: Settings) -> None:
    """Add a periodic purge of expired answers for each database to ``runtime`` (an EmbeddedRuntime)."""
    ttl = timedelta(hours=settings.idempotency_ttl_hours)
    for name, db in databases.items():
        runtime.add_periodic(f"{name}.idempotency-purge", PURGE_INTERVAL, lambda db=db: purge_expired(db, ttl))
