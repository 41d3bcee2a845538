"""Entered holiday years reach every service: the gateway announces them, each service's replica follows,
and deadlines computed there (hotline dispatch, monitoring thresholds) use them; the board warns while
next year is unknown.

The example 2027 file (docs/examples) has 元旦 01-01..01-03 off: 5 working days after Wed 2026-12-30
end at the close of 01-07 (00:00 on 01-08); counting weekends only they would end at the close of 01-06.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.calendar_years import set_year
from gateway.embedded import Suite, create_suite
from gateway.handlers import create_department
from gateway.registry import PARTS
from shared.auth import ADMIN, DISPATCHER, INSPECTOR, OPERATOR, Principal
from shared.bootstrap import Environment
from shared.bus.consumer import Consumer
from shared.calendar_schedule import parse_year_file
from shared.calendar_store import DatabaseYears
from shared.clock import ManualClock
from shared.settings import Settings
from tests.monitoring.moments import SHANGHAI

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "holidays-2027.example.txt"
DISPATCH_AT = datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI)  # Wednesday


@dataclass
class World:
    suite: Suite
    clock: ManualClock

    def headers(self, *roles: str) -> dict[str, str]:
        principal = Principal(f"u-{'-'.join(roles)}", frozenset(roles), frozenset())
        return {"Authorization": f"Bearer {self.suite.tokens.issue(principal, now=self.clock.now())}"}

    def call(self, app: str, method: str, path: str, body: Any = None, *roles: str) -> dict[str, Any]:
        client = self.suite.apps[app].test_client()
        response = getattr(client, method)(path, json=body, headers=self.headers(*roles))
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def enter_2027(self) -> None:
        days = parse_year_file(EXAMPLE.read_text(encoding="utf-8")).to_data()
        self.call("gateway", "put", "/api/calendar/v1/years/2027", {"days": days}, ADMIN)
        self.suite.runtime.run_until_idle()

    def dispatch(self) -> dict[str, Any]:
        ticket = self.call("hotline", "post", "/api/hotline/v1/tickets", {
            "type": "complaint", "title": "小区供暖不热", "content": "室温不足16度", "caller": {"name": "李四"}},
            OPERATOR)
        return self.call("hotline", "post", f"/api/hotline/v1/tickets/{ticket['id']}/dispatch",
                         {"lead_department": "zjj"}, DISPATCHER)

    def replica(self, service: str) -> list[tuple[int, int]]:
        db = self.suite.databases[service]
        with db.read() as conn:
            table = db.metadata.tables["calendar_years"]
            return [tuple(row) for row in conn.execute(sa.select(table.c.year, table.c.version))]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The embedded suite as ``duban run`` builds it (no calendar handed in), re-reading entered years at once."""
    clock = ManualClock(DISPATCH_AT)
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING",
                        calendar_refresh_seconds=0)
    suite = create_suite(settings, clock=clock)
    create_department(suite.contexts["gateway"], actor="test", code="zjj", name="市住房和城乡建设局",
                      kind="bureau")
    suite.runtime.run_until_idle()
    try:
        yield World(suite, clock)
    finally:
        suite.close()


def test_an_entered_year_is_replicated_to_every_consuming_service(world):
    world.enter_2027()
    assert world.replica("hotline") == world.replica("monitoring") == [(2027, 1)]


def test_a_replica_keeps_the_newest_version_when_an_old_event_arrives_late(world):
    world.enter_2027()
    gateway = world.suite.databases["gateway"]
    schedule = parse_year_file(EXAMPLE.read_text(encoding="utf-8"))
    set_year(db=gateway, actor="test", schedule=schedule.of(2027, schedule.days[:3]))
    with gateway.read() as conn:
        outbox = gateway.metadata.tables["outbox"]
        rows = conn.execute(sa.select(outbox.c.routing_key, outbox.c.body)
                            .where(outbox.c.routing_key == "gateway.calendar.year_set")).all()
    [first] = [row for row in rows if json.loads(row.body)["data"]["version"] == 1]
    world.suite.runtime.run_until_idle()
    assert world.replica("hotline") == [(2027, 2)]

    # Version 1 delivered again under a new message id (a replay): the replica stays at version 2.
    context = world.suite.contexts["monitoring"]
    Consumer(context.db, "monitoring", PARTS["monitoring"].subscriptions(context)).handle(
        "replayed-1", first.routing_key, first.body)
    assert world.replica("monitoring") == [(2027, 2)]


def test_the_hotline_computes_deadlines_with_the_entered_year(world):
    before = world.dispatch()
    assert datetime.fromisoformat(before["handle_due_at"]) == datetime(2027, 1, 7, tzinfo=SHANGHAI)
    assert before["deadline_provisional"] is True

    world.enter_2027()
    after = world.dispatch()

    assert datetime.fromisoformat(after["handle_due_at"]) == datetime(2027, 1, 8, tzinfo=SHANGHAI)
    assert after["deadline_provisional"] is False


def test_monitoring_starts_clocks_and_computes_thresholds_with_the_entered_year(world):
    world.enter_2027()
    ticket = world.dispatch()
    world.suite.runtime.run_until_idle()
    [handle] = world.call("monitoring", "get", f"/api/monitoring/v1/clocks?subject_id={ticket['id']}&kind=handle",
                          None, INSPECTOR)["items"]
    assert handle["provisional"] is False
    assert datetime.fromisoformat(handle["due_at"]) == datetime(2027, 1, 8, tzinfo=SHANGHAI)
    calendar = world.suite.contexts["monitoring"].calendar
    assert calendar.source_of(2027) == "entered"
    # A reminder for a clock due on Mon 01-04 comes at the close of the working day before: 12-31, not 01-01.
    assert calendar.workdays_before(datetime(2027, 1, 4).date(), 1) == datetime(2026, 12, 31).date()


def test_the_board_warns_while_next_year_is_unknown_and_stops_once_it_is_entered(world):
    status = world.call("monitoring", "get", "/api/monitoring/v1/calendar", None, INSPECTOR)
    assert status["today"] == "2026-12-30"
    assert [(y["year"], y["known"], y["source"]) for y in status["years"]] == [
        (2026, True, "package"), (2027, False, None)]
    assert "2027年节假日安排尚未录入" in status["warning"]

    world.enter_2027()

    status = world.call("monitoring", "get", "/api/monitoring/v1/calendar", None, INSPECTOR)
    assert [(y["year"], y["source"], y["source_label"]) for y in status["years"]] == [
        (2026, "package", "内置日历"), (2027, "entered", "管理员录入")]
    assert status["warning"] is None


def test_a_context_built_like_the_event_worker_and_the_sweeper_reads_the_replica_of_its_database(world):
    """Opened without the app (as ``duban events worker`` and ``duban monitoring sweep`` do), a part's
    calendar still follows the entered years replicated in its own database."""
    world.enter_2027()
    settings = world.suite.contexts["gateway"].settings
    for part in ("hotline", "monitoring"):
        context = PARTS[part].open_context(Environment(settings, world.clock))
        try:
            assert context.calendar.source_of(2027) == "entered"
            assert context.calendar.add_workdays(DISPATCH_AT.date(), 5) == (datetime(2027, 1, 7).date(), False)
            assert DatabaseYears(context.db).stamp() == ((2027, 1),)
        finally:
            context.db.dispose()
