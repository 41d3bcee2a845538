"""Entered holiday years: the year file format, and a ``WorkCalendar`` following what an admin entered.

The example 2027 file (docs/examples) has 01-01..01-03 off, so 5 working days after Wed 2026-12-30
are 12-31, 01-04, 01-05, 01-06, 01-07; with weekends only they would end on 01-06.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shared.calendar import Deadline, TimeLimit, WorkCalendar
from shared.calendar_schedule import (
    DayKind,
    ScheduledDay,
    ScheduleError,
    YearSchedule,
    format_year_file,
    parse_year_file,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "holidays-2027.example.txt"


def example_2027() -> YearSchedule:
    return parse_year_file(EXAMPLE.read_text(encoding="utf-8"))


class FakeEnteredYears:
    """What a service's replica table would return; counts the reads so the refresh rate is visible."""

    def __init__(self, *schedules: YearSchedule) -> None:
        self.schedules = {s.year: s for s in schedules}
        self.version = 1
        self.stamps = self.loads = 0

    def set(self, schedule: YearSchedule) -> None:
        self.schedules[schedule.year] = schedule
        self.version += 1

    def stamp(self) -> Hashable:
        self.stamps += 1
        return self.version

    def load(self) -> tuple[Hashable, dict[int, YearSchedule]]:
        self.loads += 1
        return self.version, dict(self.schedules)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# -- the year file ---------------------------------------------------------------------------------

def test_the_example_file_parses_into_one_sorted_year() -> None:
    schedule = example_2027()
    assert schedule.year == 2027
    assert schedule.days[0] == ScheduledDay(date(2027, 1, 1), DayKind.HOLIDAY, "元旦")
    assert [d.day for d in schedule.days] == sorted(d.day for d in schedule.days)
    assert ScheduledDay(date(2027, 2, 20), DayKind.WORKDAY, "春节调休") in schedule.days


def test_a_year_file_round_trips_through_its_printed_form() -> None:
    schedule = example_2027()
    assert parse_year_file(format_year_file(schedule)) == schedule
    assert YearSchedule.from_data(2027, schedule.to_data()) == schedule


