"""A real gunicorn with the project's settings: its own refusals are the JSON envelope, and the access
log keeps paths but never a query string (the public status query carries a citizen's query code)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(raw)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """The gateway part under gunicorn with gateway.gunicorn_conf; yields its port and access log file."""
    folder = tmp_path_factory.mktemp("gunicorn")
    port, log = _free_port(), folder / "access.log"
    env = {**os.environ, "DUBAN_MODE": "embedded", "DUBAN_DATA": str(folder / "data"), "DUBAN_LOG_LEVEL": "WARNING"}
    errors = folder / "error.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:gateway.gunicorn_conf", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log), "--error-logfile", str(errors),
         'gateway.wsgi:part("gateway")'],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:  # wait for the socket: a real server has no clock to inject
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {errors.read_text()}")
            try:
                if _exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start within 60 s")
                time.sleep(0.2)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _assert_envelope(status: int, headers: dict[str, str], body: bytes, expected: int) -> None:
    assert status == expected, body
    assert headers["content-type"].startswith("application/json"), body
    parsed = json.loads(body)
    assert set(parsed) == {"code", "status", "message", "errors"} and parsed["code"] == expected


def test_an_overlong_request_line_is_a_414_envelope(gunicorn):
    port, _ = gunicorn

    answer = _exchange(port, b"GET /api/auth/v1/token?" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")

    _assert_envelope(*answer, 414)


def test_too_many_headers_is_a_431_envelope(gunicorn):
    port, _ = gunicorn
    headers = b"".join(b"X-Filler-%d: x\r\n" % i for i in range(150))

    answer = _exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")

    _assert_envelope(*answer, 431)


def test_an_oversized_header_is_a_431_envelope(gunicorn):
    port, _ = gunicorn

    answer = _exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n")

    _assert_envelope(*answer, 431)


def test_a_malformed_request_line_is_a_400_envelope(gunicorn):
    port, _ = gunicorn

    _assert_envelope(*_exchange(port, b"GET\r\n\r\n"), 400)


def test_the_access_log_keeps_the_path_but_not_the_query_code(gunicorn):
    port, log = gunicorn
    request = (b"GET /api/hotline/v1/public/status?number=20261123000001&code=QC7XK2ZZ HTTP/1.1\r\n"
               b"Host: x\r\nReferer: http://x/status?code=QC7XK2ZZ\r\nConnection: close\r\n\r\n")

    _exchange(port, request)

    deadline = time.monotonic() + 10
    while "/public/status" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)  # gunicorn writes its access log after answering
    text = log.read_text()
    assert "/api/hotline/v1/public/status" in text
    assert "QC7XK2ZZ" not in text and "code=" not in text
