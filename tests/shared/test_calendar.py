"""The working-day calendar: DESIGN §5 time rules, checked against the 2026 National Day schedule.

Facts used (国务院办公厅 2026 schedule, as in chinesecalendar 1.11): Thu 10-01 .. Wed 10-07 are
holidays, Sat 10-10 is a make-up working day (调休), Sun 10-11 is a rest day, Tue 09-29, Wed 09-30,
Thu 10-08, Fri 10-09 and Mon 10-12 are working days. The package knows 2004–2026, not 2027.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from click.testing import CliRunner
from prometheus_client import REGISTRY

from shared import calendar as calendar_module
from shared.calendar import Deadline, TimeLimit, TimeUnit, WorkCalendar
from shared.calendar_cli import workdays
from shared.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def provisional_count(year: int) -> float:
    value = REGISTRY.get_sample_value("duban_calendar_provisional_total", {"year": str(year)})
    return value or 0.0


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which years were already warned about, so the once-per-process warning shows again."""
    monkeypatch.setattr(calendar_module, "_warned", calendar_module._OncePerYear())


def write_overrides(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "calendar.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


OVERRIDES_2027 = {"years": {"2027": {
    "source": "test schedule",
    "holidays": ["2027-01-01"],
    "workdays": ["2027-02-20"],  # a Saturday
}}}


# -- time limits -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("limit", "label"), [
    (TimeLimit.workdays(5), "5个工作日"),
    (TimeLimit.hours(2), "2小时"),
    (TimeLimit.minutes(15), "15分钟"),
    (TimeLimit.days(3), "3个自然日"),
])
def test_time_limit_has_a_chinese_label(limit: TimeLimit, label: str) -> None:
    assert limit.label_zh() == label


def test_time_limit_rejects_a_negative_amount() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        TimeLimit.workdays(-1)


def test_time_limit_rejects_a_fractional_amount() -> None:
    with pytest.raises(ValueError, match="int"):
        TimeLimit(1.5, TimeUnit.NATURAL_HOURS)  # type: ignore[arg-type]


def test_time_limit_accepts_the_stored_unit_string() -> None:
    assert TimeLimit(5, "working_days").unit is TimeUnit.WORKING_DAYS  # type: ignore[arg-type]


# -- which days are working days -------------------------------------------------------------------

@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 9, 29), True),
    (date(2026, 9, 30), True),
    *[(date(2026, 10, d), False) for d in range(1, 8)],
    (date(2026, 10, 8), True),
    (date(2026, 10, 9), True),
    (date(2026, 10, 10), True),  # Saturday make-up day
    (date(2026, 10, 11), False),
    (date(2026, 10, 12), True),
])
def test_national_day_2026_holidays_and_make_up_day(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_workday(day) is working


@pytest.mark.parametrize(("year", "known"), [(2003, False), (2004, True), (2026, True), (2027, False)])
def test_known_years_are_those_chinesecalendar_covers(cal: WorkCalendar, year: int, known: bool) -> None:
    assert cal.is_known_year(year) is known


def test_overrides_win_over_chinesecalendar() -> None:
    cal = WorkCalendar(overrides={date(2026, 10, 12): False})
    assert not cal.is_workday(date(2026, 10, 12))
    # 10-12 no longer counts, so the fifth working day after 09-29 moves from 10-12 to 10-13.
    assert cal.due(sh(2026, 9, 29, 9), TimeLimit.workdays(5)).due_at == sh(2026, 10, 14)


# -- add_workdays ----------------------------------------------------------------------------------

def test_add_workdays_never_counts_the_start_day_even_a_working_one(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 9, 30), 1) == (date(2026, 10, 8), False)


def test_add_workdays_counts_a_saturday_make_up_day(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 10, 9), 1) == (date(2026, 10, 10), False)
    assert cal.add_workdays(date(2026, 10, 10), 1) == (date(2026, 10, 12), False)


def test_add_zero_workdays_returns_the_day_itself(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 10, 3), 0) == (date(2026, 10, 3), False)


def test_add_negative_workdays_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        cal.add_workdays(date(2026, 10, 3), -1)


def test_add_workdays_agrees_with_stepping_day_by_day_through_chinesecalendar(cal: WorkCalendar) -> None:
    start = date(2025, 1, 1)
    stepped, day = [], start
    while len(stepped) < 450:  # stays inside 2025–2026, both known to the package
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            stepped.append(day)
    for n in range(1, 451):
        assert cal.add_workdays(start, n) == (stepped[n - 1], False)


