"""What every part's context is built from: the settings, the clock and the working-day calendar.

An entry point (embedded suite, WSGI app, event worker, sweeper, CLI) makes one ``Environment`` and
hands it to each part's ``open_context``, so every process of a part builds its context the same way
(cosmicpython's ``bootstrap``: dependencies are bound once, at the composition root).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from shared.calendar import WorkCalendar
from shared.calendar_store import DatabaseYears
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.rules import RuleBook
from shared.rules_store import database_rules
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

    def rules(self, db: Database, sections: Mapping[str, type], **fixed: Any) -> RuleBook:
        """The rules a part computes with: the versions published by the admin and replicated in ``db``,
        re-read as the calendar is. Policies given in ``fixed`` (tests) pin those sections instead."""
        if any(policy is not None for policy in fixed.values()):
            return RuleBook.fixed({name: fixed.get(name) or cls() for name, cls in sections.items()})
        return database_rules(db, sections, refresh_seconds=self.settings.calendar_refresh_seconds)

    def database(self, service: str, metadata: sa.MetaData) -> Database:
        """``service``'s database: its own SQLite file (embedded) or ``DATABASE_URL`` (distributed)."""
        return Database(self.settings.database_url_for(service), service=service, metadata=metadata,
                        clock=self.clock)
