"""``duban rules publish|show``: a JSON rules file is published as the next version, or refused whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gateway.cli import main


@pytest.fixture
def duban(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``duban(*args)`` → the ``duban`` command run in a fresh embedded data folder."""
    monkeypatch.setenv("DUBAN_DATA", str(tmp_path / "var"))
    for name in ("DUBAN_MODE", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return lambda *args: CliRunner().invoke(main, list(args))


def test_a_rules_file_is_published_and_shown_with_the_defaults_around_it(duban, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"monitoring": {"red_after_workdays": 3}}), encoding="utf-8")

    published = duban("rules", "publish", str(rules), "--note", "市政府办公厅通知")
    again = duban("rules", "publish", str(rules))
    shown = duban("rules", "show", "--effective")

    assert published.exit_code == 0 and "version 1" in published.output
    assert again.exit_code == 0 and "unchanged (version 1)" in again.output
    effective = json.loads(shown.output)
    assert effective["monitoring"]["red_after_workdays"] == 3
    assert effective["hotline"]["handle_general"] == {"amount": 5, "unit": "working_days"}


def test_a_bad_rules_file_is_refused_naming_each_fault_and_nothing_is_published(duban, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"hotline": {"max_reopens": -1, "sign_general": {"amount": 1}}}), encoding="utf-8")

    result = duban("rules", "publish", str(rules))

    assert result.exit_code == 1
    assert "hotline.max_reopens" in result.output and "hotline.sign_general" in result.output
    assert "nothing was published" in result.output
    assert json.loads(duban("rules", "show").output) == {}


def test_a_file_that_is_not_json_is_refused(duban, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text("{monitoring: 1", encoding="utf-8")

    result = duban("rules", "publish", str(rules))

    assert result.exit_code == 1 and "not a JSON document" in result.output