def test_repeated_lookups_are_served_from_the_per_year_table(
        cal: WorkCalendar, monkeypatch: pytest.MonkeyPatch) -> None:
    cal.add_workdays(date(2026, 1, 1), 1)

    def refuse(day: date) -> bool:
        raise AssertionError(f"chinesecalendar asked again about {day}")

    monkeypatch.setattr(calendar_module.chinese_calendar, "is_workday", refuse)
    assert cal.add_workdays(date(2026, 1, 5), 200)[1] is False
    assert cal.is_workday(date(2026, 10, 10))


# -- due: working days -----------------------------------------------------------------------------

def test_one_working_day_from_national_day_eve_ends_at_close_of_october_8(cal: WorkCalendar) -> None:
    deadline = cal.due(sh(2026, 9, 30, 14), TimeLimit.workdays(1))
    assert deadline == Deadline(due_at=sh(2026, 10, 9), provisional=False)
    assert deadline.due_at.tzinfo == SHANGHAI


def test_five_working_days_skip_the_holiday_week_and_count_the_make_up_saturday(cal: WorkCalendar) -> None:
    # 09-30, 10-08, 10-09, 10-10 (Saturday make-up), 10-12 -> close of 10-12.
    deadline = cal.due(sh(2026, 9, 29, 9, 30), TimeLimit.workdays(5))
    assert deadline == Deadline(due_at=sh(2026, 10, 13), provisional=False)


def test_working_days_count_from_the_shanghai_day_of_a_utc_start(cal: WorkCalendar) -> None:
    # 2026-09-29T16:30Z is 09-30 00:30 in Shanghai: the first working day after it is 10-08, not 09-30.
    start = datetime(2026, 9, 29, 16, 30, tzinfo=UTC)
    deadline = cal.due(start, TimeLimit.workdays(1))
    assert deadline.due_at == sh(2026, 10, 9)
    assert deadline.due_at.tzinfo == SHANGHAI


def test_a_start_on_a_holiday_counts_from_the_next_working_day(cal: WorkCalendar) -> None:
    assert cal.due(sh(2026, 10, 3, 11), TimeLimit.workdays(2)).due_at == sh(2026, 10, 10)


def test_close_at_18_00_ends_the_day_at_six_in_the_evening() -> None:
    cal = WorkCalendar(close="18:00")
    assert cal.due(sh(2026, 9, 30, 14), TimeLimit.workdays(1)).due_at == sh(2026, 10, 8, 18)
    assert cal.due(sh(2026, 9, 29, 20), TimeLimit.workdays(5)).due_at == sh(2026, 10, 12, 18)


@pytest.mark.parametrize("close", ["00:00", "24:30", "25:00", "18:60", "6pm", ""])
def test_an_impossible_close_time_is_refused(close: str) -> None:
    with pytest.raises(ValueError, match="close"):
        WorkCalendar(close=close)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        WorkCalendar(timezone="Asia/Nowhere")


