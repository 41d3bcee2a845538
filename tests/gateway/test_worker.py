"""The distributed event worker's relay thread: its periodic gauges (the relaying itself is covered by
tests/integration against RabbitMQ)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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
    settings = Settings(mode=DISTRIBUTED, database_urls={"hotline": url})
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


def test_the_worker_applies_events_with_the_calendar_its_app_factory_builds(tmp_path):
    """The worker builds its context with the part's ``open_context``, as the web app does: a calendar
    configured in the settings (here two extra holidays) decides its clocks' reminder times too."""
    from gateway.registry import PARTS
    from services.monitoring import store
    from shared.bootstrap import Environment
    from shared.bus.envelope import Event
    from shared.events.clocks import ClockStarted

    url = f"sqlite:///{tmp_path / 'monitoring.db'}"
    upgrade("services.monitoring", url)
    calendar_file = tmp_path / "calendar.json"
    calendar_file.write_text(json.dumps({"years": {"2026": {"holidays": ["2026-11-27"]}}}))
    settings = Settings(mode=DISTRIBUTED, database_urls={"monitoring": url},
                        calendar_file=calendar_file)
    shanghai = ZoneInfo("Asia/Shanghai")
    dispatched_at = datetime(2026, 11, 2, 9, tzinfo=shanghai)
    due = datetime(2026, 12, 1, tzinfo=shanghai)  # a reminder one working day before: 11-27 or 11-26
    data = ClockStarted(key="t-1:1:started:handle", subject_service="hotline", subject_kind="ticket",
                        subject_id="t-1", kind="handle", at=dispatched_at, department="zjj", limit_amount=20,
                        limit_unit="working_days", due_at=due)
    event = Event(type=data.routing_key("hotline"), data=data.to_data(), occurred_at=dispatched_at,
                  producer="hotline")
    worker = ServiceWorker("monitoring", settings, relay=False)
    app_context = PARTS["monitoring"].open_context(Environment(settings))
    default_context = PARTS["monitoring"].open_context(Environment(Settings(mode=DISTRIBUTED,
                                                                            database_urls={"monitoring": url})))
    try:
        assert worker.consumer is not None
        worker.consumer.consumer.handle(event.id, event.type, event.to_json())

        with worker.db.read() as conn:
            clock = store.ClockRepository(conn).of_subject("hotline", "t-1")[0]
        expected = clock.reminder_at(app_context.calendar, app_context.policy)
        assert clock.next_fire_at == expected
        # The configured holidays matter: the default calendar would remind at another time.
        assert expected != clock.reminder_at(default_context.calendar, default_context.policy)
    finally:
        worker.stop()
        app_context.db.dispose()
        default_context.db.dispose()
