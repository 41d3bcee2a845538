"""Announcing again everything the services replicate from the gateway: departments, entered holiday
years and rule versions.

A service added to a running deployment (or restored from a backup) missed the announcements made before
it existed. ``duban replicas resync`` publishes them once more through the outbox; every replica applies
them idempotently (a department by its update time, a year and a rules version by their version numbers),
so services that already hold them change nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from gateway import store
from gateway.calendar_years import CalendarYearRepository
from shared.calendar_store import year_set
from shared.db import Database
from shared.events import DomainEvent
from shared.events.gateway import DepartmentUpserted, RulesPublished


@dataclass
class Announcement:
    """What the resync publishes: an aggregate of events only, tracked by the unit of work."""

    events: list[DomainEvent] = field(default_factory=list)


def resync(*, db: Database, actor: str) -> dict[str, int]:
    """Publish every department, entered year and rules version again; returns how many of each."""
    announcement = Announcement()
    with db.unit_of_work(actor=actor) as uow:
        departments = store.list_departments(uow.conn)
        announcement.events += [DepartmentUpserted(**d.to_dict()) for d in departments]
        years = CalendarYearRepository(uow.conn).list()
        announcement.events += [year_set(y.schedule, version=y.version) for y in years]
        t = store.rules_versions
        versions = uow.conn.execute(sa.select(t.c.version, t.c.document, t.c.note).order_by(t.c.version)).all()
        announcement.events += [RulesPublished(version=v.version, document=json.loads(v.document), note=v.note)
                                for v in versions]
        uow.track(announcement)
        counts = {"departments": len(departments), "calendar_years": len(years), "rules_versions": len(versions)}
        uow.audit("replicas.resync", "replicas", "all", before=None, after=counts)
        uow.commit()
    return counts
