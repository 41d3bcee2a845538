"""Real RabbitMQ and PostgreSQL for integration tests.

Each session gets its own RabbitMQ vhost and PostgreSQL database, so runs never see each other's
messages or rows. Unreachable services fail the tests in CI (CI=true) and skip them, loudly, elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pika
import psycopg
import pytest

AMQP_BASE = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PG_BASE = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable ({error}); integration tests need it"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    sys.stderr.write(f"\n*** SKIPPING INTEGRATION TESTS: {message} ***\n")
    pytest.skip(message)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "--quiet", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def _vhost() -> Iterator[str]:
    """A fresh vhost with the project's topology (exchanges, dead-letter queues and policies)."""
    try:
        pika.BlockingConnection(pika.URLParameters(AMQP_BASE)).close()
    except Exception as exc:
        _unavailable("RabbitMQ", exc)
    if shutil.which("rabbitmqctl") is None:
        _unavailable("rabbitmqctl (to create a test vhost)", FileNotFoundError("rabbitmqctl"))
    vhost = f"duban-test-{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    url = AMQP_BASE.rstrip("/") + "/" + vhost
    from gateway.registry import queue_bindings
    from shared.bus.topology import apply_definitions

    apply_definitions(url, queue_bindings=queue_bindings())
    try:
        yield url
    finally:
        _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """The session's vhost, shared by the bus tests."""
    with _vhost() as url:
        yield url


@pytest.fixture
def fresh_vhost() -> Iterator[str]:
    """A vhost of one test's own (e.g. a whole topology whose queues must start empty)."""
    with _vhost() as url:
        yield url


@pytest.fixture(scope="session")
def pg_server() -> str:
    try:
        psycopg.connect(PG_BASE + "postgres", connect_timeout=5).close()
    except Exception as exc:
        _unavailable("PostgreSQL", exc)
    return PG_BASE


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"duban_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server + name
    with psycopg.connect(pg_server + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
