"""The logs of a run never hold a citizen's data: not in a database error's text, not in a request."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from services.hotline.cli import DEMO_TICKETS, seed_demo_tickets
from services.hotline.store import TicketRepository
from shared.logs import JsonFormatter

TICKETS = "/api/hotline/v1/tickets"
PUBLIC = "/api/hotline/v1/public/status"


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Everything logged during the test, as the JSON lines a deployment writes (SQL logging on too)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root, engine = logging.getLogger(), logging.getLogger("sqlalchemy.engine")
    levels = root.level, engine.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    engine.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        engine.setLevel(levels[1])


def test_a_run_with_a_database_error_logs_none_of_the_demo_citizens_data(desk, monkeypatch, logs):
    seed_demo_tickets(desk.hotline)
    tickets = desk.rows("tickets")
    for ticket in tickets:
        desk.client.get(PUBLIC, query_string={"number": ticket.number, "code": ticket.query_code})
    desk.get(TICKETS, "dispatcher", q="餐馆")
    # A database error while filing a demo citizen's ticket: the number is already taken.
    monkeypatch.setattr(TicketRepository, "next_number", lambda self, day: tickets[0].number)
    _, _, _, title, content, (name, phone), address, _, _ = DEMO_TICKETS[0]
    failed = desk.post(TICKETS, "operator", {"type": "complaint", "title": title, "content": content,
                                             "caller": {"name": name, "phone": phone}, "address": address})

    assert failed.status_code == 500
    text = logs.getvalue()
    assert "IntegrityError" in text  # the failure itself is logged
    secrets = {ticket.query_code for ticket in tickets}
    for _, _, _, _, content, (name, phone), address, _, _ in DEMO_TICKETS:
        secrets |= {name, phone, content} | ({address} if address else set())
    leaked = sorted(s for s in secrets if s in text)
    assert not leaked, leaked
