"""The open-tickets gauge counts open tickets by status and follows them when they close."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client import REGISTRY

from services.hotline.metrics import refresh_gauges


def gauge(status: str) -> float | None:
    return REGISTRY.get_sample_value("duban_hotline_tickets", {"status": status})


def stored_count(desk, status: str) -> int:
    t = desk.table("tickets")
    with desk.db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).where(t.c.status == status)).scalar_one()


def test_refresh_counts_open_tickets_by_status_and_leaves_closed_ones_out(desk) -> None:
    received = desk.in_status("received")
    desk.in_status("dispatched")
    desk.in_status("closed")

    refresh_gauges(desk.hotline)

    assert gauge("received") == stored_count(desk, "received") >= 1
    assert gauge("dispatched") == stored_count(desk, "dispatched") >= 1
    assert gauge("closed") is None  # closed tickets are history, not workload

    before = gauge("received")
    desk.run(received, "transfer")  # an emergency transfer closes the ticket at once
    refresh_gauges(desk.hotline)
    assert gauge("received") == before - 1
