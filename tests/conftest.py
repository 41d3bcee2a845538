"""Fixtures every test folder may use."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.backing import postgres_database, postgres_server
from tests.envelope import assert_envelope


def pytest_report_header(config: pytest.Config) -> str:
    return f"CI={os.environ.get('CI', '')!r} (integration tests fail instead of skipping when CI is set)"


@pytest.fixture
def envelope() -> Callable[[Any, int], dict[str, Any]]:
    """``envelope(response, status)`` asserts the one error envelope and returns its body."""
    return assert_envelope


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The local PostgreSQL server's base URL (fails in CI, skips loudly elsewhere, when it is down)."""
    return postgres_server()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    with postgres_database(pg_server) as url:
        yield url
