"""Entering a year's holiday schedule: the admin API (``/api/calendar/v1``) and ``duban calendar``.

Issue 8's done-when: ``duban calendar set-year`` with a 2027 schedule makes ``duban workdays add
2026-12-30 5`` skip the new holidays and drops the provisional flag; a malformed file is refused with
the line at fault.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gateway.cli import main
from shared.audit import verify_chain
from shared.auth import ADMIN, INSPECTOR
from shared.calendar import package_years

YEARS = "/api/calendar/v1/years"
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "holidays-2027.example.txt"
NEW_YEAR_2027 = [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
                 {"date": "2027-01-02", "kind": "holiday", "name": "元旦"},
                 {"date": "2027-01-03", "kind": "holiday", "name": "元旦"}]


# -- the API ----------------------------------------------------------------------------------------
def test_an_admin_enters_a_year_which_is_versioned_audited_and_announced(client, admin, table_rows, db):
    response = client.put(f"{YEARS}/2027", headers={**admin, "X-Correlation-Id": "cal-1"},
                          json={"days": NEW_YEAR_2027})

    assert response.status_code == 200, response.json
    assert (response.json["year"], response.json["version"], response.json["holidays"]) == (2027, 1, 3)
    assert response.json["days"][0] == {"date": "2027-01-01", "kind": "holiday", "kind_label": "放假",
                                        "name": "元旦"}
    [event] = table_rows("outbox")
    [audit] = table_rows("audit_log")
    body = json.loads(event.body)
    assert event.routing_key == "gateway.calendar.year_set"
    assert body["data"] == {"year": 2027, "version": 1, "days": NEW_YEAR_2027}
    assert (audit.action, audit.entity_type, audit.entity_id, audit.before) == (
        "calendar.year_set", "calendar_year", "2027", None)
    assert json.loads(audit.after) == body["data"]
    assert audit.correlation_id == body["correlation_id"] == "cal-1"
    assert verify_chain(db).ok


def test_replacing_a_year_makes_a_new_version_and_the_same_days_again_change_nothing(client, admin, table_rows):
    client.put(f"{YEARS}/2027", headers=admin, json={"days": NEW_YEAR_2027})
    again = client.put(f"{YEARS}/2027", headers=admin, json={"days": NEW_YEAR_2027})
    assert again.json["version"] == 1
    assert len(table_rows("outbox")) == len(table_rows("audit_log")) == 1

    changed = client.put(f"{YEARS}/2027", headers=admin,
                         json={"days": [*NEW_YEAR_2027, {"date": "2027-02-20", "kind": "workday"}]})
    assert (changed.json["version"], changed.json["workdays"]) == (2, 1)
    last_audit = table_rows("audit_log")[-1]
    assert json.loads(last_audit.before)["version"] == 1
    assert json.loads(table_rows("outbox")[-1].body)["data"]["version"] == 2


def test_an_admin_reads_the_entered_years_and_one_year(client, admin):
    client.put(f"{YEARS}/2027", headers=admin, json={"days": NEW_YEAR_2027})

    listed = client.get(YEARS, headers=admin)
    one = client.get(f"{YEARS}/2027", headers=admin)

    assert listed.status_code == one.status_code == 200
    first, last = package_years()
    assert listed.json["package"] == {"first": first, "last": last}
    [entry] = listed.json["entered"]
    assert (entry["year"], entry["version"], entry["holidays"], entry["workdays"]) == (2027, 1, 3, 0)
    assert entry["updated_by"].startswith("user:")
    assert [d["date"] for d in one.json["days"]] == ["2027-01-01", "2027-01-02", "2027-01-03"]


def test_a_year_nobody_entered_is_not_found(client, admin, envelope):
    envelope(client.get(f"{YEARS}/2031", headers=admin), 404)


@pytest.mark.parametrize(("days", "field"), [
    ([{"date": "2026-10-01", "kind": "holiday"}], "days"),                 # not in the year of the URL
    ([{"date": "2027-10-01", "kind": "holiday"}] * 2, "days"),             # listed twice
    ([{"date": "2027-10-01", "kind": "vacation"}], "days"),                # unknown kind
    ([{"date": "2027-13-01", "kind": "holiday"}], "days"),                 # not a date
    ([], "days"),                                                          # nothing listed
])
def test_a_malformed_year_is_refused_and_nothing_is_written(client, admin, table_rows, envelope, days, field):
    body = envelope(client.put(f"{YEARS}/2027", headers=admin, json={"days": days}), 422)
    assert field in json.dumps(body["errors"])
    assert table_rows("calendar_years") == table_rows("outbox") == table_rows("audit_log") == []


@pytest.mark.parametrize("method", ["get", "put"])
def test_only_admins_may_read_or_enter_years(client, bearer, envelope, method):
    call = getattr(client, method)
    envelope(call(f"{YEARS}/2027", json={"days": NEW_YEAR_2027}), 401)
    envelope(call(f"{YEARS}/2027", headers=bearer(INSPECTOR), json={"days": NEW_YEAR_2027}), 403)
    assert call(f"{YEARS}/2027", headers=bearer(ADMIN), json={"days": NEW_YEAR_2027}).status_code in (200, 404)


# -- the command line -------------------------------------------------------------------------------
@pytest.fixture
def duban(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``duban(*args)`` → the ``duban`` command run in a fresh embedded data folder."""
    monkeypatch.setenv("DUBAN_DATA", str(tmp_path / "var"))
    for name in ("DUBAN_MODE", "DUBAN_CALENDAR_FILE", "DATABASE_URL", "DUBAN_TIMEZONE", "DUBAN_WORKDAY_CLOSE"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, list(args))

    return run


