"""``duban search reindex``: rebuilds the index from the stored cases, with a progress bar, on the backend
asked for."""

from __future__ import annotations

from click.testing import CliRunner

from services.search.cli import search as search_cli
from tests.search.conftest import open_desk, ticket


def test_reindex_rebuilds_the_embedded_index_and_says_how_many_cases(tmp_path):
    desk = open_desk(tmp_path, "fts")
    for n in range(12):
        desk.feed(ticket(n, f"噪音投诉{n}", "广场舞噪音"))
    settings = desk.http.application.config["DUBAN_SETTINGS"]

    result = CliRunner().invoke(search_cli, ["reindex"], obj=settings)

    assert result.exit_code == 0, result.output
    assert "12 cases indexed into case_text" in result.output
    assert desk.find(q="噪音")["total"] == 12
    desk.search.db.dispose()


def test_reindex_into_elasticsearch_from_the_stored_cases(tmp_path, elastic_url):
    desk = open_desk(tmp_path, "fts", elastic_url)
    for n in range(5):
        desk.feed(ticket(n, f"停水{n}", "三号楼停水"))
    settings = desk.http.application.config["DUBAN_SETTINGS"]

    result = CliRunner().invoke(search_cli, ["reindex", "--backend", "elasticsearch"], obj=settings)

    assert result.exit_code == 0, result.output
    assert f"5 cases indexed into {settings.search_index}-v" in result.output
    reader = open_desk(tmp_path / "reader", "elasticsearch", elastic_url)
    reader.search.backend.alias = settings.search_index  # read the index the command built
    reader.refresh()
    assert reader.find(q="停水")["total"] == 5
    reader.search.backend.drop()


def test_replay_snapshots_puts_every_ticket_in_the_hotlines_outbox(tmp_path, monkeypatch):
    from gateway.cli import main
    from services.hotline import handlers, open_context
    from services.hotline.cli import OPERATOR_USER
    from shared.bootstrap import Environment
    from shared.migrations import migrate_service
    from shared.settings import Settings

    monkeypatch.setenv("DUBAN_DATA", str(tmp_path))
    settings = Settings.from_env()
    migrate_service("services.hotline", "hotline", settings)
    hotline = open_context(Environment(settings))
    filed = 3
    for n in range(filed):
        handlers.file_ticket(hotline, principal=OPERATOR_USER, type="complaint", urgency="general",
                             channel="phone", title=f"路灯不亮{n}", content="滨江路路灯连续三晚不亮",
                             caller={"name": "", "phone": ""})

    result = CliRunner().invoke(main, ["events", "replay-snapshots", "hotline"])

    assert result.exit_code == 0, result.output
    assert f"hotline: {filed} snapshots in the outbox" in result.output
    with hotline.db.read() as conn:
        keys = [r[0] for r in conn.exec_driver_sql("SELECT routing_key FROM outbox")]
    assert keys.count("hotline.ticket.snapshot") == filed
    hotline.db.dispose()
