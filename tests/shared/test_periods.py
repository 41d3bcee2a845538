"""Reporting periods (统计周期): year, quarter, month and explicit date ranges, in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.errors import InvalidInput
from shared.periods import current_quarter, parse_period, period_between

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("text", "label", "start", "end"), [
    ("2026", "2026", sh(2026, 1, 1), sh(2027, 1, 1)),
    ("2026Q1", "2026Q1", sh(2026, 1, 1), sh(2026, 4, 1)),
    ("2026q4", "2026Q4", sh(2026, 10, 1), sh(2027, 1, 1)),
    ("2026-02", "2026-02", sh(2026, 2, 1), sh(2026, 3, 1)),
    ("2026-12", "2026-12", sh(2026, 12, 1), sh(2027, 1, 1)),
    (" 2026Q3 ", "2026Q3", sh(2026, 7, 1), sh(2026, 10, 1)),
])
def test_a_period_label_becomes_a_half_open_local_interval(text, label, start, end):
    period = parse_period(text, SHANGHAI)

    assert (period.label, period.start, period.end) == (label, start, end)
    assert period.start.utcoffset() == period.end.utcoffset() == sh(2026, 1, 1).utcoffset()


def test_a_beijing_quarter_starts_at_16_00_utc_the_day_before():
    assert parse_period("2026Q4", SHANGHAI).start == datetime(2026, 9, 30, 16, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026Q0", "2026Q5", "2026-00", "2026-13", "2026-1", "26Q4", "Q4 2026", "",
                                  "2026-11-01", "last quarter"])
def test_an_unrecognised_period_is_invalid_input_naming_the_field(text):
    with pytest.raises(InvalidInput) as raised:
        parse_period(text, SHANGHAI)

    assert "period" in raised.value.errors


@pytest.mark.parametrize("text", ["0000", "9999", "9999Q4", "9999-12", "0001Q1", "1999Q4", "2101", "2101-01"])
def test_a_year_outside_the_calendar_is_invalid_input(text):
    with pytest.raises(InvalidInput):
        parse_period(text, SHANGHAI)


def test_a_date_range_includes_both_ends():
    period = period_between(date(2026, 11, 1), date(2026, 11, 30), SHANGHAI)

    assert (period.label, period.start, period.end) == ("2026-11-01..2026-11-30", sh(2026, 11, 1), sh(2026, 12, 1))


def test_a_single_day_range_is_that_day():
    period = period_between(date(2026, 11, 23), date(2026, 11, 23), SHANGHAI)

    assert (period.start, period.end) == (sh(2026, 11, 23), sh(2026, 11, 24))


def test_a_range_ending_before_it_starts_is_invalid_input():
    with pytest.raises(InvalidInput) as raised:
        period_between(date(2026, 11, 30), date(2026, 11, 1), SHANGHAI)

    assert "to" in raised.value.errors


@pytest.mark.parametrize(("start", "end"), [(date(1, 1, 1), date(2026, 1, 1)), (date(1999, 12, 31), date(2026, 1, 1)),
                                            (date(2026, 1, 1), date(2101, 1, 1))])
def test_a_range_outside_2000_to_2100_is_invalid_input(start, end):
    with pytest.raises(InvalidInput):
        period_between(start, end, SHANGHAI)


def test_the_years_2000_and_2100_are_inside():
    assert parse_period("2000Q1", SHANGHAI).start == sh(2000, 1, 1)
    assert parse_period("2100-12", SHANGHAI).end == sh(2101, 1, 1)


def test_a_range_ending_on_the_last_representable_day_is_invalid_input_not_a_crash():
    with pytest.raises(InvalidInput):
        period_between(date(9999, 12, 1), date(9999, 12, 31), SHANGHAI)


@pytest.mark.parametrize(("now", "label"), [
    (datetime(2026, 9, 30, 15, 59, tzinfo=UTC), "2026Q3"),  # 23:59 in Beijing
    (datetime(2026, 9, 30, 16, 0, tzinfo=UTC), "2026Q4"),  # midnight in Beijing
    (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "2027Q1"),
])
def test_the_current_quarter_is_the_beijing_quarter_of_now(now, label):
    assert current_quarter(now, SHANGHAI).label == label


def test_periods_follow_the_time_zone_they_are_asked_in():
    utc = parse_period("2026-11", ZoneInfo("UTC"))

    assert utc.start == datetime(2026, 11, 1, tzinfo=UTC)
    assert utc.start - parse_period("2026-11", SHANGHAI).start == (sh(2026, 1, 1).utcoffset())


def test_a_time_before_1901_is_never_shown_with_a_local_mean_time_offset():
    """Asia/Shanghai before 1901 is LMT (+08:05:43), which RFC 3339 cannot express: such a time is shown in UTC."""
    from shared.schemas import LocalDateTime

    shown = LocalDateTime().serialize("at", {"at": datetime(1900, 1, 1, 2, 0, tzinfo=UTC)})

    assert shown == "1900-01-01T02:00:00+00:00"
