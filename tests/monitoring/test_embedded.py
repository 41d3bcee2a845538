"""End to end in the embedded composition: hotline events reach the monitoring service over the in-process
bus, and the periodic sweep cards an overdue ticket yellow, then red, as the manual clock moves on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from gateway.embedded import Suite, create_suite
from gateway.handlers import create_department
from shared.auth import DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR, Principal
from shared.calendar import WorkCalendar
from shared.clock import ManualClock
from shared.settings import Settings
from tests.monitoring.moments import SHANGHAI

START = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # Monday


@dataclass
class World:
    suite: Suite
    monitoring: Flask
    clock: ManualClock

    def headers(self, *roles: str, departments: tuple[str, ...] = ()) -> dict[str, str]:
        principal = Principal(f"u-{'-'.join(roles)}", frozenset(roles), frozenset(departments))
        return {"Authorization": f"Bearer {self.suite.tokens.issue(principal, now=self.clock.now())}"}

    def hotline(self, path: str, body: Any, *roles: str, departments: tuple[str, ...] = ()) -> dict[str, Any]:
        response = self.suite.apps["hotline"].test_client().post(
            f"/api/hotline/v1/{path}", json=body, headers=self.headers(*roles, departments=departments))
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def board(self, path: str, **query: Any) -> dict[str, Any]:
        response = self.monitoring.test_client().get(f"/api/monitoring/v1/{path}", query_string=query,
                                                     headers=self.headers(INSPECTOR))
        assert response.status_code == 200, response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def sweep(self) -> None:
        """What the runtime thread does every few seconds, run once by hand."""
        self.suite.runtime.run_periodic(force=True)
        self.suite.runtime.run_until_idle()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = ManualClock(START)
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING")
    calendar = WorkCalendar.from_settings(settings)
    suite = create_suite(settings, clock=clock, calendar=calendar)
    create_department(suite.contexts["gateway"], actor="test", code="zjj", name="市住房和城乡建设局",
                      kind="bureau")
    suite.runtime.run_until_idle()
    try:
        yield World(suite, suite.apps["monitoring"], clock)
    finally:
        suite.close()

def test_a_dispatched_ticket_is_timed_signed_then_carded_yellow_and_red_as_time_passes(world):
    ticket = world.hotline("tickets", {"type": "complaint", "title": "夜间施工噪音扰民",
                                       "content": "工地每晚十一点后仍在施工", "caller": {"name": "张三"}}, OPERATOR)
    world.hotline(f"tickets/{ticket['id']}/dispatch", {"lead_department": "zjj"}, DISPATCHER)
    world.suite.runtime.run_until_idle()

    clocks = world.board("clocks", subject_service="hotline", subject_id=ticket["id"])["items"]
    assert {(c["kind"], c["state"], c["department_name"]) for c in clocks} == {
        ("sign", "on_time", "市住房和城乡建设局"), ("handle", "on_time", "市住房和城乡建设局")}
    handle_due = datetime.fromisoformat(next(c["due_at"] for c in clocks if c["kind"] == "handle"))

    world.clock.advance(minutes=30)
    world.hotline(f"tickets/{ticket['id']}/sign", None, DEPARTMENT, departments=("zjj",))
    world.suite.runtime.run_until_idle()
    sign = world.board("clocks", subject_id=ticket["id"], kind="sign")["items"][0]
    assert (sign["state"], sign["outcome"]) == ("stopped", "on_time")

    world.clock.set(handle_due + timedelta(minutes=1))
    world.sweep()
    cards = world.board("cards", subject_id=ticket["id"])["items"]
    assert [(c["color"], c["department"], c["rule"]) for c in cards] == [("yellow", "zjj", "due")]
    assert world.board("clocks", subject_id=ticket["id"], state="overdue")["total"] == 1

    world.clock.advance(days=8)  # the working days 11-10 … 11-17 close: overdue by six
    world.sweep()
    cards = world.board("cards", subject_id=ticket["id"])["items"]
    assert [(c["color"], c["rule"]) for c in cards] == [("red", "overdue"), ("yellow", "due")]
    assert handle_due == datetime(2026, 11, 10, tzinfo=SHANGHAI)
