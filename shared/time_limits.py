"""Time limits (办理时限) and deadlines: the values the working-day calendar computes with.

Pure values, importable without the calendar's holiday data; ``shared.calendar`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class TimeUnit(StrEnum):
    """Units of a time limit; the value is what events and databases store."""

    NATURAL_MINUTES = "natural_minutes"
    NATURAL_HOURS = "natural_hours"
    NATURAL_DAYS = "natural_days"
    WORKING_DAYS = "working_days"

    @property
    def label(self) -> str:
        """Chinese label: 分钟 / 小时 / 自然日 / 工作日."""
        return _UNIT_LABELS[self]


_UNIT_LABELS = {
    TimeUnit.NATURAL_MINUTES: "分钟",
    TimeUnit.NATURAL_HOURS: "小时",
    TimeUnit.NATURAL_DAYS: "自然日",
    TimeUnit.WORKING_DAYS: "工作日",
}


@dataclass(frozen=True)
class TimeLimit:
    """A time limit (时限): a whole, non-negative amount of one unit."""

    amount: int
    unit: TimeUnit

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"time limit amount must be an int, not {self.amount!r}")
        if self.amount < 0:
            raise ValueError(f"time limit amount must be >= 0, not {self.amount}")
        # Accept the stored string form so limits read back from events or rows need no conversion.
        object.__setattr__(self, "unit", TimeUnit(self.unit))

    @classmethod
    def minutes(cls, n: int) -> TimeLimit:
        """N natural minutes (签收时限 such as 15分钟)."""
        return cls(n, TimeUnit.NATURAL_MINUTES)

    @classmethod
    def hours(cls, n: int) -> TimeLimit:
        """N natural hours (紧急件)."""
        return cls(n, TimeUnit.NATURAL_HOURS)

    @classmethod
    def days(cls, n: int) -> TimeLimit:
        """N natural days (自然日)."""
        return cls(n, TimeUnit.NATURAL_DAYS)

    @classmethod
    def workdays(cls, n: int) -> TimeLimit:
        """N working days (工作日)."""
        return cls(n, TimeUnit.WORKING_DAYS)

    def label_zh(self) -> str:
        """Chinese wording, e.g. 5个工作日, 2小时, 15分钟, 3个自然日."""
        if self.unit in (TimeUnit.NATURAL_DAYS, TimeUnit.WORKING_DAYS):
            return f"{self.amount}个{self.unit.label}"
        return f"{self.amount}{self.unit.label}"

    def duration(self) -> timedelta:
        """The exact elapsed time of a minute/hour limit (day limits depend on the calendar)."""
        if self.unit is TimeUnit.NATURAL_MINUTES:
            return timedelta(minutes=self.amount)
        if self.unit is TimeUnit.NATURAL_HOURS:
            return timedelta(hours=self.amount)
        raise ValueError(f"{self.label_zh()} has no fixed duration")


@dataclass(frozen=True)
class Deadline:
    """When a time limit runs out, and whether a year without holiday data was involved."""

    due_at: datetime
    provisional: bool
