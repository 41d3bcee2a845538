"""The per-client sliding-window rate limiter for anonymous endpoints, on an injected monotonic clock."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared import ratelimit
from shared.errors import RateLimited
from shared.http_errors import status_of
from shared.ratelimit import RateLimiter


class Ticker:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


def test_a_client_gets_its_quota_and_then_429(ticker):
    limiter = RateLimiter(3, monotonic=ticker)
    for _ in range(3):
        limiter.hit("203.0.113.7")

    with pytest.raises(RateLimited) as raised:
        limiter.hit("203.0.113.7")

    assert status_of(raised.value) == 429
    assert raised.value.retry_after >= 1


def test_waiting_retry_after_seconds_is_enough(ticker):
    limiter = RateLimiter(3, monotonic=ticker)
    for step in (0, 10, 20):
        ticker.now = 1000.0 + step
        limiter.hit("a")
    ticker.now = 1030.0
    with pytest.raises(RateLimited) as raised:
        limiter.hit("a")

    ticker.now += raised.value.retry_after
    limiter.hit("a")

    assert 30 <= raised.value.retry_after <= 31  # the oldest hit leaves the window 30 s later


def test_the_window_slides_so_old_hits_stop_counting(ticker):
    limiter = RateLimiter(2, monotonic=ticker)
    limiter.hit("a")
    ticker.now += 59.9
    limiter.hit("a")
    with pytest.raises(RateLimited):
        limiter.hit("a")

    ticker.now += 0.1  # the first hit is now exactly a window old
    limiter.hit("a")


def test_refused_requests_do_not_extend_the_block(ticker):
    limiter = RateLimiter(1, monotonic=ticker)
    limiter.hit("a")
    for _ in range(10):
        ticker.now += 5
        with pytest.raises(RateLimited):
            limiter.hit("a")

    ticker.now += 10  # 60 s after the only accepted hit
    limiter.hit("a")


def test_clients_are_counted_separately(ticker):
    limiter = RateLimiter(1, monotonic=ticker)
    limiter.hit("203.0.113.7")

    limiter.hit("198.51.100.9")

    with pytest.raises(RateLimited):
        limiter.hit("203.0.113.7")


def test_the_window_length_is_configurable(ticker):
    limiter = RateLimiter(1, window=10.0, monotonic=ticker)
    limiter.hit("a")
    ticker.now += 9.5
    with pytest.raises(RateLimited) as raised:
        limiter.hit("a")

    ticker.now += 0.5
    limiter.hit("a")

    assert raised.value.retry_after == 1


def test_a_flood_of_distinct_clients_makes_the_limiter_forget_rather_than_grow(ticker, monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_CLIENTS", 5)
    limiter = RateLimiter(1, monotonic=ticker)
    limiter.hit("victim")
    for n in range(6):
        limiter.hit(f"flood-{n}")

    limiter.hit("flood-extra")  # more than MAX_CLIENTS known: memory is cleared
    limiter.hit("victim")

    with pytest.raises(RateLimited):
        limiter.hit("victim")


def test_a_zero_limit_is_refused_cleanly_rather_than_crashing(ticker):
    with pytest.raises((ValueError, RateLimited)):
        RateLimiter(0, monotonic=ticker).hit("a")


# -- shared counters (Redis, distributed mode) ---------------------------------------------------

def _apps_sharing(redis_url: str, prefix: str, n: int, per_minute: int) -> list[Any]:
    """``n`` apps as n gunicorn workers or edges would build them: one Redis, one key prefix."""
    from flask import Flask

    from shared.ratelimit import rate_limiter
    from shared.settings import Settings

    settings = Settings(mode="distributed", redis_url=redis_url, redis_prefix=prefix)
    return [rate_limiter(Flask(f"worker{i}"), settings, per_minute, scope="public-status") for i in range(n)]


@pytest.mark.integration
def test_a_limit_counted_in_redis_holds_across_workers() -> None:
    from tests.backing import redis_server

    workers = _apps_sharing(redis_server(), f"duban-test-{uuid.uuid4().hex[:8]}", 3, per_minute=5)

    for n in range(5):
        workers[n % 3].hit("203.0.113.9")
    for worker in workers:
        with pytest.raises(RateLimited) as raised:
            worker.hit("203.0.113.9")
        assert 1 <= raised.value.retry_after <= 61
    workers[0].hit("203.0.113.10")  # another client has its own allowance


def test_the_embedded_mode_counts_in_the_process() -> None:
    from flask import Flask

    from shared.ratelimit import rate_limiter
    from shared.settings import Settings

    assert isinstance(rate_limiter(Flask("embedded"), Settings(), 5, scope="login"), RateLimiter)


def test_an_unreachable_redis_falls_back_to_a_limit_in_the_process() -> None:
    [worker] = _apps_sharing("redis://127.0.0.1:1/0", "duban-test-down", 1, per_minute=2)

    worker.hit("a")
    worker.hit("a")
    with pytest.raises(RateLimited):
        worker.hit("a")
