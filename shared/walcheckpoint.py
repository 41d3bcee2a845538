"""SQLite: checkpoint the write-ahead log in a background thread, not in the thread that commits.

By default SQLite checkpoints inside the commit that takes the WAL past 1,000 pages, so that commit
also copies every page of the log back into the database file and syncs it. A sweep batch touches about
a thousand random clock pages, which made every sweep pay for a checkpoint (a third of its time).
PostgreSQL moves this work to its checkpointer process; this module does the same for SQLite. After a
commit, the database is queued for a PASSIVE checkpoint, which never blocks readers or writers, run by
one daemon thread for the whole process at most every ``MIN_INTERVAL`` seconds, so a burst of commits
costs one checkpoint. SQLite's own automatic checkpoint stays as a backstop at ``BACKSTOP_PAGES``, in case
this thread falls behind or a process writes without units of work.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

BACKSTOP_PAGES = 16_000  # 64 MB of 4 KB pages: the commit checkpoints itself only past this
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024  # a checkpointed WAL file is truncated back to this size
MIN_INTERVAL = 0.25  # seconds between two rounds of checkpoints


def checkpoint(engine: Engine) -> tuple[int, int, int]:
    """Run a PASSIVE checkpoint now; returns SQLite's (busy, frames in the log, frames checkpointed)."""
    raw = engine.raw_connection()
    try:
        # Outside any transaction: a checkpoint inside one finds the database locked.
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, logged, checkpointed = cursor.fetchone() or (0, 0, 0)
        cursor.close()
    finally:
        raw.close()
    return int(busy), int(logged), int(checkpointed)


class Checkpointer:
    """The process's checkpoint thread; started by the first ``request``, a daemon, idle when unused."""

    def __init__(self, *, min_interval: float = MIN_INTERVAL) -> None:
        self.min_interval = min_interval
        self._start_afresh()

    def _start_afresh(self) -> None:
        # Also the child's state after a fork (gunicorn forks after the suite migrated and seeded): the
        # parent's thread does not exist there, so the first request in the child starts its own.
        self._pending: weakref.WeakSet[Engine] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    def request(self, engine: Engine) -> None:
        """Queue ``engine``'s database for a checkpoint (cheap: called after every commit)."""
        with self._lock:
            self._pending.add(engine)
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="duban-wal-checkpoint", daemon=True)
                self._thread.start()
        self._wake.set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued checkpoint ran (tests and benchmarks); False on timeout."""
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                engines = list(self._pending)
                self._pending = weakref.WeakSet()
            for engine in engines:
                try:
                    checkpoint(engine)
                except Exception:  # a disposed or deleted database; the next commit queues it again
                    log.debug("wal checkpoint failed", extra={"database": str(engine.url)}, exc_info=True)
            with self._lock:
                if not self._pending:
                    self._idle.set()
            time.sleep(self.min_interval)  # commits arriving meanwhile share the next round


CHECKPOINTER = Checkpointer()
os.register_at_fork(after_in_child=CHECKPOINTER._start_afresh)
