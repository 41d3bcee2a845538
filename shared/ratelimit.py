"""Rate limiting for anonymous endpoints (per client, sliding one-minute window).

Counts live in the process; in distributed mode the gateway applies the same limit in front, so a
client spread over workers is still bounded by workers × limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from shared.errors import RateLimited

MAX_CLIENTS = 100_000


class RateLimiter:
    def __init__(self, per_minute: int, *, window: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("the rate limit must allow at least one request per window")
        self.per_minute = per_minute
        self.window = window
        self._monotonic = monotonic
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, client: str) -> None:
        """Count one request by ``client``; raise RateLimited (429) past the limit."""
        now = self._monotonic()
        with self._lock:
            if len(self._hits) > MAX_CLIENTS:  # bounded memory under a flood of distinct clients
                self._hits.clear()
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.per_minute:
                retry = int(hits[0] + self.window - now) + 1
                raise RateLimited("查询过于频繁，请稍后再试 / too many requests, try again later", retry)
            hits.append(now)
