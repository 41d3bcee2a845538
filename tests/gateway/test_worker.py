"""The distributed event worker's relay thread: its periodic gauges (the relaying itself is covered by
tests/integration against RabbitMQ)."""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY

from gateway.worker import ServiceWorker
from services.hotline.metrics import OPEN_STATUS_VALUES
from shared.migrations import upgrade
from shared.settings import DISTRIBUTED, Settings


def gauge(name: str, labels: dict[str, str]) -> Any:
    return REGISTRY.get_sample_value(name, labels)


def test_the_worker_publishes_its_outbox_backlog_and_business_gauges(tmp_path):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    upgrade("services.hotline", url)
    settings = Settings(mode=DISTRIBUTED, database_urls={"hotline": url}, jwt_secret="x" * 40)
    worker = ServiceWorker("hotline", settings, consume=False)
    try:
        with worker.db.unit_of_work(actor="test") as uow:
            uow.publish("hotline.ticket.received", {"n": 1})
            uow.publish("hotline.ticket.received", {"n": 2})
            uow.commit()

        worker.runtime.run_periodic(force=True)  # what the relay thread runs between drains

        assert gauge("duban_outbox_backlog", {"service": "hotline"}) == 2
        assert gauge("duban_outbox_oldest_age_seconds", {"service": "hotline"}) is not None
        assert all(gauge("duban_hotline_tickets", {"status": status}) == 0 for status in OPEN_STATUS_VALUES)
    finally:
        worker.stop()
