"""`duban local up`: every part as its own gunicorn process with event workers, on real PostgreSQL and
RabbitMQ; a ticket filed and dispatched through the gateway gets its monitoring clocks quickly."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from gateway.registry import PARTS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DUBAN = [sys.executable, "-m", "gateway.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def topology(tmp_path: Path, pg_server: str, fresh_vhost: str) -> Iterator[dict[str, Any]]:
    prefix = f"duban_t{uuid.uuid4().hex[:6]}_"
    env = {**os.environ, "DUBAN_DATA": str(tmp_path), "PORT": str(free_port()),
           "DUBAN_LOCAL_PORT_BASE": str(free_port()), "DUBAN_LOCAL_DB_PREFIX": prefix,
           "AMQP_URL": fresh_vhost, "POSTGRES_URL": pg_server}
    # the services listen on base+1, base+2…: make sure those are free too
    env["DUBAN_LOCAL_PORT_BASE"] = str(free_port() + 10)
    up = subprocess.run([*DUBAN, "local", "up", "--workers", "1"], env=env, capture_output=True, text=True,
                        timeout=180)
    try:
        assert up.returncode == 0, up.stdout + up.stderr + _logs(tmp_path)
        yield {"env": env, "base": f"http://127.0.0.1:{env['PORT']}",
               "password": (tmp_path / "local" / "demo-password").read_text().strip()}
    finally:
        subprocess.run([*DUBAN, "local", "down"], env=env, capture_output=True, timeout=60)
        with psycopg.connect(pg_server + "postgres", autocommit=True) as conn:
            for part in PARTS:
                conn.execute(f'DROP DATABASE IF EXISTS "{prefix}{part}" WITH (FORCE)')


def _logs(root: Path) -> str:
    logs = root / "local" / "logs"
    if not logs.exists():
        return ""
    return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(logs.glob("*.log")))


def test_a_ticket_dispatched_through_the_gateway_has_its_monitoring_clocks_within_two_seconds(topology):
    base, password = topology["base"], topology["password"]

    def login(username: str) -> str:
        status, body = call("POST", f"{base}/api/auth/v1/token", {"username": username, "password": password})
        assert status == 200, body
        return str(body["access_token"])

    operator, dispatcher = login("operator"), login("dispatcher")
    status, ticket = call("POST", f"{base}/api/hotline/v1/tickets", {
        "type": "complaint", "urgency": "general", "title": "夜间施工噪音", "content": "工地夜间施工影响休息",
        "caller": {"name": "张三", "phone": "13812345678"}}, operator)
    assert status == 201, ticket

    # the directory reached the hotline through RabbitMQ: dispatch to a department it learned there
    deadline = time.monotonic() + 20
    while True:
        status, dispatched = call("POST", f"{base}/api/hotline/v1/tickets/{ticket['id']}/dispatch",
                                  {"lead_department": "zjj"}, dispatcher)
        if status != 422 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200, dispatched
    dispatched_at = time.monotonic()
    assert dispatched["sign_due_at"] and dispatched["handle_due_at"]

    if "monitoring" not in PARTS:
        pytest.skip("monitoring is not part of the topology yet")
    inspector = login("inspector")
    url = f"{base}/api/monitoring/v1/clocks?subject_service=hotline&subject_id={ticket['id']}"
    clocks: list[dict[str, Any]] = []
    while time.monotonic() - dispatched_at < 5:
        status, page = call("GET", url, token=inspector)
        clocks = page.get("items", []) if status == 200 else []
        if len(clocks) >= 2:
            break
        time.sleep(0.05)
    elapsed = time.monotonic() - dispatched_at
    print(f"monitoring clocks visible through the gateway {elapsed * 1000:.0f} ms after the dispatch returned")
    assert {c["kind"] for c in clocks} >= {"sign", "handle"}, clocks
    assert elapsed < 2.0, f"clocks appeared after {elapsed:.2f} s"