@pytest.mark.parametrize("method", ["due", "extend"])
def test_naive_datetimes_are_refused(cal: WorkCalendar, method: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        getattr(cal, method)(datetime(2026, 9, 30, 14), TimeLimit.workdays(1))


def test_working_days_between_refuses_naive_datetimes(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.working_days_between(datetime(2026, 9, 30), sh(2026, 10, 9))


# -- due: natural units ----------------------------------------------------------------------------

def test_natural_hours_run_straight_through_a_holiday_night(cal: WorkCalendar) -> None:
    deadline = cal.due(sh(2026, 9, 30, 23, 30), TimeLimit.hours(2))
    assert deadline == Deadline(due_at=sh(2026, 10, 1, 1, 30), provisional=False)


def test_natural_hours_from_a_utc_start_are_reported_in_shanghai_time(cal: WorkCalendar) -> None:
    deadline = cal.due(datetime(2026, 9, 30, 15, 30, tzinfo=UTC), TimeLimit.hours(2))
    assert deadline.due_at == sh(2026, 10, 1, 1, 30)
    assert deadline.due_at.tzinfo == SHANGHAI


@pytest.mark.parametrize(("minutes", "due_at"), [(15, sh(2026, 10, 1, 9, 5)), (30, sh(2026, 10, 1, 9, 20))])
def test_natural_minutes_are_exact_whatever_the_day(
        cal: WorkCalendar, minutes: int, due_at: datetime) -> None:
    assert cal.due(sh(2026, 10, 1, 8, 50), TimeLimit.minutes(minutes)).due_at == due_at


def test_natural_days_end_at_the_close_of_the_nth_calendar_day(cal: WorkCalendar) -> None:
    assert cal.due(sh(2026, 9, 30, 14), TimeLimit.days(3)) == Deadline(sh(2026, 10, 4), provisional=False)
    evening = WorkCalendar(close="18:00")
    assert evening.due(sh(2026, 9, 30, 14), TimeLimit.days(3)).due_at == sh(2026, 10, 3, 18)


def test_natural_days_count_from_the_shanghai_day_of_a_utc_start(cal: WorkCalendar) -> None:
    # 2026-09-30T17:00Z is 10-01 01:00 in Shanghai, so one natural day ends at the close of 10-02.
    start = datetime(2026, 9, 30, 17, tzinfo=UTC)
    assert cal.due(start, TimeLimit.days(1)).due_at == sh(2026, 10, 3)
    assert cal.due(start, TimeLimit.workdays(1)).due_at == sh(2026, 10, 9)


# -- extend ----------------------------------------------------------------------------------------

def test_extend_counts_from_the_day_whose_24_00_close_is_the_due_time(cal: WorkCalendar) -> None:
    # 10-09 00:00 is the close of 10-08, so one more working day is 10-09, closing at 10-10 00:00.
    assert cal.extend(sh(2026, 10, 9), TimeLimit.workdays(1)) == Deadline(sh(2026, 10, 10), False)
    assert cal.extend(sh(2026, 10, 9), TimeLimit.workdays(2)).due_at == sh(2026, 10, 11)


def test_extend_with_an_18_00_close_counts_from_that_day(cal: WorkCalendar) -> None:
    cal = WorkCalendar(close="18:00")
    assert cal.extend(sh(2026, 10, 8, 18), TimeLimit.workdays(1)).due_at == sh(2026, 10, 9, 18)


def test_extend_from_a_due_time_between_closes_counts_from_the_day_not_yet_closed(cal: WorkCalendar) -> None:
    # 10-09 10:00 lies inside 10-09, whose close is still ahead: one working day more is 10-10.
    assert cal.extend(sh(2026, 10, 9, 10), TimeLimit.workdays(1)).due_at == sh(2026, 10, 11)


def test_extend_accepts_a_due_time_given_in_utc(cal: WorkCalendar) -> None:
    due_at = datetime(2026, 10, 8, 16, tzinfo=UTC)  # 10-09 00:00 in Shanghai
    extended = cal.extend(due_at, TimeLimit.workdays(1))
    assert extended.due_at == sh(2026, 10, 10)
    assert extended.due_at.tzinfo == SHANGHAI


def test_extend_by_natural_units_adds_days_or_duration(cal: WorkCalendar) -> None:
    assert cal.extend(sh(2026, 10, 9), TimeLimit.days(3)).due_at == sh(2026, 10, 12)
    assert cal.extend(sh(2026, 10, 9), TimeLimit.hours(2)).due_at == sh(2026, 10, 9, 2)
    assert cal.extend(sh(2026, 10, 9), TimeLimit.minutes(30)).due_at == sh(2026, 10, 9, 0, 30)


# -- working_days_between --------------------------------------------------------------------------

def test_working_days_between_counts_days_closed_in_the_interval(cal: WorkCalendar) -> None:
    # Closed in (09-30 14:00, 10-13 00:00]: 09-30, 10-08, 10-09, 10-10, 10-12.
    assert cal.working_days_between(sh(2026, 9, 30, 14), sh(2026, 10, 13)) == 5
    assert cal.working_days_between(sh(2026, 9, 30, 14), sh(2026, 10, 12, 23, 59)) == 4


def test_working_days_between_is_zero_over_the_holiday_week(cal: WorkCalendar) -> None:
    # 09-30 closes exactly at the (excluded) start; 10-01..10-07 are holidays.
    assert cal.working_days_between(sh(2026, 10, 1), sh(2026, 10, 8)) == 0


def test_working_days_between_is_zero_when_end_is_not_after_start(cal: WorkCalendar) -> None:
    assert cal.working_days_between(sh(2026, 10, 13), sh(2026, 9, 30)) == 0
    assert cal.working_days_between(sh(2026, 10, 13), sh(2026, 10, 13)) == 0


def test_working_days_between_uses_the_configured_close() -> None:
    cal = WorkCalendar(close="18:00")
    assert cal.working_days_between(sh(2026, 9, 30, 14), sh(2026, 10, 8, 18)) == 2
    assert cal.working_days_between(sh(2026, 9, 30, 14), sh(2026, 10, 8, 17, 59)) == 1


def test_working_days_between_tells_overdue_by_more_than_five_working_days(cal: WorkCalendar) -> None:
    due_at = cal.due(sh(2026, 9, 30, 14), TimeLimit.workdays(1)).due_at  # 10-09 00:00
    # Closed since: 10-09, 10-10, 10-12, 10-13, 10-14, 10-15.
    assert cal.working_days_between(due_at, sh(2026, 10, 16, 10)) == 6


# -- years the package does not know ---------------------------------------------------------------

def test_unknown_year_counts_weekends_only_and_is_provisional(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2027, 1, 8), 1) == (date(2027, 1, 11), True)  # Fri -> Mon
    # Weekends only: Fri 2027-10-01 counts, though National Day will surely be a holiday.
    deadline = cal.due(sh(2027, 9, 30, 10), TimeLimit.workdays(1))
    assert deadline == Deadline(due_at=sh(2027, 10, 2), provisional=True)


def test_crossing_into_an_unknown_year_makes_the_deadline_provisional(cal: WorkCalendar) -> None:
    day, provisional = cal.add_workdays(date(2026, 12, 31), 1)
    assert day.year == 2027
    assert provisional


def test_natural_limits_in_an_unknown_year_are_not_provisional(cal: WorkCalendar) -> None:
    assert not cal.due(sh(2027, 5, 1), TimeLimit.days(3)).provisional
    assert not cal.due(sh(2027, 5, 1), TimeLimit.hours(3)).provisional


def test_unknown_year_counts_the_metric_per_deadline(cal: WorkCalendar) -> None:
    before = provisional_count(2027)
    cal.due(sh(2027, 3, 1), TimeLimit.workdays(3))
    cal.extend(sh(2027, 3, 4), TimeLimit.workdays(2))
    assert provisional_count(2027) == before + 2


@pytest.mark.usefixtures("fresh_warnings")
def test_unknown_year_logs_one_warning_per_year(cal: WorkCalendar, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="shared.calendar")
    cal.due(sh(2027, 3, 1), TimeLimit.workdays(3))
    cal.due(sh(2027, 6, 1), TimeLimit.workdays(3))
    WorkCalendar().is_workday(date(2027, 6, 7))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].year == 2027  # type: ignore[attr-defined]


