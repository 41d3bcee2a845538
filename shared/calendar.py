"""The working-day calendar (工作日历) and time limits (办理时限), per DESIGN §5.

Holidays and make-up working days (调休) come, for each year, from the first that knows it: the years an
admin entered (replicated into every service's database, read through ``EnteredYears``), the legacy
override file, the ``chinesecalendar`` package. A year nobody knows is computed with weekends only and
every deadline touching it is marked provisional: the calendar never crashes and never pretends.
"""

from __future__ import annotations

import logging
import re
import threading
import time as _time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

from shared.calendar_schedule import YearSchedule, load_override_file
from shared.metrics import CALENDAR_PROVISIONAL
from shared.time_limits import Deadline, TimeLimit, TimeUnit

__all__ = ["Deadline", "EnteredYears", "TimeLimit", "TimeUnit", "WorkCalendar", "package_years"]

if TYPE_CHECKING:
    from shared.settings import Settings

log = logging.getLogger(__name__)

_DAY = timedelta(days=1)
# Until the first look at the entered years, every question asks for one.
_NEVER: Hashable = object()


class _OncePerYear:
    """Remembers which unknown years were already warned about in this process."""

    def __init__(self) -> None:
        self._years: set[int] = set()
        self._lock = threading.Lock()

    def first_time(self, year: int) -> bool:
        if year in self._years:  # the common case in sweeps, answered without the lock
            return False
        with self._lock:
            if year in self._years:
                return False
            self._years.add(year)
            return True


_warned = _OncePerYear()


