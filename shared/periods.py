"""Reporting periods (统计周期): ``2026``, ``2026Q4``, ``2026-11``, or explicit from/to dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime  # inclusive, aware
    end: datetime    # exclusive, aware


def _at_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _next_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


# The years an administrative record can be about: nothing before the systems existed, nothing a
# working-day calendar could be asked about in earnest. Outside them a date is a typo or a probe, and
# early years would be shown with local mean time offsets (+08:05:43) that RFC 3339 does not allow.
MIN_YEAR, MAX_YEAR = 2000, 2100


def _check_year(year: int, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"年份超出范围 / year must be between {MIN_YEAR} and {MAX_YEAR}",
                           {field: [f"year {year} out of range"]})


def parse_period(text: str, tz: ZoneInfo) -> Period:
    """Period from its label, in local administrative time; 422 with a clear message otherwise."""
    text = text.strip()
    if m := re.match(r"^(\d{4})", text):
        _check_year(int(m[1]), "period")
    if m := _YEAR.match(text):
        year = int(m[1])
        return Period(text, _at_midnight(date(year, 1, 1), tz), _at_midnight(date(year + 1, 1, 1), tz))
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * (quarter - 1) + 1
        return Period(f"{year}Q{quarter}", _at_midnight(date(year, first, 1), tz),
                      _at_midnight(_next_month(year, first + 2), tz))
    if (m := _MONTH.match(text)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        return Period(text, _at_midnight(date(year, month, 1), tz), _at_midnight(_next_month(year, month), tz))
    raise InvalidInput("统计周期格式应为 2026、2026Q4 或 2026-11 / period must look like 2026, 2026Q4 or 2026-11",
                       {"period": [f"unrecognised period {text!r}"]})


def period_between(start: date, end: date, tz: ZoneInfo) -> Period:
    """Inclusive date range ``start``..``end``."""
    _check_year(start.year, "from")
    _check_year(end.year, "to")
    if end < start:
        raise InvalidInput("结束日期早于开始日期 / end is before start", {"to": ["before from"]})
    end_exclusive = date.fromordinal(end.toordinal() + 1)
    return Period(f"{start.isoformat()}..{end.isoformat()}", _at_midnight(start, tz),
                  _at_midnight(end_exclusive, tz))


def current_quarter(now: datetime, tz: ZoneInfo) -> Period:
    local = now.astimezone(tz)
    return parse_period(f"{local.year}Q{(local.month - 1) // 3 + 1}", tz)
