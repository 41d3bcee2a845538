"""The real RabbitMQ and PostgreSQL the integration tests use (imported as ``tests.backing``).

Unreachable services fail the tests in CI (CI=true) and skip them, loudly, elsewhere.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest

AMQP_BASE = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PG_BASE = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/")
REDIS_BASE = os.environ.get("DUBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(what: str, error: Exception) -> NoReturn:
    message = f"{what} is not reachable ({error}); integration tests need it"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    sys.stderr.write(f"\n*** SKIPPING INTEGRATION TESTS: {message} ***\n")
    pytest.skip(message)


def postgres_server() -> str:
    """The server's base URL, once it answers."""
    import psycopg

    try:
        psycopg.connect(PG_BASE + "postgres", connect_timeout=5).close()
    except Exception as exc:
        unavailable("PostgreSQL", exc)
    return PG_BASE


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A fresh database on ``server``, dropped afterwards."""
    import psycopg

    name = f"duban_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server + name
    finally:
        with psycopg.connect(server + "postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_server() -> str:
    """The Redis URL, once it answers."""
    import redis

    try:
        redis.Redis.from_url(REDIS_BASE, socket_connect_timeout=5).ping()
    except Exception as exc:
        unavailable("Redis", exc)
    return REDIS_BASE


@contextmanager
def elasticsearch_engine(data_dir: str) -> Iterator[str]:
    """An Elasticsearch-API engine (noida-db, a test dependency) on a free port with its data in
    ``data_dir``; yields its URL and stops it afterwards. Real Elasticsearch cannot run on the test
    machines; the official client talks to this engine unchanged (docs/search.md lists what it lacks)."""
    import shutil
    import socket
    import subprocess
    import time
    import urllib.request
    from pathlib import Path

    binary = shutil.which("noida-db") or str(Path(sys.executable).with_name("noida-db"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    try:
        # Its own process group: the command is a wrapper that runs the engine as a child, and both must stop.
        process = subprocess.Popen([binary, "start", "--only", "elasticsearch", "--elasticsearch-port", str(port),
                                    "--data-dir", data_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
    except OSError as exc:
        unavailable("noida-db (pip install -e '.[test]')", exc)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    unavailable("the Elasticsearch-API engine (noida-db)", exc)
                time.sleep(0.1)  # waiting for a process we started to listen: no clock to inject
        yield url
    finally:
        import signal

        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
