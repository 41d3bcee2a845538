"""The distributed mode: configuration entered at the gateway — a holiday year, a version of the rules —
travels through its outbox and RabbitMQ into the hotline's and monitoring's replicas on PostgreSQL, and
the hotline's web app, the monitoring sweeper and the monitoring event worker, all built before it
existed, use it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import gateway
from gateway.calendar_years import set_year
from gateway.registry import PARTS
from gateway.rules_versions import publish_version
from gateway.worker import ServiceWorker
from shared.auth import TokenService
from shared.bootstrap import Environment
from shared.calendar_schedule import parse_year_file
from shared.db import Database
from shared.keys import KeyRing
from shared.migrations import upgrade
from shared.settings import DISTRIBUTED, Settings
from tests.backing import postgres_database
from tests.tokens import key_files

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "holidays-2027.example.txt"
PACKAGES = {"gateway": "gateway", "hotline": "services.hotline", "monitoring": "services.monitoring"}


@pytest.fixture
def settings(pg_server: str, fresh_vhost: str, tmp_path: Path) -> Iterator[Settings]:
    with ExitStack() as stack:
        urls = {part: stack.enter_context(postgres_database(pg_server)) for part in PACKAGES}
        for part, package in PACKAGES.items():
            upgrade(package, urls[part])
        yield Settings(mode=DISTRIBUTED, database_urls=urls, amqp_url=fresh_vhost, log_level="WARNING",
                       calendar_refresh_seconds=0, **key_files(tmp_path / "keys"))


def replica(db: Database) -> list[tuple[int, int]]:
    table = db.metadata.tables["calendar_years"]
    with db.read() as conn:
        return [(row.year, row.version) for row in conn.execute(sa.select(table.c.year, table.c.version))]


def test_an_entered_year_reaches_the_web_app_the_sweeper_and_the_worker_of_each_service(
        settings: Settings) -> None:
    env = Environment(settings)  # each process builds its part's context from its own environment
    hotline_app = PARTS["hotline"].create_app(env, context=PARTS["hotline"].open_context(env),
                                              tokens=TokenService(KeyRing.generate()))
    hotline_calendar = hotline_app.extensions["duban.context"].calendar
    sweeper = PARTS["monitoring"].open_context(env)  # what ``duban monitoring sweep --loop`` builds
    workers = [ServiceWorker("gateway", settings, consume=False), ServiceWorker("hotline", settings),
               ServiceWorker("monitoring", settings)]
    gateway_db = gateway.open_database(settings)
    try:
        # Built and used before the year exists: 2027 is counted with weekends only.
        assert hotline_calendar.add_workdays(date(2026, 12, 30), 5) == (date(2027, 1, 6), True)
        assert sweeper.calendar.add_workdays(date(2026, 12, 30), 5) == (date(2027, 1, 6), True)
        for worker in workers:
            worker.start()

        set_year(db=gateway_db, actor="test", schedule=parse_year_file(EXAMPLE.read_text(encoding="utf-8")))

        deadline = time.monotonic() + 20  # RabbitMQ delivers asynchronously: wait, bounded
        while time.monotonic() < deadline and not (
                replica(workers[1].db) == replica(workers[2].db) == [(2027, 1)]):
            time.sleep(0.05)
        assert replica(workers[1].db) == replica(workers[2].db) == [(2027, 1)]

        expected = (date(2027, 1, 7), False)  # 元旦 01-01 skipped, no longer provisional
        assert hotline_calendar.add_workdays(date(2026, 12, 30), 5) == expected
        assert sweeper.calendar.add_workdays(date(2026, 12, 30), 5) == expected
        assert workers[2].context.calendar.add_workdays(date(2026, 12, 30), 5) == expected
    finally:
        for worker in workers:
            worker.stop()
        gateway_db.dispose()
        sweeper.db.dispose()
        hotline_app.extensions["duban.db"].dispose()


def test_published_rules_reach_the_web_app_the_sweeper_and_the_worker_alike(settings: Settings) -> None:
    env = Environment(settings)
    hotline = PARTS["hotline"].open_context(env)      # what the hotline's gunicorn workers build
    sweeper = PARTS["monitoring"].open_context(env)   # what ``duban monitoring sweep --loop`` builds
    workers = [ServiceWorker("gateway", settings, consume=False), ServiceWorker("hotline", settings),
               ServiceWorker("monitoring", settings)]
    gateway_db = gateway.open_database(settings)
    try:
        assert hotline.policy.handle_general.amount == 5 and sweeper.policy.red_after_workdays == 5
        for worker in workers:
            worker.start()

        publish_version(db=gateway_db, actor="test", document={
            "hotline": {"handle_general": {"amount": 3, "unit": "working_days"}},
            "monitoring": {"red_after_workdays": 2, "yellows_for_red": 2}})

        deadline = time.monotonic() + 20  # RabbitMQ delivers asynchronously: wait, bounded
        while time.monotonic() < deadline and not (hotline.rules.version == sweeper.rules.version == 1):
            time.sleep(0.05)
        assert hotline.rules.version == sweeper.rules.version == workers[2].context.rules.version == 1
        assert hotline.policy.handle_general.amount == 3
        for monitoring in (sweeper, workers[2].context):
            assert (monitoring.policy.red_after_workdays, monitoring.policy.yellows_for_red) == (2, 2)
            assert monitoring.rules.at(0, "monitoring").red_after_workdays == 5  # clocks started before
    finally:
        for worker in workers:
            worker.stop()
        gateway_db.dispose()
        sweeper.db.dispose()
        hotline.db.dispose()
