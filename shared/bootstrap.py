"""What every part's context is built from: the settings, the clock and the working-day calendar.

An entry point (embedded suite, WSGI app, event worker, sweeper, CLI) makes one ``Environment`` and
hands it to each part's ``open_context``, so every process of a part builds its context the same way
(cosmicpython's ``bootstrap``: dependencies are bound once, at the composition root).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from shared.calendar import WorkCalendar
from shared.calendar_store import DatabaseYears
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.settings import Settings


@dataclass(frozen=True)
class Environment:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    calendar: WorkCalendar | None = None

    @classmethod
    def from_env(cls, **overrides: Any) -> Environment:
        """Settings from the process environment (``overrides`` replace single settings)."""
        return cls(Settings.from_env(**overrides))

    def work_calendar(self, db: Database | None = None) -> WorkCalendar:
        """The calendar given, else the one the settings describe, following the entered holiday years
        replicated in ``db`` (a part's own database): so its app, worker and sweeper all use them."""
        if self.calendar is not None:
            return self.calendar
        return WorkCalendar.from_settings(self.settings, entered=DatabaseYears(db) if db is not None else None)

    def database(self, service: str, metadata: sa.MetaData) -> Database:
        """``service``'s database: its own SQLite file (embedded) or ``DATABASE_URL`` (distributed)."""
        return Database(self.settings.database_url_for(service), service=service, metadata=metadata,
                        clock=self.clock)
