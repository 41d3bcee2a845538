"""Rate limiting for anonymous endpoints and logins (per client, sliding one-minute window).

Embedded mode counts in the process (one process serves everything). In distributed mode
(``DUBAN_REDIS_URL`` set) the counts live in Redis through flask-limiter, so a limit holds across
gunicorn workers, processes and edges; nginx in front adds a coarse per-edge flood guard.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask

from shared.errors import RateLimited
from shared.settings import Settings

log = logging.getLogger(__name__)

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


class Limiter(Protocol):
    def hit(self, client: str) -> None: ...


class SharedRateLimiter:
    """The same contract as RateLimiter, counted in Redis by flask-limiter's moving-window strategy."""

    def __init__(self, limiter: Any, per_minute: int, *, scope: str, prefix: str) -> None:
        from limits import RateLimitItemPerMinute

        self._limiter = limiter  # a flask_limiter.Limiter, initialised on the app
        self.item = RateLimitItemPerMinute(per_minute)
        self.scope = scope
        self.prefix = prefix
        # Redis out of reach must not open the door: fall back to counting in this process.
        self._fallback = RateLimiter(per_minute)

    def hit(self, client: str) -> None:
        """Count one request by ``client`` across every process; raise RateLimited (429) past the limit."""
        strategy = self._limiter.limiter
        try:
            allowed = strategy.hit(self.item, self.prefix, self.scope, client)
            if allowed:
                return
            reset_at = strategy.get_window_stats(self.item, self.prefix, self.scope, client).reset_time
        except Exception as exc:  # redis.ConnectionError and friends: count locally until it is back
            log.warning("rate-limit store unreachable; counting in this process",
                        extra={"scope": self.scope, "error": str(exc)})
            self._fallback.hit(client)
            return
        retry = max(1, int(reset_at - time.time()) + 1)
        raise RateLimited("请求过于频繁，请稍后再试 / too many requests, try again later", retry)


def rate_limiter(app: Flask, settings: Settings, per_minute: int, *, scope: str) -> Limiter:
    """The limiter of one endpoint family: in Redis when ``DUBAN_REDIS_URL`` is set, else in-process."""
    if not settings.redis_url:
        return RateLimiter(per_minute)
    from flask_limiter import Limiter as FlaskLimiter

    limiter = app.extensions.get("duban.flask_limiter")
    if limiter is None:
        # No default limits: flask-limiter only supplies the storage and strategy these counters use.
        limiter = FlaskLimiter(key_func=lambda: "", storage_uri=settings.redis_url, strategy="moving-window",
                               key_prefix=settings.redis_prefix, default_limits=[])
        limiter.init_app(app)
        app.extensions["duban.flask_limiter"] = limiter
    return SharedRateLimiter(limiter, per_minute, scope=scope, prefix=settings.redis_prefix)


PUBLIC_LIMITER = "duban.public_limiter"


def install_public_limiter(app: Flask, settings: Settings, *, scope: str) -> None:
    """The counter of a service's anonymous endpoints (``limit_public`` hits it)."""
    app.extensions[PUBLIC_LIMITER] = rate_limiter(app, settings, settings.public_rate_limit, scope=scope)


def limit_public() -> None:
    """Count one anonymous request of this client; 429 past the public limit.

    The client is ``remote_addr`` only: behind nginx, ProxyFix sets it from the one trusted hop (nginx
    replaces any X-Forwarded-For the client sent).
    """
    from flask import current_app, request

    limiter: Limiter = current_app.extensions[PUBLIC_LIMITER]
    limiter.hit(request.remote_addr or "unknown")
