"""A year's official holiday schedule (节假日安排): holidays and make-up working days (调休).

Two ways in, both pure (no database, no web):

- the admin's year file, one line per day: ``YYYY-MM-DD holiday|workday 名称`` (``#`` comments and blank
  lines allowed), entered with ``duban calendar set-year`` or the gateway's calendar API;
- the older ``DUBAN_CALENDAR_FILE`` JSON override file (docs/calendar.md), still read for compatibility.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_KEY = re.compile(r"\d{4}")
NAME_MAX = 50


class DayKind(StrEnum):
    """What the notice says a day is; the value is what files, events and databases store."""

    HOLIDAY = "holiday"   # 放假: a day off, whatever weekday it is
    WORKDAY = "workday"   # 调休上班: a working day, usually a weekend day

    @property
    def label(self) -> str:
        return "放假" if self is DayKind.HOLIDAY else "调休上班"


class ScheduleError(ValueError):
    """A schedule that cannot be accepted; ``line`` is the 1-based line at fault in a year file, if any."""

    def __init__(self, message: str, *, line: int | None = None, field: str = "days") -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line
        self.field = field


@dataclass(frozen=True)
class ScheduledDay:
    day: date
    kind: DayKind
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"date": self.day.isoformat(), "kind": self.kind.value, "name": self.name}


@dataclass(frozen=True)
class YearSchedule:
    """One year's listed days, sorted; every other day of the year is a working day Monday to Friday."""

    year: int
    days: tuple[ScheduledDay, ...]

    @classmethod
    def of(cls, year: int, days: Iterable[ScheduledDay]) -> YearSchedule:
        """Check the days belong to ``year`` and appear once each."""
        if not 1900 <= year <= 9998:
            raise ScheduleError(f"year {year} is out of range", field="year")
        seen: set[date] = set()
        for entry in days:
            if entry.day.year != year:
                raise ScheduleError(f"{entry.day} is not in {year}")
            if entry.day in seen:
                raise ScheduleError(f"{entry.day} is listed twice")
            seen.add(entry.day)
        return cls(year, tuple(sorted(days, key=lambda d: d.day)))

    def working(self) -> dict[date, bool]:
        """Listed day → whether it is a working day."""
        return {d.day: d.kind is DayKind.WORKDAY for d in self.days}

    def to_data(self) -> list[dict[str, str]]:
        """The days as stored in the database and carried by ``gateway.calendar.year_set``."""
        return [d.to_dict() for d in self.days]

    @classmethod
    def from_data(cls, year: int, data: Iterable[Mapping[str, Any]]) -> YearSchedule:
        """The inverse of ``to_data``; also reads API bodies, so every field is checked."""
        days = []
        for position, item in enumerate(data):
            try:
                day = date.fromisoformat(str(item["date"]))
                kind = DayKind(str(item["kind"]))
            except (KeyError, ValueError) as exc:
                raise ScheduleError(f"days[{position}]: needs a YYYY-MM-DD date and a kind holiday|workday"
                                    ) from exc
            days.append(ScheduledDay(day, kind, _name(str(item.get("name") or ""), f"days[{position}]")))
        return cls.of(year, days)


def _name(text: str, where: str, line: int | None = None) -> str:
    name = " ".join(text.split())
    if len(name) > NAME_MAX:
        raise ScheduleError(f"{where}: name longer than {NAME_MAX} characters", line=line)
    return name


def parse_year_file(text: str) -> YearSchedule:
    """Read a year file; the first line at fault is named and nothing is accepted."""
    days: list[ScheduledDay] = []
    seen: dict[date, int] = {}
    year: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 2 or not _ISO_DATE.fullmatch(parts[0]):
            raise ScheduleError(f"expected 'YYYY-MM-DD holiday|workday 名称', got {raw.strip()!r}", line=number)
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise ScheduleError(f"{parts[0]} is not a valid date", line=number) from None
        try:
            kind = DayKind(parts[1].lower())
        except ValueError:
            raise ScheduleError(f"{parts[1]!r} is neither holiday nor workday", line=number) from None
        if year is None:
            year = day.year
        elif day.year != year:
            raise ScheduleError(f"{day} is not in {year}: a file holds one year", line=number)
        if day in seen:
            raise ScheduleError(f"{day} already listed on line {seen[day]}", line=number)
        seen[day] = number
        days.append(ScheduledDay(day, kind, _name(parts[2] if len(parts) > 2 else "", str(day), number)))
    if year is None:
        raise ScheduleError("no days listed: the file is empty")
    return YearSchedule.of(year, days)


def format_year_file(schedule: YearSchedule) -> str:
    """The year file that ``parse_year_file`` reads back to ``schedule``."""
    lines = [f"# {schedule.year} 节假日安排 / holiday schedule"]
    lines += [f"{d.day.isoformat()} {d.kind.value} {d.name}".rstrip() for d in schedule.days]
    return "\n".join(lines) + "\n"


# -- the JSON override file (DUBAN_CALENDAR_FILE) ------------------------------------------------------
def load_override_file(path: str | Path) -> tuple[dict[date, bool], set[int]]:
    """Read an override file (format in docs/calendar.md): date -> is working day, declared years."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
        raise ValueError(f'{path}: expected an object with a "years" object')
    if extra := set(data) - {"years"}:
        raise ValueError(f"{path}: unexpected top-level keys {sorted(extra)}")
    overrides: dict[date, bool] = {}
    years: set[int] = set()
    for key, entry in data["years"].items():
        if not _YEAR_KEY.fullmatch(key):
            raise ValueError(f"{path}: year key {key!r} is not a four-digit year")
        year = int(key)
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: years.{key} must be an object")
        if extra := set(entry) - {"holidays", "workdays", "source"}:
            raise ValueError(f"{path}: years.{key} has unexpected keys {sorted(extra)}")
        holidays = _read_days(path, year, entry, "holidays")
        workdays = _read_days(path, year, entry, "workdays")
        if both := holidays & workdays:
            listed = ", ".join(sorted(day.isoformat() for day in both))
            raise ValueError(f"{path}: years.{key}: {listed} listed as both holiday and workday")
        overrides.update(dict.fromkeys(holidays, False))
        overrides.update(dict.fromkeys(workdays, True))
        years.add(year)
    return overrides, years


def _read_days(path: Path, year: int, entry: Mapping[str, Any], field: str) -> set[date]:
    values = entry.get(field, [])
    if not isinstance(values, list):
        raise ValueError(f"{path}: years.{year}.{field} must be a list of YYYY-MM-DD dates")
    days = set()
    for position, value in enumerate(values):
        where = f"{path}: years.{year}.{field}[{position}]"
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValueError(f"{where}: {value!r} is not a YYYY-MM-DD date")
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{where}: {value!r} is not a valid date") from exc
        if day.year != year:
            raise ValueError(f"{where}: {value} is not in {year}, the year it is listed under")
        days.add(day)
    return days
