"""``duban spotcheck import|verify`` and the demo data: bad rows are named by line and block the import
unless skipped; the demo plan is published and draws with its seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import Workbook

from gateway.handlers import seed_demo
from gateway.registry import PARTS, Part
from services.spotcheck import imports, store, verify_draw
from services.spotcheck.cli import spotcheck as spotcheck_cli
from services.spotcheck.demo import SEED
from services.spotcheck.demo import seed_demo as seed_spotcheck
from shared.bootstrap import Environment
from shared.settings import Settings
from tests.passwords import fast_passwords
from tests.spotcheck.codes import uscc

SPOTCHECK = Part("spotcheck", "services.spotcheck", routes="services.spotcheck.consumers:ROUTES",
                 rules="services.spotcheck.rules:RULE_SECTIONS")


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    from gateway.embedded import create_suite

    monkeypatch.setitem(PARTS, "spotcheck", SPOTCHECK)
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING")
    suite = create_suite(settings, overrides={"gateway": {"passwords": fast_passwords()}})
    seed_demo(suite.contexts["gateway"])
    suite.runtime.run_until_idle()
    suite.close()
    return settings


def targets_file(path: Path, rows: list[dict]) -> Path:
    path.write_text(imports.csv_text(rows, imports.TARGET_COLUMNS), encoding="utf-8")
    return path


def row(n: int, **changes) -> dict:
    return {"uscc": uscc(n), "name": f"企业{n}", "region": "110101", "industry": "餐饮", "risk_class": "B",
            "abnormal": "否", "complaints": "0", **changes}


def count(settings: Settings) -> int:
    context = PARTS["spotcheck"].open_context(Environment(settings))
    try:
        with context.db.read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(store.targets)).scalar_one())
    finally:
        context.db.dispose()


def test_a_file_with_bad_rows_is_refused_naming_each_line_and_nothing_is_imported(settings, tmp_path):
    path = targets_file(tmp_path / "t.csv", [row(1), row(2, uscc=uscc(2)[:-1] + "Z"), row(3, risk_class="E"),
                                             row(1)])

    result = CliRunner().invoke(spotcheck_cli, ["import", "targets", str(path)], obj=settings)

    assert result.exit_code == 1
    assert "t.csv:3: uscc" in result.output and "t.csv:4: risk_class" in result.output
    assert "t.csv:5:" in result.output and "twice" in result.output
    assert count(settings) == 0


def test_skip_bad_imports_the_good_rows_and_a_second_import_updates_them(settings, tmp_path):
    path = targets_file(tmp_path / "t.csv", [row(1), row(2), row(3, region="北京")])

    first = CliRunner().invoke(spotcheck_cli, ["import", "targets", str(path), "--skip-bad"], obj=settings)
    again = CliRunner().invoke(spotcheck_cli, ["import", "targets", str(targets_file(
        tmp_path / "u.csv", [row(1, risk_class="D")]))], obj=settings)

    assert first.exit_code == 0 and "2 imported, 1 bad rows skipped" in first.output
    assert again.exit_code == 0 and count(settings) == 2


def test_an_xlsx_file_imports_like_a_csv_one(settings, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(list(imports.TARGET_COLUMNS))
    for n in range(5):
        sheet.append([row(n)[c] for c in imports.TARGET_COLUMNS])
    book.save(tmp_path / "t.xlsx")

    result = CliRunner().invoke(spotcheck_cli, ["import", "targets", str(tmp_path / "t.xlsx")], obj=settings)

    assert result.exit_code == 0, result.output
    assert count(settings) == 5


def test_the_demo_plan_draws_with_its_seed_and_the_verify_command_says_match(settings, tmp_path):
    from services.spotcheck import handlers
    from services.spotcheck.demo import PLANNER

    context = PARTS["spotcheck"].open_context(Environment(settings))
    try:
        assert "published" in (seed_spotcheck(context) or "")
        [plan], _ = handlers.list_plans(context, principal=PLANNER, page=1, page_size=10)
        drawn = handlers.draw(context, principal=PLANNER, plan_id=plan.id, seed=SEED)
    finally:
        context.db.dispose()
    assert drawn.draw is not None and drawn.draw["selections"]
    (tmp_path / "record.json").write_text(json.dumps(drawn.draw, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "population.json").write_text(json.dumps(drawn.population, ensure_ascii=False), encoding="utf-8")

    result = CliRunner().invoke(spotcheck_cli, ["verify", str(tmp_path / "record.json"),
                                                str(tmp_path / "population.json")])

    assert result.exit_code == 0 and result.output.strip() == "MATCH"
    assert verify_draw.verify(drawn.draw, drawn.population) is None
