"""Moments in Beijing time for the monitoring tests (imported as ``tests.monitoring.moments``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, year: int = 2026) -> datetime:
    """That wall-clock time in Beijing, in 2026 unless ``year`` says otherwise."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
