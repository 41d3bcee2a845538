"""The per-client sliding-window rate limiter for anonymous endpoints, on an injected monotonic clock."""

from __future__ import annotations

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
