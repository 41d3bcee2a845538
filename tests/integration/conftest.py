"""Real RabbitMQ and PostgreSQL for integration tests.

Each session gets its own RabbitMQ vhost, so runs never see each other's messages; each test that needs
PostgreSQL gets a fresh database from the root conftest's ``pg_url``. Unreachable services fail the tests
in CI (CI=true) and skip them, loudly, elsewhere (tests.backing).
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pika
import pytest

from tests.backing import AMQP_BASE, unavailable


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "--quiet", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def _vhost() -> Iterator[str]:
    """A fresh vhost with the project's topology (exchanges, dead-letter queues and policies)."""
    try:
        pika.BlockingConnection(pika.URLParameters(AMQP_BASE)).close()
    except Exception as exc:
        unavailable("RabbitMQ", exc)
    if shutil.which("rabbitmqctl") is None:
        unavailable("rabbitmqctl (to create a test vhost)", FileNotFoundError("rabbitmqctl"))
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
