"""Migrations match the tables the code uses, the sweep command runs once, the periodic job is wired."""

from __future__ import annotations

import json
from datetime import datetime

from alembic import command
from click.testing import CliRunner
from prometheus_client import REGISTRY

from gateway.registry import PARTS
from services.monitoring.cli import monitoring as monitoring_cli
from services.monitoring.sweep import sweep
from shared.bus.runtime import EmbeddedRuntime
from shared.migrations import alembic_config
from tests.monitoring.moments import SHANGHAI


def test_the_migrations_build_exactly_the_tables_the_code_uses(settings):
    # Raises if autogenerate would find anything to add, drop or alter.
    command.check(alembic_config("services.monitoring", settings.database_url_for("monitoring")))


def test_the_sweep_command_sweeps_once_and_prints_what_it_issued(settings, dispatch, monitoring):
    dispatch("zjj", at=datetime(2026, 11, 2, 9, tzinfo=SHANGHAI))  # long overdue by the wall clock

    result = CliRunner().invoke(monitoring_cli, ["sweep"], obj=settings)

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"examined": 2, "warnings": 0, "yellows": 2, "reds": 2}


def test_the_sweep_is_a_periodic_job_of_the_embedded_runtime_but_not_of_the_event_worker(monitoring, dispatch,
                                                                                         clock, rows):
    part = PARTS["monitoring"]
    assert "monitoring.sweep" not in [name for name, _, _ in part.jobs(monitoring, worker=True)]
    runtime = EmbeddedRuntime()
    for name, interval, job in part.jobs(monitoring, worker=False):
        runtime.add_periodic(name, interval, job)
    dispatch("zjj", at=clock.now())
    clock.set(datetime(2026, 11, 10, 1, tzinfo=SHANGHAI))

    runtime.run_periodic(force=True)

    assert len(rows("cards")) == 2


def test_issued_cards_are_counted_by_colour_and_source_once_committed(monitoring, dispatch, clock):
    def counted(color: str, source: str) -> float:
        return REGISTRY.get_sample_value("duban_monitoring_cards_issued_total",
                                         {"color": color, "source": source}) or 0.0

    before = counted("yellow", "auto")
    dispatch("zjj", at=clock.now())

    sweep(monitoring, now=datetime(2026, 11, 10, 1, tzinfo=SHANGHAI))

    assert counted("yellow", "auto") == before + 2
