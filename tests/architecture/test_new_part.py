"""A new service costs one entry in PARTS: registered, the throwaway ``echo`` part migrates, serves,
publishes and consumes in the embedded suite (the distributed mode: tests/integration/test_new_part.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from gateway.embedded import create_suite
from gateway.registry import PARTS, queue_bindings
from services.monitoring import store
from services.monitoring.sweep import sweep
from shared.clock import ManualClock
from shared.roles import OPERATOR, Principal
from shared.settings import Settings
from tests.parts.echo import ECHO
from tests.parts.echo.store import echoes

MONDAY_9AM = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def with_echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(PARTS, "echo", ECHO)
    yield


def test_a_registered_part_is_bound_to_its_own_queue(with_echo):
    assert queue_bindings()["echo"] == ["echo.note.created"]


def test_the_embedded_suite_migrates_serves_publishes_and_consumes_a_registered_part(with_echo, tmp_path):
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING")
    clock = ManualClock(MONDAY_9AM)
    suite = create_suite(settings, clock=clock)
    try:
        token = suite.tokens.issue(Principal("op", frozenset({OPERATOR})), now=datetime.now(UTC))
        client = suite.apps["gateway"].test_client()  # the whole suite's WSGI routes /api/echo/ to the part
        client.application.wsgi_app = suite.wsgi  # type: ignore[method-assign]

        response = client.post("/api/echo/v1/notes", json={"text": "你好"},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.get_json()
        suite.runtime.run_until_idle()

        with suite.databases["echo"].read() as conn:
            assert conn.execute(sa.select(echoes.c.text)).scalars().all() == ["你好"]
        assert (tmp_path / "echo.db").exists()
        # Its clock, started through the clock contract, is watched like any other: 1 working day from
        # Mon 11-02 09:00 ends at the close of Tue 11-03; reminded when 20% of it is left (Tue 16:12),
        # yellow once due, red 5 working days after (close of Tue 11-10).
        monitoring = suite.contexts["monitoring"]
        signals = [sweep(monitoring, now=MONDAY_9AM + timedelta(days=days, hours=hours))
                   for days, hours in ((1, 8), (1, 16), (8, 16))]
        assert [(s.warnings, s.yellows, s.reds) for s in signals] == [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
        with monitoring.db.read() as conn:
            cards = conn.execute(sa.select(store.cards.c.color, store.cards.c.subject_service,
                                           store.cards.c.department)).all()
        assert sorted(tuple(c) for c in cards) == [("red", "echo", "zjj"), ("yellow", "echo", "zjj")]
    finally:
        suite.close()
