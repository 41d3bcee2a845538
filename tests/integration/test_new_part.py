"""The distributed mode of a new part: its app on PostgreSQL, its event worker relaying to RabbitMQ and
consuming from its own queue, all found through its one entry in PARTS."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gateway.registry import PARTS, queue_bindings
from gateway.worker import ServiceWorker
from shared.bootstrap import Environment
from shared.bus.topology import apply_definitions
from shared.roles import OPERATOR, Principal
from shared.settings import DISTRIBUTED, Settings
from tests.parts.echo import ECHO
from tests.parts.echo.store import echoes

pytestmark = pytest.mark.integration


@pytest.fixture
def with_echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(PARTS, "echo", ECHO)
    yield


def test_a_registered_part_runs_distributed_on_postgresql_and_rabbitmq(with_echo, pg_url, fresh_vhost):
    import gateway

    settings = Settings(mode=DISTRIBUTED, database_urls={"echo": pg_url}, amqp_url=fresh_vhost,
                        jwt_secret="x" * 40, log_level="WARNING")
    apply_definitions(fresh_vhost, queue_bindings={"echo": queue_bindings()["echo"]})
    part = PARTS["echo"]
    part.migrate(settings)
    env = Environment(settings)
    tokens = gateway.token_service(settings)
    context = part.open_context(env)
    app = part.create_app(env, context=context, tokens=tokens)
    worker = ServiceWorker("echo", settings)
    worker.start()
    try:
        token = tokens.issue(Principal("op", frozenset({OPERATOR})), now=datetime.now(UTC))
        response = app.test_client().post("/api/echo/v1/notes", json={"text": "分布式"},
                                          headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.get_json()

        deadline = time.monotonic() + 20
        texts: list[str] = []
        while time.monotonic() < deadline and not texts:
            with context.db.read() as conn:
                texts = list(conn.execute(sa.select(echoes.c.text)).scalars())
            if not texts:
                time.sleep(0.05)  # delivery is asynchronous: poll the real broker's effect
        assert texts == ["分布式"]
    finally:
        worker.stop()
        context.db.dispose()