@pytest.mark.parametrize(("text", "line", "message"), [
    ("2027-01-01 holiday 元旦\n2027/01/02 holiday 元旦\n", 2, "expected 'YYYY-MM-DD holiday|workday"),
    ("# 注释\n\n2027-02-30 holiday 春节\n", 3, "not a valid date"),
    ("2027-01-01 vacation 元旦\n", 1, "neither holiday nor workday"),
    ("2027-01-01 holiday 元旦\n2028-01-01 holiday 元旦\n", 2, "a file holds one year"),
    ("2027-01-01 holiday 元旦\n2027-01-02 holiday\n2027-01-01 workday 调休\n", 3, "already listed on line 1"),
    ("2027-01-01\n", 1, "expected"),
    ("2027-01-01 holiday " + "节" * 60 + "\n", 1, "name longer than"),
])
def test_a_malformed_year_file_is_refused_naming_the_line_at_fault(text: str, line: int, message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as error:
        parse_year_file(text)
    assert error.value.line == line
    assert str(error.value).startswith(f"line {line}: ")


def test_an_empty_year_file_is_refused() -> None:
    with pytest.raises(ScheduleError, match="no days listed"):
        parse_year_file("# nothing yet\n\n")


def test_days_from_an_api_body_must_belong_to_the_year_and_appear_once() -> None:
    with pytest.raises(ScheduleError, match="not in 2027"):
        YearSchedule.from_data(2027, [{"date": "2026-10-01", "kind": "holiday", "name": ""}])
    with pytest.raises(ScheduleError, match="listed twice"):
        YearSchedule.from_data(2027, [{"date": "2027-10-01", "kind": "holiday"}] * 2)
    with pytest.raises(ScheduleError, match="kind holiday\\|workday"):
        YearSchedule.from_data(2027, [{"date": "2027-10-01", "kind": "off"}])


# -- the calendar follows the entered years --------------------------------------------------------

def test_an_entered_year_is_known_and_its_holidays_are_skipped() -> None:
    cal = WorkCalendar(entered=FakeEnteredYears(example_2027()))
    assert cal.is_known_year(2027)
    assert cal.source_of(2027) == "entered"
    assert cal.add_workdays(date(2026, 12, 30), 5) == (date(2027, 1, 7), False)
    assert cal.is_workday(date(2027, 2, 20))  # a make-up Saturday
    assert not cal.is_workday(date(2027, 10, 6))
    assert cal.due(datetime(2026, 12, 30, 10, tzinfo=SHANGHAI), TimeLimit.workdays(5)) == Deadline(
        datetime(2027, 1, 8, tzinfo=SHANGHAI), False)


def test_without_the_entered_year_the_same_count_is_provisional() -> None:
    cal = WorkCalendar(entered=FakeEnteredYears())
    assert cal.source_of(2027) is None
    assert cal.add_workdays(date(2026, 12, 30), 5) == (date(2027, 1, 6), True)


def test_an_entered_year_wins_over_the_package_and_the_override_file() -> None:
    # An admin corrects 2026: National Day moved a week later (a made-up correction).
    moved = YearSchedule.of(2026, [ScheduledDay(date(2026, 10, 12), DayKind.HOLIDAY, "测试")])
    cal = WorkCalendar(overrides={date(2026, 10, 13): False}, known_years=[2026],
                       entered=FakeEnteredYears(moved))
    assert cal.source_of(2026) == "entered"
    assert cal.is_workday(date(2026, 10, 1))       # the package's holiday no longer applies
    assert not cal.is_workday(date(2026, 10, 10))  # nor its make-up Saturday
    assert not cal.is_workday(date(2026, 10, 12))
    assert cal.is_workday(date(2026, 10, 13))      # nor the override file's day
    assert WorkCalendar().source_of(2026) == "package"


def test_the_calendar_rechecks_the_entered_years_at_most_every_refresh_interval() -> None:
    source, clock = FakeEnteredYears(), FakeMonotonic()
    cal = WorkCalendar(entered=source, refresh_seconds=5.0, monotonic=clock)
    assert cal.add_workdays(date(2026, 12, 30), 5) == (date(2027, 1, 6), True)
    revision = cal.revision
    for _ in range(50):
        cal.is_workday(date(2027, 1, 4))
    assert source.stamps == 1  # one look at the fingerprint, then none until the interval passes

    source.set(example_2027())
    clock.now += 4.9
    assert cal.add_workdays(date(2026, 12, 30), 5) == (date(2027, 1, 6), True)  # not yet seen
    clock.now += 0.2
    assert cal.add_workdays(date(2026, 12, 30), 5) == (date(2027, 1, 7), False)
    assert cal.revision == revision + 1
    assert source.loads == 2


def test_an_unchanged_fingerprint_does_not_reload_the_years() -> None:
    source, clock = FakeEnteredYears(example_2027()), FakeMonotonic()
    cal = WorkCalendar(entered=source, refresh_seconds=1.0, monotonic=clock)
    cal.is_workday(date(2027, 1, 4))
    clock.now += 10
    cal.is_workday(date(2027, 1, 4))
    assert (source.stamps, source.loads) == (2, 1)


def test_monitoring_reminders_follow_a_year_entered_while_running() -> None:
    """The sweep's cached answers key on the calendar's revision, so a new year is not hidden by them."""
    from services.monitoring.model import workdays_after

    source = FakeEnteredYears()
    cal = WorkCalendar(entered=source, refresh_seconds=0)
    due = datetime(2026, 12, 31, tzinfo=SHANGHAI)  # the close of 12-30
    assert workdays_after(cal, due, 2) == datetime(2027, 1, 2, tzinfo=SHANGHAI)  # 12-31, 01-01 (weekdays)
    source.set(example_2027())
    assert workdays_after(cal, due, 2) == datetime(2027, 1, 5, tzinfo=SHANGHAI)  # 12-31, 01-04


def test_while_one_thread_rereads_the_years_others_answer_with_what_is_loaded() -> None:
    import threading

    class SlowYears(FakeEnteredYears):
        def __init__(self) -> None:
            super().__init__()
            self.entered, self.release = threading.Event(), threading.Event()
            self.slow = False

        def stamp(self) -> Hashable:
            if self.slow:
                self.entered.set()
                assert self.release.wait(10)
            return super().stamp()

    source, clock = SlowYears(), FakeMonotonic()
    cal = WorkCalendar(entered=source, refresh_seconds=1.0, monotonic=clock)
    assert cal.is_workday(date(2027, 1, 1))  # first load: weekends only
    source.set(example_2027())
    source.slow, clock.now = True, clock.now + 2
    rereading = threading.Thread(target=cal.is_workday, args=(date(2027, 1, 1),))
    rereading.start()
    assert source.entered.wait(10)

    assert cal.is_workday(date(2027, 1, 1))  # answered at once, from the years already loaded

    source.release.set()
    rereading.join(10)
    assert not cal.is_workday(date(2027, 1, 1))
