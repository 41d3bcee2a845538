"""``WorkCalendar.close_of`` and ``workdays_before``: the questions monitoring asks for reminders.

2026 National Day (chinesecalendar 1.11): 10-01..10-07 off, Sat 10-10 a make-up working day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.calendar import TimeLimit, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_close_of_a_day_is_the_due_time_of_a_limit_ending_that_day() -> None:
    cal = WorkCalendar()
    assert cal.close_of(date(2026, 10, 8)) == datetime(2026, 10, 9, tzinfo=SHANGHAI)
    late = WorkCalendar(close="18:00")
    assert late.close_of(date(2026, 10, 8)) == datetime(2026, 10, 8, 18, tzinfo=SHANGHAI)
    start = datetime(2026, 10, 8, 12, tzinfo=SHANGHAI)
    assert cal.close_of(date(2026, 10, 8)) == cal.due(start, TimeLimit.days(0)).due_at


@pytest.mark.parametrize(("day", "n", "expected"), [
    (date(2026, 10, 8), 0, date(2026, 10, 8)),
    (date(2026, 10, 8), 1, date(2026, 9, 30)),    # over the National Day holiday
    (date(2026, 10, 12), 1, date(2026, 10, 10)),  # the make-up Saturday counts
    (date(2026, 10, 12), 3, date(2026, 10, 8)),
    (date(2026, 10, 11), 1, date(2026, 10, 10)),  # a rest day as the start
    (date(2026, 1, 5), 2, date(2025, 12, 31)),    # across the year boundary (01-01 off, 01-04 a make-up Sunday)
])
def test_workdays_before_counts_back_over_holidays_and_make_up_days(day: date, n: int, expected: date) -> None:
    assert WorkCalendar().workdays_before(day, n) == expected


def test_workdays_before_agrees_with_stepping_back_a_day_at_a_time() -> None:
    cal = WorkCalendar()
    for offset in range(0, 400, 7):
        day = date(2026, 1, 3) + timedelta(days=offset)
        for n in (1, 2, 5, 23):
            walked = day
            for _ in range(n):
                walked -= timedelta(days=1)
                while not cal.is_workday(walked):
                    walked -= timedelta(days=1)
            assert cal.workdays_before(day, n) == walked, (day, n)


def test_workdays_before_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        WorkCalendar().workdays_before(date(2026, 10, 8), -1)