def test_large_counts_across_unknown_years_do_not_crash(cal: WorkCalendar) -> None:
    day, provisional = cal.add_workdays(date(2026, 1, 1), 2000)
    assert day.year in (2033, 2034)  # about 250 working days a year
    assert provisional
    assert cal.working_days_between(sh(2026, 1, 1), sh(2030, 1, 1)) > 900


# -- override file ---------------------------------------------------------------------------------

def test_override_file_makes_2027_known(tmp_path: Path) -> None:
    path = write_overrides(tmp_path, OVERRIDES_2027)
    overrides, years = WorkCalendar.load_overrides(path)
    assert overrides == {date(2027, 1, 1): False, date(2027, 2, 20): True}
    assert years == {2027}

    before = provisional_count(2027)
    cal = WorkCalendar.from_settings(Settings(calendar_file=path))
    assert cal.is_known_year(2027)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 20))
    # After 2026-12-31: Fri 01-01 holiday, then the weekend, so Mon 01-04.
    assert cal.add_workdays(date(2026, 12, 31), 1) == (date(2027, 1, 4), False)
    assert cal.add_workdays(date(2027, 2, 19), 1) == (date(2027, 2, 20), False)
    assert provisional_count(2027) == before


def test_constructor_overrides_with_known_years_are_not_provisional() -> None:
    cal = WorkCalendar(overrides={date(2027, 1, 1): False}, known_years=[2027])
    assert cal.due(sh(2026, 12, 31, 9), TimeLimit.workdays(1)) == Deadline(sh(2027, 1, 5), False)


def test_settings_set_zone_and_close() -> None:
    cal = WorkCalendar.from_settings(Settings(timezone="Asia/Shanghai", workday_close="18:00"))
    assert cal.tz == SHANGHAI
    assert cal.due(sh(2026, 9, 30, 14), TimeLimit.workdays(1)).due_at == sh(2026, 10, 8, 18)


@pytest.mark.parametrize(("content", "message"), [
    ("{", "not valid JSON"),
    ({}, '"years"'),
    ({"years": {"2027": {}}, "extra": 1}, "unexpected top-level keys"),
    ({"years": {"27": {}}}, "four-digit year"),
    ({"years": {"2027": []}}, "must be an object"),
    ({"years": {"2027": {"holiday": ["2027-01-01"]}}}, "unexpected keys"),
    ({"years": {"2027": {"holidays": "2027-01-01"}}}, "must be a list"),
    ({"years": {"2027": {"holidays": ["2027/01/01"]}}}, "not a YYYY-MM-DD date"),
    ({"years": {"2027": {"holidays": ["2027-02-30"]}}}, "not a valid date"),
    ({"years": {"2027": {"holidays": ["2026-10-01"]}}}, "not in 2027"),
    ({"years": {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}}},
     "both holiday and workday"),
])
def test_malformed_override_file_is_refused_with_a_clear_message(
        tmp_path: Path, content: object, message: str) -> None:
    path = write_overrides(tmp_path, content)
    with pytest.raises(ValueError, match=message) as error:
        WorkCalendar.load_overrides(path)
    assert str(path) in str(error.value)


