"""Admin commands read what they name: each part's own outbox, a consuming part's dead letters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gateway.cli import main
from gateway.registry import PARTS
from shared.db import Database


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _outbox_with(url: str, part: str, pending: int) -> None:
    db = Database(url, service=part, metadata=PARTS[part].metadata())
    try:
        db.metadata.create_all(db.engine)
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
        with db.unit_of_work(actor="test") as uow:
            for n in range(pending):
                uow.publish(f"{part}.thing.happened", {"n": n})
            uow.commit()
    finally:
        db.dispose()


def test_outbox_status_in_distributed_mode_reads_each_parts_own_database(runner, tmp_path: Path, monkeypatch):
    urls = {part: f"sqlite:///{tmp_path / f'{part}.db'}" for part in PARTS}
    for n, (part, url) in enumerate(urls.items()):
        _outbox_with(url, part, pending=n + 1)
    monkeypatch.setenv("DUBAN_MODE", "distributed")
    monkeypatch.setenv("DUBAN_DATABASE_URLS", ",".join(f"{p}={u}" for p, u in urls.items()))

    result = runner.invoke(main, ["events", "outbox", "status"])

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(line["service"], line["pending"], line["database"]) for line in lines] == [
        (part, n + 1, urls[part]) for n, part in enumerate(PARTS)]


def test_outbox_status_refuses_to_show_one_database_under_every_parts_name(runner, tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    _outbox_with(url, "hotline", pending=2)
    monkeypatch.setenv("DUBAN_MODE", "distributed")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("DUBAN_DATABASE_URLS", raising=False)

    refused = runner.invoke(main, ["events", "outbox", "status"])
    named = runner.invoke(main, ["events", "outbox", "status", "--part", "hotline"])

    assert refused.exit_code == 2 and "DUBAN_DATABASE_URLS" in refused.output
    assert named.exit_code == 0, named.output
    assert [json.loads(line)["service"] for line in named.output.splitlines()] == ["hotline"]


def test_dead_list_of_an_unknown_service_is_a_clean_usage_error(runner, monkeypatch):
    monkeypatch.setenv("DUBAN_MODE", "distributed")

    result = runner.invoke(main, ["events", "dead", "list", "nosuch"])

    assert result.exit_code == 2
    assert "'nosuch' has no dead-letter queue" in result.output
    assert isinstance(result.exception, SystemExit)  # click's usage exit, not an error escaping
    assert "Traceback" not in result.output


def test_dead_list_in_embedded_mode_says_why_it_has_nothing_to_show(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("DUBAN_MODE", "embedded")
    monkeypatch.setenv("DUBAN_DATA", str(tmp_path))

    result = runner.invoke(main, ["events", "dead", "list", "hotline"])

    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no dead-letter queues" in result.stderr and "outbox status" in result.stderr
