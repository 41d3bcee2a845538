"""Rectification tables: notices with their source and history, and the yearly number series."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from services.rectification.model import Notice
from services.rectification.rules import NoticeStatus, SourceKind
from shared.calendar_store import add_calendar_years
from shared.directory import add_department_replica
from shared.errors import NotFound
from shared.jsonutil import dumps
from shared.repository import Repository
from shared.rules_store import add_rules_versions
from shared.sequences import next_in_series
from shared.tables import UtcDateTime, add_common_tables

metadata = sa.MetaData()
common = add_common_tables(metadata)
departments = add_department_replica(metadata)
calendar_years = add_calendar_years(metadata)
rules_versions = add_rules_versions(metadata)

notices = sa.Table(
    "notices", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("source_kind", sa.String(20), nullable=False),
    # The case it came from: one notice per source, so a source event delivered twice makes one notice.
    sa.Column("source_id", sa.String(120), nullable=False),
    sa.Column("source_ref", sa.Text, nullable=False),
    sa.Column("findings", sa.Text, nullable=False),
    sa.Column("requirements", sa.Text, nullable=False, server_default=""),
    sa.Column("deadline_workdays", sa.Integer, nullable=False),
    sa.Column("issued_at", UtcDateTime(), nullable=False),
    sa.Column("issued_by", sa.String(100), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("rounds", sa.Integer, nullable=False, server_default="0"),
    sa.Column("extension_days", sa.Integer, nullable=False, server_default="0"),
    sa.Column("closed_on_time", sa.Boolean, nullable=True),  # the accepted report came before the due time
    sa.Column("history", sa.Text, nullable=False, server_default="[]"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("source_kind", "source_id", name="uq_notices_source"),
    sa.Index("ix_notices_department_status", "department", "status"),
)

# 好差评: every review with its handling; the source key makes a redelivered review one review.
reviews = sa.Table(
    "reviews", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("source_key", sa.String(200), nullable=False, unique=True),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("real_name", sa.Boolean, nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=True),
    sa.Column("response", sa.Text, nullable=True),
    sa.Column("response_kind", sa.String(10), nullable=True),  # rectify | explain
    sa.Column("fix_level", sa.Integer, nullable=True),
    sa.Column("appealed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("notice_id", sa.String(36), nullable=True),
    sa.Column("history", sa.Text, nullable=False, server_default="[]"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_reviews_department_status", "department", "status"),
    sa.Index("ix_reviews_status_received", "status", "received_at"),
)

review_sequences = sa.Table(
    "review_sequences", metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last", sa.Integer, nullable=False),
)

# Closed hotline tickets the public may rate (from hotline.ticket.closed): never the code, only its digest.
rateable_tickets = sa.Table(
    "rateable_tickets", metadata,
    sa.Column("ticket_id", sa.String(36), primary_key=True),
    sa.Column("number", sa.String(40), nullable=False, unique=True),
    sa.Column("department", sa.String(50), nullable=False),
    sa.Column("code_digest", sa.String(100), nullable=False),
    sa.Column("closed_at", UtcDateTime(), nullable=False),
)

notice_sequences = sa.Table(
    "notice_sequences", metadata,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last", sa.Integer, nullable=False),
)


class NoticeRepository(Repository):
    def next_number(self, year: int) -> str:
        """整改〔year〕NNNN号: the next number of the year's series."""
        return f"整改〔{year}〕{next_in_series(self.conn, notice_sequences, 'year', year):04d}号"

    def source_taken(self, kind: SourceKind, source_id: str) -> bool:
        return self.conn.execute(sa.select(notices.c.id).where(notices.c.source_kind == kind.value,
                                                               notices.c.source_id == source_id)).first() is not None

    def of_source(self, kind: SourceKind, source_id: str) -> Notice | None:
        row = self.conn.execute(sa.select(notices).where(notices.c.source_kind == kind.value,
                                                         notices.c.source_id == source_id)).first()
        return None if row is None else self.seen(_notice(row))

    def add(self, notice: Notice, *, source_id: str) -> None:
        notice.version = 1
        self.conn.execute(notices.insert().values(id=notice.id, version=1, source_id=source_id, **_values(notice)))
        self.seen(notice)

    def batch_after(self, after: str, size: int) -> list[Notice]:
        """The next ``size`` notices by id after ``after`` (snapshots)."""
        rows = self.conn.execute(sa.select(notices).where(notices.c.id > after).order_by(notices.c.id).limit(size))
        return self.seen_all([_notice(row) for row in rows])

    def get(self, notice_id: str) -> Notice:
        row = self.conn.execute(sa.select(notices).where(notices.c.id == notice_id)).first()
        if row is None:
            raise NotFound("整改通知书不存在 / notice not found", {"id": [notice_id]})
        return self.seen(_notice(row))

    def save(self, notice: Notice) -> None:
        self.save_versioned(notices, notice, _values(notice), "通知书已被他人修改，请重试 / the notice changed; retry")

    def page(self, *, offset: int, limit: int, departments: frozenset[str] | None, department: str | None,
             status: str | None, source: str | None) -> tuple[list[Notice], int]:
        n = notices
        conditions: list[Any] = []
        if departments is not None:
            conditions.append(n.c.department.in_(sorted(departments)))
        for column, value in ((n.c.department, department), (n.c.status, status), (n.c.source_kind, source)):
            if value:
                conditions.append(column == value)
        where = sa.and_(sa.true(), *conditions)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(n).where(where)).scalar_one()
        rows = self.conn.execute(sa.select(n).where(where).order_by(n.c.issued_at.desc(), n.c.id)
                                 .offset(offset).limit(limit))
        return [_notice(row) for row in rows], int(total)

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per department: notices, closed ones and how many of those on time (公开反馈); no personal data."""
        n = notices
        rows = self.conn.execute(sa.select(n.c.department, n.c.status, n.c.closed_on_time, sa.func.count())
                                 .group_by(n.c.department, n.c.status, n.c.closed_on_time))
        by_department: dict[str, dict[str, Any]] = {}
        for department, status, on_time, count in rows:
            entry = by_department.setdefault(department, {"notices": 0, "closed": 0, "closed_on_time": 0})
            entry["notices"] += count
            if status == NoticeStatus.CLOSED.value:
                entry["closed"] += count
                entry["closed_on_time"] += count if on_time else 0
        return by_department


def _values(notice: Notice) -> dict[str, Any]:
    return {"number": notice.number, "department": notice.department, "status": notice.status.value,
            "source_kind": notice.source_kind.value, "source_ref": dumps(notice.source_ref),
            "findings": notice.findings, "requirements": notice.requirements,
            "deadline_workdays": notice.deadline_workdays, "issued_at": notice.issued_at,
            "issued_by": notice.issued_by, "due_at": notice.due_at, "rounds": notice.rounds,
            "extension_days": notice.extension_days, "closed_on_time": notice.closed_on_time,
            "history": dumps(notice.history)}


def _notice(row: Row[Any]) -> Notice:
    m = row._mapping
    return Notice(id=m["id"], number=m["number"], department=m["department"], source_kind=SourceKind(m["source_kind"]),
                  source_ref=json.loads(m["source_ref"]), findings=m["findings"], requirements=m["requirements"],
                  deadline_workdays=m["deadline_workdays"], issued_at=m["issued_at"], issued_by=m["issued_by"],
                  due_at=m["due_at"], status=NoticeStatus(m["status"]), rounds=m["rounds"],
                  extension_days=m["extension_days"], closed_on_time=m["closed_on_time"],
                  history=json.loads(m["history"]), version=m["version"])