# -- machine time zone -----------------------------------------------------------------------------

@pytest.fixture
def machine_tz(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[None]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("machine_tz", ["America/Los_Angeles", "Pacific/Kiritimati", "UTC"], indirect=True)
@pytest.mark.usefixtures("machine_tz")
def test_results_do_not_depend_on_the_machine_time_zone() -> None:
    assert os.environ["TZ"] != "Asia/Shanghai"
    cal = WorkCalendar()
    assert cal.due(datetime(2026, 9, 29, 16, 30, tzinfo=UTC), TimeLimit.workdays(1)).due_at == sh(2026, 10, 9)
    assert cal.due(sh(2026, 9, 29, 9), TimeLimit.workdays(5)).due_at == sh(2026, 10, 13)
    assert cal.due(datetime(2026, 9, 30, 17, tzinfo=UTC), TimeLimit.days(1)).due_at == sh(2026, 10, 3)
    assert cal.extend(sh(2026, 10, 9), TimeLimit.workdays(1)).due_at == sh(2026, 10, 10)
    assert cal.working_days_between(sh(2026, 9, 30, 14), sh(2026, 10, 13)) == 5


# -- command line ----------------------------------------------------------------------------------

@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for name in ("DUBAN_CALENDAR_FILE", "DUBAN_TIMEZONE", "DUBAN_WORKDAY_CLOSE", "DUBAN_MODE"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def test_cli_add_prints_the_date_n_working_days_later(runner: CliRunner) -> None:
    # After 09-30: 10-08, 10-09, 10-10, 10-12, 10-13.
    result = runner.invoke(workdays, ["add", "2026-09-30", "5"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-10-13\n"
    assert result.stderr == ""


def test_cli_add_notes_a_provisional_year_on_stderr(runner: CliRunner) -> None:
    result = runner.invoke(workdays, ["add", "2027-01-08", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "2027-01-11\n"
    assert "(provisional: year 2027 not in the holiday calendar)" in result.stderr


def test_cli_add_over_hundreds_of_unknown_years_prints_one_summary_line() -> None:
    """Not a warning per year (384 of them): the answer, and one line saying which years are provisional."""
    env = {k: v for k, v in os.environ.items() if k != "DUBAN_CALENDAR_FILE"}
    result = subprocess.run([sys.executable, "-m", "gateway.cli", "workdays", "add", "2026-09-30", "100000"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2410-01-26\n"
    assert result.stderr.splitlines() == [
        "(provisional: years 2027–2410 (384 years) not in the holiday calendar)"]


def test_cli_add_uses_the_override_file_from_the_environment(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_CALENDAR_FILE", str(write_overrides(tmp_path, OVERRIDES_2027)))
    result = runner.invoke(workdays, ["add", "2026-12-31", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "2027-01-04\n"
    assert "provisional" not in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["add", "2026-13-01", "1"], "not a date"),
    (["add", "yesterday", "1"], "not a date"),
    (["add", "2026-09-30", "-1"], "-1 is not in the range"),
    (["check", "2026-02-30"], "not a date"),
])
def test_cli_refuses_bad_arguments(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(workdays, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_reports_a_malformed_override_file(
        runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_CALENDAR_FILE", str(write_overrides(tmp_path, "{")))
    result = runner.invoke(workdays, ["check", "2026-10-10"])
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr


@pytest.mark.parametrize(("day", "expected"), [
    ("2026-10-10", "2026-10-10 星期六: 工作日"),
    ("2026-10-11", "2026-10-11 星期日: 休息日"),
    ("2026-10-01", "2026-10-01 星期四: 休息日"),
])
def test_cli_check_says_working_or_rest_day(runner: CliRunner, day: str, expected: str) -> None:
    result = runner.invoke(workdays, ["check", day])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [expected, f"year {day[:4]}: in the holiday calendar"]


def test_cli_check_says_when_the_year_is_not_known(runner: CliRunner) -> None:
    result = runner.invoke(workdays, ["check", "2027-01-04"])
    assert result.exit_code == 0, result.output
    assert "工作日" in result.stdout
    assert "year 2027: not in the holiday calendar" in result.stdout