def test_set_year_makes_workdays_add_skip_the_new_holidays_without_the_provisional_flag(duban):
    before = duban("workdays", "add", "2026-12-30", "5")
    assert before.exit_code == 0, before.output
    assert before.stdout == "2027-01-06\n"
    assert "(provisional: year 2027 not in the holiday calendar)" in before.stderr

    entered = duban("calendar", "set-year", str(EXAMPLE))
    assert entered.exit_code == 0, entered.output
    assert "version 1" in entered.stdout

    after = duban("workdays", "add", "2026-12-30", "5")
    assert after.exit_code == 0, after.output
    assert after.stdout == "2027-01-07\n"  # 12-31, then 01-04 … 01-07: 元旦 01-01 is skipped
    assert after.stderr == ""
    check = duban("workdays", "check", "2027-02-20")
    assert check.stdout.splitlines() == ["2027-02-20 星期六: 工作日", "year 2027: in the holiday calendar"]


def test_set_year_refuses_a_malformed_file_naming_the_line_and_enters_nothing(duban, tmp_path):
    bad = tmp_path / "2027.txt"
    bad.write_text("# 2027\n2027-01-01 holiday 元旦\n2027-01-02 holidya 元旦\n", encoding="utf-8")

    result = duban("calendar", "set-year", str(bad))

    assert result.exit_code == 1
    assert "line 3: 'holidya' is neither holiday nor workday" in result.stderr
    assert "nothing was entered" in result.stderr
    assert duban("calendar", "years").stdout == ""
    assert "provisional" in duban("workdays", "add", "2026-12-30", "5").stderr


def test_show_prints_an_entered_year_that_set_year_reads_back(duban, tmp_path):
    duban("calendar", "set-year", str(EXAMPLE))
    shown = duban("calendar", "show", "2027")
    assert shown.exit_code == 0, shown.output
    copy = tmp_path / "copy.txt"
    copy.write_text(shown.stdout, encoding="utf-8")

    again = duban("calendar", "set-year", str(copy))

    assert "unchanged (version 1)" in again.stdout
    assert duban("calendar", "years").stdout.startswith("2027 v1 ")
    assert duban("calendar", "show", "2031").exit_code == 1
