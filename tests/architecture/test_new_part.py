"""A new service costs one entry in PARTS: registered, the throwaway ``echo`` part migrates, serves,
publishes and consumes in the embedded suite (the distributed mode: tests/integration/test_new_part.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gateway.embedded import create_suite
from gateway.registry import PARTS, queue_bindings
from shared.roles import OPERATOR, Principal
from shared.settings import Settings
from tests.parts.echo import ECHO
from tests.parts.echo.store import echoes


@pytest.fixture
def with_echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(PARTS, "echo", ECHO)
    yield


def test_a_registered_part_is_bound_to_its_own_queue(with_echo):
    assert queue_bindings()["echo"] == ["echo.note.created"]


def test_the_embedded_suite_migrates_serves_publishes_and_consumes_a_registered_part(with_echo, tmp_path):
    settings = Settings(data_dir=tmp_path, background_workers=False, jwt_secret="x" * 40, log_level="WARNING")
    suite = create_suite(settings)
    try:
        token = suite.tokens.issue(Principal("op", frozenset({OPERATOR})), now=datetime.now(UTC))
        client = suite.apps["gateway"].test_client()  # the whole suite's WSGI routes /api/echo/ to the part
        client.application.wsgi_app = suite.wsgi  # type: ignore[method-assign]

        response = client.post("/api/echo/v1/notes", json={"text": "你好"},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.get_json()
        delivered = suite.runtime.run_until_idle()

        assert delivered == 1
        with suite.databases["echo"].read() as conn:
            assert conn.execute(sa.select(echoes.c.text)).scalars().all() == ["你好"]
        assert (tmp_path / "echo.db").exists()
    finally:
        suite.close()