@cache
def _package_covers(year: int) -> bool:
    """Whether chinesecalendar has this year's schedule; it signals a gap with NotImplementedError."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except (NotImplementedError, ValueError):
        return False
    return True


def package_years() -> tuple[int, int]:
    """The first and last year the installed ``chinesecalendar`` has holidays for."""
    return min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year


@dataclass(frozen=True)
class _Year:
    workdays: list[int]  # proleptic ordinals, sorted, so lookups and counts are bisects
    known: bool


def _parse_close(text: str) -> timedelta:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if match:
        hours, minutes = int(match[1]), int(match[2])
        close = timedelta(hours=hours, minutes=minutes)
        if minutes < 60 and timedelta(0) < close <= timedelta(hours=24):
            return close
    raise ValueError(f"working-day close must be HH:MM between 00:01 and 24:00, not {text!r}")


class EnteredYears(Protocol):
    """Where the years an admin entered are read from (a service's replica table, in practice)."""

    def stamp(self) -> Hashable:
        """A cheap fingerprint that changes whenever any entered year changes."""

    def load(self) -> tuple[Hashable, dict[int, YearSchedule]]:
        """Every entered year, with the fingerprint of what was read (in one read)."""


class WorkCalendar:
    """Working days in one administrative time zone, with a configurable daily close.

    With ``entered`` the calendar follows the years an admin enters while it runs: it compares the
    source's fingerprint at most every ``refresh_seconds`` (a query on a table of a few rows) and rebuilds
    only when it changed, so every process of every service answers with the same schedule within that
    interval.
    """

    def __init__(self, *, timezone: str = "Asia/Shanghai", close: str = "24:00",
                 overrides: Mapping[date, bool] | None = None, known_years: Iterable[int] = (),
                 entered: EnteredYears | None = None, refresh_seconds: float = 5.0,
                 monotonic: Callable[[], float] = _time.monotonic) -> None:
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {timezone!r}") from exc
        self._close = _parse_close(close)
        self._overrides: dict[date, bool] = {}
        for day, working in (overrides or {}).items():
            # A datetime key would never match a date lookup, so it is refused rather than ignored.
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"override keys must be dates, not {day!r}")
            self._overrides[day] = bool(working)
        self._known_years = frozenset(int(year) for year in known_years)
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()
        self._entered = entered
        self._entered_years: dict[int, dict[date, bool]] = {}
        self._stamp: Hashable = _NEVER
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._next_check = float("-inf")
        self._refresh_lock = threading.Lock()
        self._revision = 0

    @classmethod
    def from_settings(cls, settings: Settings, *, entered: EnteredYears | None = None) -> WorkCalendar:
        """The calendar the settings describe: the override file if one is configured, and the entered years."""
        overrides: dict[date, bool] = {}
        years: set[int] = set()
        if settings.calendar_file is not None:
            overrides, years = cls.load_overrides(settings.calendar_file)
        return cls(timezone=settings.timezone, close=settings.workday_close, overrides=overrides,
                   known_years=years, entered=entered, refresh_seconds=settings.calendar_refresh_seconds)

    @classmethod
    def load_overrides(cls, path: str | Path) -> tuple[dict[date, bool], set[int]]:
        """Read an override file (format in docs/calendar.md): date -> is working day, declared years."""
        return load_override_file(path)

    @property
    def tz(self) -> ZoneInfo:
        """The administrative time zone every day is counted in."""
        return self._tz

    @property
    def revision(self) -> int:
        """Changes whenever the entered years do; caches of answers key on it."""
        self._refresh()
        return self._revision

    def is_known_year(self, year: int) -> bool:
        """Whether this year's holidays are known (entered, the override file or chinesecalendar)."""
        self._refresh()
        return self._knows(year)

    def source_of(self, year: int) -> str | None:
        """Where this year's holidays come from: ``entered``, ``file``, ``package``, or None (unknown)."""
        self._refresh()
        if year in self._entered_years:
            return "entered"
        if year in self._known_years:
            return "file"
        return "package" if _package_covers(year) else None

    def close_of(self, day: date) -> datetime:
        """The moment ``day`` closes (a limit ending on ``day`` ends then); 24:00 is the next day's 00:00."""
        return (datetime.combine(day, time()) + self._close).replace(tzinfo=self._tz)

    def workdays_before(self, day: date, n: int) -> date:
        """The Nth working day before ``day`` (``day`` itself never counts; 0 gives ``day``)."""
        if n < 0:
            raise ValueError(f"number of working days must be >= 0, not {n}")
        if n == 0:
            return day
        year, remaining = day.year, n
        while True:
            table = self._year(year)  # each index from the table it indexes, even if the years were re-read
            index = bisect_left(table.workdays, day.toordinal()) if year == day.year else len(table.workdays)
            if not table.known and index:
                self._warn_unknown(year)
            if remaining <= index:
                return date.fromordinal(table.workdays[index - remaining])
            remaining -= index
            year -= 1
            if year < date.min.year:
                raise ValueError(f"{n} working days before {day} is before the first representable date")

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day (工作日), as the source of its year says (else Mon–Fri)."""
        if isinstance(day, datetime):
            raise TypeError("is_workday takes a date; convert datetimes to the calendar's zone first")
        table = self._year(day.year)
        if not table.known:
            self._warn_unknown(day.year)
        ordinal = day.toordinal()
        index = bisect_left(table.workdays, ordinal)
        return index < len(table.workdays) and table.workdays[index] == ordinal

    def add_workdays(self, day: date, n: int) -> tuple[date, bool]:
        """The Nth working day after ``day`` (never ``day`` itself), and whether it is provisional."""
        if n < 0:
            raise ValueError(f"number of working days must be >= 0, not {n}")
        if n == 0:
            return day, False
        year, remaining = day.year, n
        unknown = []
        while True:
            table = self._year(year)  # each index from the table it indexes, even if the years were re-read
            index = bisect_right(table.workdays, day.toordinal()) if year == day.year else 0
            # The start year is only consulted if some day of it follows ``day``.
            if not table.known and (year != day.year or (day.month, day.day) != (12, 31)):
                unknown.append(year)
            available = len(table.workdays) - index
            if remaining <= available:
                result = date.fromordinal(table.workdays[index + remaining - 1])
                break
            remaining -= available
            year += 1
            if year > date.max.year:
                raise ValueError(f"{n} working days after {day} is beyond the last representable date")
        for year in unknown:
            self._warn_unknown(year)
            CALENDAR_PROVISIONAL.labels(str(year)).inc()
        return result, bool(unknown)

    def due(self, start: datetime, limit: TimeLimit) -> Deadline:
        """When ``limit`` counted from ``start`` runs out; the start day itself never counts."""
        local = self._local(start, "start")
        if limit.unit in (TimeUnit.NATURAL_MINUTES, TimeUnit.NATURAL_HOURS):
            return Deadline(self._after(local, limit.duration()), provisional=False)
        return self._days_after(local.date(), limit)

    def extend(self, due_at: datetime, limit: TimeLimit) -> Deadline:
        """Push a deadline out by ``limit`` (延期), counting from the day whose close ``due_at`` is."""
        local = self._local(due_at, "due_at")
        if limit.unit in (TimeUnit.NATURAL_MINUTES, TimeUnit.NATURAL_HOURS):
            return Deadline(self._after(local, limit.duration()), provisional=False)
        base = self._last_closed_day(local)
        # A due time that is not exactly a close belongs to the day that has not closed yet.
        if self.close_of(base) != local:
            base += _DAY
        return self._days_after(base, limit)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """How many working days closed in (start, end] (e.g. 超期超过5个工作日)."""
        first = self._last_closed_day(self._local(start, "start")) + _DAY
        last = self._last_closed_day(self._local(end, "end"))
        if last < first:
            return 0
        count = 0
        for year in range(first.year, last.year + 1):
            table = self._year(year)
            if not table.known:
                self._warn_unknown(year)
            low = max(first, date(year, 1, 1)).toordinal()
            high = min(last, date(year, 12, 31)).toordinal()
            count += bisect_right(table.workdays, high) - bisect_left(table.workdays, low)
        return count

    # -- internals -------------------------------------------------------------------------------

    def _local(self, moment: datetime, name: str) -> datetime:
        if not isinstance(moment, datetime):
            raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
        return moment.astimezone(self._tz)

    def _after(self, local: datetime, duration: timedelta) -> datetime:
        # Elapsed time is added in UTC so a daylight-saving change could never stretch it.
        return (local.astimezone(UTC) + duration).astimezone(self._tz)

    def _days_after(self, day: date, limit: TimeLimit) -> Deadline:
        try:
            if limit.unit is TimeUnit.WORKING_DAYS:
                last, provisional = self.add_workdays(day, limit.amount)
                return Deadline(self.close_of(last), provisional)
            return Deadline(self.close_of(day + timedelta(days=limit.amount)), provisional=False)
        except OverflowError as exc:
            raise ValueError(f"{limit.label_zh()} after {day} is beyond the last representable date") from exc

    def _last_closed_day(self, local: datetime) -> date:
        """The latest day whose close is at or before ``local``."""
        return (local.replace(tzinfo=None) - self._close).date()

    def _knows(self, year: int) -> bool:
        return year in self._entered_years or year in self._known_years or _package_covers(year)

    def _refresh(self) -> None:
        """Reload the entered years if their fingerprint changed; at most every ``refresh_seconds``."""
        if self._entered is None or self._monotonic() < self._next_check:
            return
        # Once something is loaded, a thread finding another one re-reading goes on with what is loaded
        # instead of queueing behind it (each would hold a pooled connection while it waits).
        if not self._refresh_lock.acquire(blocking=self._stamp is _NEVER):
            return
        try:
            now = self._monotonic()
            if now < self._next_check:
                return
            if self._entered.stamp() != self._stamp:
                stamp, schedules = self._entered.load()
                with self._lock:  # builders hold it, so no table of the old schedule lands in the new cache
                    self._entered_years = {year: s.working() for year, s in schedules.items()}
                    self._years = {}
                    self._stamp = stamp
                    self._revision += 1
                log.info("working-day calendar loaded entered years",
                         extra={"years": sorted(schedules), "revision": self._revision})
            self._next_check = now + self._refresh_seconds
        finally:
            self._refresh_lock.release()

    def _year(self, year: int) -> _Year:
        self._refresh()
        table = self._years.get(year)
        if table is None:
            with self._lock:
                table = self._years.get(year)
                if table is None:
                    table = self._years[year] = self._build_year(year)
        return table

    def _build_year(self, year: int) -> _Year:
        # An entered year is the whole notice: its listed days, Monday to Friday otherwise.
        entered = self._entered_years.get(year)
        overrides = self._overrides if entered is None else entered
        from_package = entered is None and _package_covers(year)
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        workdays = []
        for ordinal in range(first, last + 1):
            day = date.fromordinal(ordinal)
            working = overrides.get(day)
            if working is None:
                working = chinese_calendar.is_workday(day) if from_package else day.weekday() < 5
            if working:
                workdays.append(ordinal)
        return _Year(workdays, known=self._knows(year))

    def _warn_unknown(self, year: int) -> None:
        if _warned.first_time(year):
            log.warning("holiday calendar has no schedule for the year; counting weekends only (provisional) "
                        "until an admin enters it (duban calendar set-year)",
                        extra={"year": year})

