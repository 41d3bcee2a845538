"""Database access: one engine per service database, and the unit of work.

A unit of work is one transaction. The state change, its outbox events and its audit records are
written in it and commit together, so an acknowledged change never loses its event or its audit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from shared import walcheckpoint
from shared.clock import Clock, SystemClock
from shared.files import private_file
from shared.jsonutil import dumps, json_default
from shared.logs import correlation_id_var
from shared.uow import UnitOfWork

__all__ = ["Database", "create_engine", "dumps", "json_default"]

log = logging.getLogger(__name__)


def _configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, and BEGIN IMMEDIATE for writers so two writers never deadlock
    on a lock upgrade (pysqlite's deferred BEGIN would make the second one fail with SQLITE_BUSY)."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Checkpoints run in a background thread (shared.walcheckpoint); the commit itself checkpoints
        # only if that thread falls far behind.
        cursor.execute(f"PRAGMA wal_autocheckpoint={walcheckpoint.BACKSTOP_PAGES}")
        cursor.execute(f"PRAGMA journal_size_limit={walcheckpoint.JOURNAL_SIZE_LIMIT}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "DEFERRED" if conn.get_execution_options().get("read_only") else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")


def _create_private_sqlite_file(url: str) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask); its -wal and -shm
    files take the database file's mode. A missing folder stays missing: that is a configuration error
    for the readiness check to report, not something to paper over."""
    database = sa.engine.make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:") and Path(database).parent.is_dir():
        private_file(Path(database))


def create_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings this project relies on for SQLite and PostgreSQL."""
    # A failed statement's message would otherwise quote its parameters (caller names, phones, query
    # codes) into every log that records the error.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        _create_private_sqlite_file(url)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return sa.create_engine(url, **kwargs)


class Database:
    """A service's database: the engine, commit listeners, and unit-of-work factory."""

    def __init__(self, url: str, *, service: str, metadata: sa.MetaData,
                 clock: Clock | None = None) -> None:
        self.url = url
        self.service = service
        self.metadata = metadata
        self.clock: Clock = clock or SystemClock()
        self.engine = create_engine(url)
        self._commit_listeners: list[Callable[[], None]] = []

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every unit of work that wrote events (wakes the outbox relay)."""
        self._commit_listeners.append(listener)

    def committed(self, *, wrote_events: bool) -> None:
        """After a unit of work committed: queue a WAL checkpoint (SQLite) and wake the relay."""
        if self.is_sqlite:
            walcheckpoint.CHECKPOINTER.request(self.engine)
        if not wrote_events:
            return
        for listener in self._commit_listeners:
            try:
                listener()
            except Exception:  # a listener must never undo a committed change
                log.exception("commit listener failed")

    def unit_of_work(self, *, actor: str = "system", correlation_id: str | None = None,
                     causation_id: str | None = None) -> UnitOfWork:
        """A unit of work; its correlation id defaults to the one bound to this request or message."""
        if correlation_id is None:
            correlation_id = correlation_id_var.get()
        return UnitOfWork(self, actor=actor, correlation_id=correlation_id, causation_id=causation_id)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction (no write lock on SQLite)."""
        with self.engine.connect().execution_options(read_only=True) as conn, conn.begin():
            yield conn

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()
