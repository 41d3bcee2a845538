"""The distributed mode of a new part: its app on PostgreSQL, its event worker relaying to RabbitMQ and
consuming from its own queue, all found through its one entry in PARTS."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from gateway.registry import PARTS, queue_bindings
from gateway.worker import ServiceWorker
from services.monitoring import store
from services.monitoring.sweep import sweep
from shared.bootstrap import Environment
from shared.bus.topology import apply_definitions
from shared.clock import ManualClock
from shared.db import Database
from shared.roles import OPERATOR, Principal
from shared.settings import DISTRIBUTED, Settings
from tests.backing import postgres_database
from tests.parts.echo import ECHO
from tests.parts.echo.store import echoes

pytestmark = pytest.mark.integration
MONDAY_9AM = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def with_echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(PARTS, "echo", ECHO)
    yield


def test_a_registered_part_runs_distributed_and_its_clock_is_watched_over_rabbitmq(with_echo, pg_server,
                                                                                   fresh_vhost, tmp_path):
    """The echo part's app and worker on PostgreSQL; its note comes back through RabbitMQ, and the clock it
    started through the clock contract reaches monitoring's worker and earns reminder, yellow and red."""
    import gateway
    from tests.tokens import key_files

    with postgres_database(pg_server) as echo_url, postgres_database(pg_server) as monitoring_url:
        settings = Settings(mode=DISTRIBUTED, database_urls={"echo": echo_url, "monitoring": monitoring_url},
                            amqp_url=fresh_vhost, log_level="WARNING", **key_files(tmp_path))
        apply_definitions(fresh_vhost, queue_bindings={name: queue_bindings()[name] for name in ("echo", "monitoring")})
        for name in ("echo", "monitoring"):
            PARTS[name].migrate(settings)
        env = Environment(settings, ManualClock(MONDAY_9AM))
        tokens = gateway.token_service(settings)
        echo, monitoring = PARTS["echo"].open_context(env), PARTS["monitoring"].open_context(env)
        app = PARTS["echo"].create_app(env, context=echo, tokens=tokens)
        workers = [ServiceWorker("echo", settings, context=echo), ServiceWorker("monitoring", settings)]
        for worker in workers:
            worker.start()
        try:
            token = tokens.issue(Principal("op", frozenset({OPERATOR})), now=datetime.now(UTC))
            response = app.test_client().post("/api/echo/v1/notes", json={"text": "分布式"},
                                              headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 201, response.get_json()

            assert _eventually(lambda: _scalars(echo.db, sa.select(echoes.c.text))) == ["分布式"]
            clocks = sa.select(store.clocks.c.kind).where(store.clocks.c.subject_service == "echo")
            assert _eventually(lambda: _scalars(monitoring.db, clocks)) == ["review"]
            signals = [sweep(monitoring, now=MONDAY_9AM + timedelta(days=days, hours=hours))
                       for days, hours in ((1, 8), (1, 16), (8, 16))]
            assert [(s.warnings, s.yellows, s.reds) for s in signals] == [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
        finally:
            for worker in workers:
                worker.stop()
            echo.db.dispose()
            monitoring.db.dispose()


def _scalars(db: Database, query: sa.Select) -> list[str]:
    with db.read() as conn:
        return list(conn.execute(query).scalars())


def _eventually(read: Callable[[], list[str]], timeout: float = 20.0) -> list[str]:
    """Delivery is asynchronous: poll the real broker's effect until it shows or the time is up."""
    deadline = time.monotonic() + timeout
    while not (found := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found
