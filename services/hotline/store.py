"""The hotline's tables and its ticket repository (SQLAlchemy Core; the model stays persistence-free)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from services.hotline.category_store import add_category_table
from services.hotline.knowledge_tables import add_knowledge_tables
from services.hotline.model import OPEN_STATUS_VALUES, Caller, Ticket, TimelineEntry
from services.hotline.open311_keys import add_key_table
from services.hotline.rules import Channel, Resolution, Satisfaction, TicketStatus, TicketType, Urgency
from shared.calendar_store import add_calendar_years
from shared.directory import add_department_replica
from shared.errors import NotFound
from shared.jsonutil import dumps
from shared.repository import Repository
from shared.rules_store import add_rules_versions
from shared.sequences import next_in_series
from shared.tables import BigSerial, UtcDateTime, add_common_tables

metadata = sa.MetaData()
common = add_common_tables(metadata)

tickets = sa.Table(
    "tickets", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("number", sa.String(20), nullable=False, unique=True),
    sa.Column("query_code", sa.String(12), nullable=False),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("urgency", sa.String(20), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("caller_name", sa.String(100), nullable=False, server_default=""),
    sa.Column("caller_phone", sa.String(30), nullable=False, server_default=""),
    sa.Column("address", sa.String(300), nullable=False, server_default=""),
    sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("utility", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("lead_department", sa.String(50)),
    sa.Column("co_departments", sa.Text, nullable=False, server_default="[]"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("dispatched_at", UtcDateTime()),
    sa.Column("sign_due_at", UtcDateTime()),
    sa.Column("handle_due_at", UtcDateTime()),
    sa.Column("return_due_at", UtcDateTime()),
    sa.Column("callback_due_at", UtcDateTime()),
    sa.Column("deadline_provisional", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("signed_at", UtcDateTime()),
    sa.Column("replied_at", UtcDateTime()),
    sa.Column("reply", sa.Text),
    sa.Column("resolution", sa.String(30)),
    sa.Column("closed_at", UtcDateTime()),
    sa.Column("satisfaction", sa.String(30)),
    sa.Column("extension_days", sa.Integer, nullable=False, server_default="0"),
    sa.Column("urge_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("return_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("merged_into", sa.String(36)),
    sa.Column("region", sa.String(12)),
    sa.Column("details", sa.Text, nullable=False, server_default="{}"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("category", sa.String(40)),
    sa.Column("lat", sa.Float),
    sa.Column("long", sa.Float),
    sa.Column("media_url", sa.String(500)),
    sa.Index("ix_tickets_status_created", "status", "created_at"),
    sa.Index("ix_tickets_lead_status", "lead_department", "status"),
    sa.Index("ix_tickets_created", "created_at"),
    sa.Index("ix_tickets_caller_phone", "caller_phone"),
    sa.Index("ix_tickets_category_created", "category", "created_at"),
)

timeline = sa.Table(
    "ticket_timeline", metadata,
    sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("department", sa.String(50)),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("data", sa.Text, nullable=False, server_default="{}"),
    sa.Column("outcome", sa.String(30)),
    sa.Index("ix_timeline_ticket", "ticket_id", "id"),
    sa.Index("ix_timeline_action_department", "action", "department", "at"),
)

# Which departments may see a ticket (lead and co-units), kept in step with the ticket for scoping.
ticket_departments = sa.Table(
    "ticket_departments", metadata,
    sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), primary_key=True),
    sa.Column("department", sa.String(50), primary_key=True),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Index("ix_ticket_departments_department", "department"),
)

# Inverted index of intake keywords for duplicate suggestions (并单).
ticket_keywords = sa.Table(
    "ticket_keywords", metadata,
    sa.Column("keyword", sa.String(40), primary_key=True),
    sa.Column("ticket_id", sa.String(36), sa.ForeignKey("tickets.id"), primary_key=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    # Duplicate search reads the newest tickets per keyword: bounded work however large the table.
    sa.Index("ix_ticket_keywords_recent", "keyword", "created_at"),
)

ticket_sequences = sa.Table(
    "ticket_sequences", metadata,
    sa.Column("day", sa.String(8), primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

departments = add_department_replica(metadata)
calendar_years = add_calendar_years(metadata)  # the entered holiday years, replicated
rules_versions = add_rules_versions(metadata)  # the published rules, replicated
categories = add_category_table(metadata)  # the taxonomy (诉求分类), also the Open311 services
open311_keys = add_key_table(metadata)
knowledge = add_knowledge_tables(metadata)  # the knowledge base (知识库)

_SCALARS = ("number", "query_code", "title", "content", "address", "confidential", "utility",
            "lead_department", "created_at", "created_by", "dispatched_at", "sign_due_at",
            "handle_due_at", "return_due_at", "callback_due_at", "deadline_provisional", "signed_at",
            "replied_at", "closed_at", "extension_days", "urge_count", "reopen_count",
            "return_count", "merged_into", "category", "lat", "long", "media_url", "region")


def _row_values(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in _SCALARS}
    values.update(
        type=ticket.type.value, urgency=ticket.urgency.value, channel=ticket.channel.value,
        status=ticket.status.value, reply=ticket.reply_content,
        caller_name=ticket.caller.name, caller_phone=ticket.caller.phone,
        co_departments=json.dumps(ticket.co_departments), details=dumps(ticket.details),
        resolution=ticket.resolution.value if ticket.resolution else None,
        satisfaction=ticket.satisfaction.value if ticket.satisfaction else None,
    )
    return values


def _from_row(row: Row[Any], entries: list[TimelineEntry]) -> Ticket:
    m = row._mapping
    ticket = Ticket(
        id=m["id"], type=TicketType(m["type"]), urgency=Urgency(m["urgency"]),
        channel=Channel(m["channel"]), status=TicketStatus(m["status"]),
        caller=Caller(m["caller_name"], m["caller_phone"]),
        co_departments=json.loads(m["co_departments"]), details=json.loads(m["details"]),
        resolution=Resolution(m["resolution"]) if m["resolution"] else None,
        satisfaction=Satisfaction(m["satisfaction"]) if m["satisfaction"] else None,
        version=m["version"], timeline=entries, reply_content=m["reply"],
        **{name: m[name] for name in _SCALARS},
    )
    return ticket


def _entry(row: Row[Any]) -> TimelineEntry:
    return TimelineEntry(at=row.at, actor=row.actor, action=row.action, from_status=row.from_status,
                         to_status=row.to_status, department=row.department, note=row.note,
                         data=json.loads(row.data), outcome=row.outcome)


class TicketRepository(Repository):
    """Loads and saves whole tickets; inside a unit of work it tracks them for their events."""

    def get(self, ticket_id: str) -> Ticket:
        row = self.conn.execute(sa.select(tickets).where(tickets.c.id == ticket_id)).first()
        if row is None:
            raise NotFound("工单不存在 / ticket not found", {"id": [ticket_id]})
        entries = [_entry(r) for r in self.conn.execute(
            sa.select(timeline).where(timeline.c.ticket_id == ticket_id).order_by(timeline.c.id))]
        return self.seen(_from_row(row, entries))

    def get_by_number(self, number: str) -> Ticket:
        ticket_id = self.conn.execute(sa.select(tickets.c.id).where(tickets.c.number == number)).scalar()
        if ticket_id is None:
            raise NotFound("工单不存在 / ticket not found", {"number": [number]})
        return self.get(ticket_id)

    def batch_after(self, after: str, size: int) -> list[Ticket]:
        """The next ``size`` tickets by id after ``after``, without their timelines (snapshots)."""
        rows = self.conn.execute(sa.select(tickets).where(tickets.c.id > after).order_by(tickets.c.id)
                                 .limit(size)).all()
        return self.seen_all([_from_row(row, []) for row in rows])

    def add(self, ticket: Ticket, keywords: set[str]) -> None:
        self.seen(ticket)
        ticket.version = 1
        self.conn.execute(tickets.insert().values(id=ticket.id, version=1, **_row_values(ticket)))
        if keywords:
            self.conn.execute(ticket_keywords.insert(), [
                {"keyword": k, "ticket_id": ticket.id, "created_at": ticket.created_at} for k in keywords])
        self._flush(ticket)

    def save(self, ticket: Ticket) -> None:
        """Write the ticket back; fails if someone else saved it since we loaded it."""
        self.save_versioned(tickets, ticket, _row_values(ticket),
                            "工单已被他人修改，请刷新后重试 / the ticket changed meanwhile; retry")
        self._flush(ticket)

    def _flush(self, ticket: Ticket) -> None:
        if ticket.new_timeline:
            self.conn.execute(timeline.insert(), [
                {"ticket_id": ticket.id, "at": e.at, "actor": e.actor, "action": e.action,
                 "from_status": e.from_status, "to_status": e.to_status, "department": e.department,
                 "note": e.note, "data": dumps(e.data), "outcome": e.outcome}
                for e in ticket.new_timeline])
            ticket.new_timeline.clear()
        self._sync_departments(ticket)

    def _sync_departments(self, ticket: Ticket) -> None:
        wanted = {d: "co" for d in ticket.co_departments}
        if ticket.lead_department:
            wanted[ticket.lead_department] = "lead"
        current = {r.department: r.role for r in self.conn.execute(
            sa.select(ticket_departments.c.department, ticket_departments.c.role)
            .where(ticket_departments.c.ticket_id == ticket.id))}
        if current == wanted:
            return
        self.conn.execute(ticket_departments.delete().where(ticket_departments.c.ticket_id == ticket.id))
        if wanted:
            self.conn.execute(ticket_departments.insert(), [
                {"ticket_id": ticket.id, "department": d, "role": r} for d, r in wanted.items()])

    def next_number(self, day: str) -> str:
        """Daily ticket number ``YYYYMMDD`` + six digits; the row update serialises concurrent intakes."""
        return f"{day}{next_in_series(self.conn, ticket_sequences, 'day', day):06d}"


PER_KEYWORD = 30
PROBE_KEYWORDS = 6


@dataclass(frozen=True)
class DuplicateCandidate:
    id: str
    number: str
    title: str
    status: str
    created_at: datetime
    score: float
    same_caller: bool


def find_duplicates(conn: Connection, *, keywords: set[str], phone: str, since: datetime,
                    exclude: str | None = None, limit: int = 5) -> list[DuplicateCandidate]:
    """Open tickets since ``since`` sharing keywords or the caller's phone, best first.

    Each keyword contributes at most its ``PER_KEYWORD`` newest tickets (index on keyword, created_at),
    so the cost is bounded by the number of keywords, not by how many tickets the city has filed.
    """
    shared: dict[str, int] = {}
    probe = sorted(keywords, key=lambda k: (-len(k), k))[:PROBE_KEYWORDS]  # longer words say more
    if probe:
        per_keyword = [
            sa.select(ticket_keywords.c.ticket_id)
            .where(ticket_keywords.c.keyword == keyword, ticket_keywords.c.created_at >= since)
            .order_by(ticket_keywords.c.created_at.desc()).limit(PER_KEYWORD).subquery().select()
            for keyword in probe]
        for ticket_id in conn.execute(sa.union_all(*per_keyword)).scalars():  # one round trip
            shared[ticket_id] = shared.get(ticket_id, 0) + 1
    best = sorted(shared, key=lambda i: -shared[i])[:50]
    scores = {i: shared[i] / len(probe) for i in best}
    phone_ids: set[str] = set()
    if phone:
        phone_ids = set(conn.execute(sa.select(tickets.c.id).where(
            tickets.c.caller_phone == phone, tickets.c.created_at >= since)
            .order_by(tickets.c.created_at.desc()).limit(20)).scalars())
    ids = (set(scores) | phone_ids) - {exclude}
    if not ids:
        return []
    rows = conn.execute(sa.select(tickets.c.id, tickets.c.number, tickets.c.title, tickets.c.status,
                                  tickets.c.created_at)
                        .where(tickets.c.id.in_(ids), tickets.c.status.in_(OPEN_STATUS_VALUES)))
    candidates = [DuplicateCandidate(r.id, r.number, r.title, r.status, r.created_at,
                                     round(min(1.0, scores.get(r.id, 0.0) + (0.5 if r.id in phone_ids
                                                                              else 0.0)), 3),
                                     r.id in phone_ids)
                  for r in rows]
    candidates = [c for c in candidates if c.score >= 0.3]
    candidates.sort(key=lambda c: (-c.score, c.created_at))
    return candidates[:limit]
