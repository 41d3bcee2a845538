"""Use cases of the rules (规则配置: time limits, card thresholds …) an admin publishes; the gateway owns them.

Publishing validates the document against every part's sections, stores it as the next version, audits
before → after in the hash-chained trail and records ``gateway.rules.published``, which the unit of work
writes to the outbox; every service's replica follows (shared/rules_store.py). Versions never change:
a correction is a new version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gateway import store
from gateway.registry import rule_sections
from shared.db import Database
from shared.errors import ConcurrentUpdate, NotFound
from shared.events import DomainEvent
from shared.events.gateway import RulesPublished
from shared.repository import Repository
from shared.rules import from_config, to_config, validate
from shared.rules_store import write_version

AUDIT_ACTION = "rules.published"


@dataclass
class RulesVersion:
    """One published version of the rules: the aggregate whose publication is announced."""

    version: int
    document: dict[str, Any]
    note: str
    published_at: datetime | None
    published_by: str
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    def effective(self) -> dict[str, Any]:
        """Every rule in force under this version: the defaults with the document over them."""
        return {name: to_config(from_config(cls, name, self.document.get(name, {})))
                for name, cls in sorted(rule_sections().items())}


class RulesRepository(Repository):
    """The gateway's ``rules_versions`` table."""

    table = store.rules_versions

    def newest(self, *, lock: bool = False) -> RulesVersion | None:
        query = sa.select(self.table).order_by(self.table.c.version.desc()).limit(1)
        row = self.conn.execute(query.with_for_update() if lock else query).one_or_none()
        return None if row is None else _version(row)

    def get(self, version: int) -> RulesVersion | None:
        row = self.conn.execute(sa.select(self.table).where(self.table.c.version == version)).one_or_none()
        return None if row is None else _version(row)

    def page(self, *, offset: int, limit: int) -> tuple[list[RulesVersion], int]:
        total = self.conn.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one()
        rows = self.conn.execute(sa.select(self.table).order_by(self.table.c.version.desc())
                                 .offset(offset).limit(limit))
        return [_version(row) for row in rows], int(total)

    def add(self, version: RulesVersion) -> None:
        entry = RulesPublished(version=version.version, document=version.document, note=version.note)
        assert version.published_at is not None
        try:
            write_version(self.conn, self.table, entry, at=version.published_at, by=version.published_by)
        except IntegrityError as exc:  # two admins published at once
            raise ConcurrentUpdate("规则刚被他人发布，请刷新后重试 / rules were published meanwhile; retry") from exc
        self.seen(version)


def _version(row: sa.Row) -> RulesVersion:
    return RulesVersion(row.version, json.loads(row.document), row.note, row.published_at, row.published_by)


DEFAULTS = RulesVersion(0, {}, "默认规则 / the defaults in code", None, "")


def current(*, db: Database) -> RulesVersion:
    """The newest published version, or the defaults (version 0) before any."""
    with db.read() as conn:
        return RulesRepository(conn).newest() or DEFAULTS


def get_version(*, db: Database, version: int) -> RulesVersion:
    if version == 0:
        return DEFAULTS
    with db.read() as conn:
        found = RulesRepository(conn).get(version)
    if found is None:
        raise NotFound(f"规则版本 {version} 不存在 / no rules version {version}", {"version": [str(version)]})
    return found


def list_versions(*, db: Database, page: int, page_size: int) -> tuple[list[RulesVersion], int]:
    with db.read() as conn:
        return RulesRepository(conn).page(offset=(page - 1) * page_size, limit=page_size)


def publish_version(*, db: Database, actor: str, document: Any, note: str = "",
            correlation_id: str | None = None) -> tuple[RulesVersion, bool]:
    """Publish ``document`` as the next version; the bool says whether anything changed.

    The same document as the newest version publishes nothing, so a retried request is harmless.
    """
    document = validate(document, rule_sections())
    with db.unit_of_work(actor=actor, correlation_id=correlation_id) as uow:
        versions = uow.repository(RulesRepository)
        before = versions.newest(lock=not db.is_sqlite)
        if before is not None and before.document == document:
            return before, False
        after = RulesVersion((before.version if before else 0) + 1, document, note.strip(), uow.now, actor)
        after.events.append(RulesPublished(version=after.version, document=document, note=after.note))
        versions.add(after)
        uow.audit(AUDIT_ACTION, "rules", str(after.version),
                  before=None if before is None else {"version": before.version, "document": before.document},
                  after={"version": after.version, "document": document, "note": after.note})
        uow.commit()
        return after, True
