"""The embedded runtime: relays every service's outbox in a background thread, woken on commit.

It also runs periodic jobs (e.g. the monitoring sweep). A distributed event worker runs one too, for its
service's relay and gauges. Tests skip the thread and call ``run_until_idle`` to deliver everything
deterministically.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.bus.outbox import OutboxRelay

log = logging.getLogger(__name__)


@dataclass
class _Periodic:
    name: str
    interval: float
    job: Callable[[], object]
    next_at: float = 0.0


class EmbeddedRuntime:
    def __init__(self, *, poll_interval: float = 1.0) -> None:
        self.relays: list[OutboxRelay] = []
        self._periodic: list[_Periodic] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._drain_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.poll_interval = poll_interval

    def add_relay(self, relay: OutboxRelay) -> None:
        self.relays.append(relay)
        relay.db.on_commit(self.wake)

    def add_periodic(self, name: str, interval: float, job: Callable[[], object]) -> None:
        self._periodic.append(_Periodic(name, interval, job))

    def wake(self) -> None:
        self._wake.set()

    def run_until_idle(self, max_rounds: int = 1000) -> int:
        """Relay until no service has anything pending; returns how many events were delivered."""
        total = 0
        with self._drain_lock:
            for _ in range(max_rounds):
                delivered = sum(relay.drain() for relay in self.relays)
                total += delivered
                if delivered == 0:
                    break
        return total

    def run_periodic(self, *, force: bool = False) -> None:
        now = time.monotonic()
        for job in self._periodic:
            if force or now >= job.next_at:
                job.next_at = now + job.interval
                try:
                    job.job()
                except Exception:
                    log.exception("periodic job failed", extra={"job": job.name})

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="duban-runtime", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            try:
                self.run_until_idle()
            except Exception:
                log.exception("event relay failed; retrying")
            self.run_periodic()
