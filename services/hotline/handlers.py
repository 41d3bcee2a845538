"""Hotline use cases: load in a unit of work, let the model decide, save, publish, audit, commit."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from services.hotline import knowledge, store
from services.hotline.category_store import require_category
from services.hotline.knowledge_search import KnowledgeSearch
from services.hotline.knowledge_store import default_search
from services.hotline.model import Caller, Ticket
from services.hotline.rules import (
    RULE_SECTIONS,
    Channel,
    DeadlinePolicy,
    EmergencyService,
    LegalChannel,
    Satisfaction,
    TicketType,
    Urgency,
)
from services.hotline.store import DuplicateCandidate, TicketRepository
from shared.auth import DISPATCHER, INSPECTOR, OPERATOR, Principal
from shared.calendar import WorkCalendar
from shared.db import Database
from shared.directory import require_active
from shared.errors import Forbidden, NotFound
from shared.ids import new_id
from shared.privacy import caller_key
from shared.rules import RuleBook
from shared.snapshots import republish_by_id
from shared.text import keywords
from shared.uow import UnitOfWork

# Unambiguous characters (no 0/O, 1/I/L) so a code read out over the phone is typed right.
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
DUPLICATE_WINDOW = timedelta(days=30)
# Staff who see every ticket; department staff see only tickets their department handles.
CITYWIDE_ROLES = (OPERATOR, DISPATCHER, INSPECTOR)


@dataclass(frozen=True)
class Hotline:
    """What every use case needs: the database, the working-day calendar and the rules in force."""

    db: Database
    calendar: WorkCalendar
    rules: RuleBook = field(default_factory=lambda: RuleBook(RULE_SECTIONS))
    knowledge_search: KnowledgeSearch = field(default_factory=default_search)  # 知识库检索 (swappable)
    caller_key: bytes | None = None   # keys the phone hash the case index gets instead of the phone

    @property
    def policy(self) -> DeadlinePolicy:
        """The time limits of the newest published rules (a ticket keeps the due times it was given)."""
        policy: DeadlinePolicy = self.rules.current("hotline")
        return policy


def can_see(ticket: Ticket, principal: Principal) -> bool:
    if principal.has_any(*CITYWIDE_ROLES):
        return True
    return any(ticket.involves(d) for d in principal.departments)


def audit_snapshot(ticket: Ticket) -> dict[str, Any]:
    """What the audit trail records of a ticket: its state, never the caller's personal data."""
    return {
        "status": ticket.status.value, "lead_department": ticket.lead_department,
        "co_departments": list(ticket.co_departments),
        "sign_due_at": ticket.sign_due_at, "handle_due_at": ticket.handle_due_at,
        "extension_days": ticket.extension_days, "resolution": ticket.resolution,
        "satisfaction": ticket.satisfaction, "urge_count": ticket.urge_count,
        "reopen_count": ticket.reopen_count, "return_count": ticket.return_count,
        "merged_into": ticket.merged_into, "version": ticket.version,
    }


def _audit(uow: UnitOfWork, ticket: Ticket, action: str, before: dict[str, Any] | None) -> None:
    uow.audit(action, "ticket", ticket.id, before=before, after=audit_snapshot(ticket))



# -- intake ------------------------------------------------------------------------------------
def file_ticket(hotline: Hotline, *, principal: Principal, type: str, urgency: str, channel: str,
                title: str, content: str, caller: dict[str, str], address: str = "",
                confidential: bool = False, utility: bool = False, category: str | None = None,
                lat: float | None = None, long: float | None = None, media_url: str | None = None,
                details: dict[str, Any] | None = None, region: str | None = None) -> Ticket:
    """受理: file a ticket. Duplicate suggestions (并单 candidates) are not searched here: the console asks
    the case index (``POST /api/search/v1/similar``) while the operator types.

    A category of the 水电气热 group makes the ticket a utility one (their shorter time limits).
    ``details`` keeps what a channel adds (an Open311 client's extra answers).
    """
    now = hotline.db.clock.now()
    words = set(keywords(f"{title} {content}"))
    # The number comes from its own short transaction: the day's counter row is locked only for
    # that, not for the whole intake, so concurrent intakes do not queue behind each other. A failed
    # intake leaves a gap in the day's numbers, which is harmless.
    day = now.astimezone(hotline.calendar.tz).strftime("%Y%m%d")
    with hotline.db.engine.begin() as conn:
        number = TicketRepository(conn).next_number(day)
    with hotline.db.unit_of_work(actor=principal.actor) as uow:
        repo = uow.repository(TicketRepository)
        if category is not None:
            utility = require_category(uow.conn, category).utility or utility
        ticket = Ticket.file(
            id=new_id(), number=number,
            query_code="".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6)),
            type=TicketType(type), urgency=Urgency(urgency), channel=Channel(channel), title=title,
            content=content, caller=Caller(caller.get("name", "").strip(), caller.get("phone", "").strip()),
            address=address, confidential=confidential, utility=utility, actor=principal, now=now,
            category=category, lat=lat, long=long, media_url=media_url, region=region,
            caller_key=caller_key(caller.get("phone", ""), hotline.caller_key))
        ticket.details.update(details or {})
        repo.add(ticket, words)
        _audit(uow, ticket, "ticket.received", None)
        uow.commit()
    return ticket


def publish_snapshots(hotline: Hotline, *, progress: Callable[[int], object] | None = None,
                      batch: int = 500) -> int:
    """Republish every ticket as a ``hotline.ticket.snapshot`` event through the outbox, a batch per
    transaction, so consumers (the case index) can rebuild their copy; returns how many."""
    return republish_by_id(hotline.db, TicketRepository, batch=batch, progress=progress,
                           republish=lambda ticket, _now: ticket.snapshot(
                               caller_key=caller_key(ticket.caller.phone, hotline.caller_key)))


# -- reading -----------------------------------------------------------------------------------
def get_ticket(hotline: Hotline, *, principal: Principal, ticket_id: str) -> Ticket:
    """A ticket the caller may see; another department's ticket is reported as not found."""
    with hotline.db.read() as conn:
        ticket = TicketRepository(conn).get(ticket_id)
    if not can_see(ticket, principal):
        raise NotFound("工单不存在 / ticket not found", {"id": [ticket_id]})
    return ticket


def duplicates_of(hotline: Hotline, *, principal: Principal, ticket_id: str) -> list[DuplicateCandidate]:
    ticket = get_ticket(hotline, principal=principal, ticket_id=ticket_id)
    with hotline.db.read() as conn:
        return store.find_duplicates(conn, keywords=set(keywords(f"{ticket.title} {ticket.content}")),
                                     phone=ticket.caller.phone, since=ticket.created_at - DUPLICATE_WINDOW,
                                     exclude=ticket.id)


def list_tickets(hotline: Hotline, *, principal: Principal, page: int, page_size: int,
                 status: list[str] | None = None, type: str | None = None, urgency: str | None = None,
                 department: str | None = None, q: str | None = None,
                 created_from: datetime | None = None, created_to: datetime | None = None,
                 overdue: bool | None = None, category: str | None = None) -> tuple[list[Ticket], int]:
    """A page of tickets, newest first, filtered; department staff see only their own."""
    t = store.tickets
    conditions: list[Any] = []
    if not principal.has_any(*CITYWIDE_ROLES):
        mine = sa.select(store.ticket_departments.c.ticket_id).where(
            store.ticket_departments.c.department.in_(sorted(principal.departments)))
        conditions.append(t.c.id.in_(mine))
    if status:
        conditions.append(t.c.status.in_(status))
    if type:
        conditions.append(t.c.type == type)
    if urgency:
        conditions.append(t.c.urgency == urgency)
    if category:
        conditions.append(t.c.category == category)
    if department:
        conditions.append(t.c.id.in_(sa.select(store.ticket_departments.c.ticket_id)
                                     .where(store.ticket_departments.c.department == department)))
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        # The documented meaning of q (schemas.TicketListQuerySchema): title contains it, or number is it.
        conditions.append(sa.or_(t.c.title.ilike(like, escape="\\"), t.c.number == q))
    if created_from:
        conditions.append(t.c.created_at >= created_from)
    if created_to:
        conditions.append(t.c.created_at < created_to)
    if overdue is not None:
        now = hotline.db.clock.now()
        late = sa.or_(sa.and_(t.c.status.in_(["dispatched", "reopened"]), t.c.sign_due_at < now),
                      sa.and_(t.c.status.in_(["signed", "return_requested"]), t.c.handle_due_at < now))
        conditions.append(late if overdue else sa.not_(late))
    where = sa.and_(sa.true(), *conditions)
    with hotline.db.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(t).where(where)).scalar_one()
        ids = list(conn.execute(sa.select(t.c.id).where(where).order_by(t.c.created_at.desc(), t.c.id)
                                .limit(page_size).offset((page - 1) * page_size)).scalars())
        repo = TicketRepository(conn)
        items = [repo.get(i) for i in ids]
    return items, total


# -- transitions -------------------------------------------------------------------------------
def _transition(hotline: Hotline, principal: Principal, ticket_id: str, action: str,
                apply: Callable[[Ticket, UnitOfWork], None]) -> Ticket:
    with hotline.db.unit_of_work(actor=principal.actor) as uow:
        repo = uow.repository(TicketRepository)
        ticket = repo.get(ticket_id)
        if not can_see(ticket, principal):
            raise NotFound("工单不存在 / ticket not found", {"id": [ticket_id]})
        before = audit_snapshot(ticket)
        apply(ticket, uow)
        repo.save(ticket)
        _audit(uow, ticket, f"ticket.{action}", before)
        uow.commit()
    return ticket


def _citywide(principal: Principal) -> None:
    if not principal.has_any(*CITYWIDE_ROLES):
        raise Forbidden("无权执行此操作 / your role may not do this")


def answer(hotline: Hotline, *, principal: Principal, ticket_id: str, content: str,
           knowledge_id: str | None = None) -> Ticket:
    """直接答复; with ``knowledge_id`` the published version of that article is recorded as its source."""
    now, cal, pol = hotline.db.clock.now(), hotline.calendar, hotline.policy

    def apply(ticket: Ticket, uow: UnitOfWork) -> None:
        used = knowledge.use_article(uow, hotline, ticket=ticket, article_id=knowledge_id) if knowledge_id else None
        ticket.answer_directly(actor=principal, content=content, now=now, calendar=cal, policy=pol, knowledge=used)

    return _transition(hotline, principal, ticket_id, "answered", apply)


def answer_legal_channel(hotline: Hotline, *, principal: Principal, ticket_id: str, channel: str,
                         content: str) -> Ticket:
    now, cal, pol = hotline.db.clock.now(), hotline.calendar, hotline.policy
    return _transition(hotline, principal, ticket_id, "legal_channel", lambda t, _u: t.answer_legal_channel(
        actor=principal, channel=LegalChannel(channel), content=content, now=now, calendar=cal, policy=pol))


def transfer(hotline: Hotline, *, principal: Principal, ticket_id: str, service: str, note: str) -> Ticket:
    now = hotline.db.clock.now()
    return _transition(hotline, principal, ticket_id, "transferred", lambda t, _u: t.transfer_emergency(
        actor=principal, service=EmergencyService(service), note=note, now=now))


def dispatch(hotline: Hotline, *, principal: Principal, ticket_id: str, lead_department: str,
             co_departments: list[str], note: str = "") -> Ticket:
    now, cal, pol = hotline.db.clock.now(), hotline.calendar, hotline.policy

    def apply(ticket: Ticket, uow: UnitOfWork) -> None:
        require_active(uow.conn, store.departments, [lead_department], "lead_department")
        require_active(uow.conn, store.departments, co_departments, "co_departments")
        ticket.dispatch(actor=principal, lead=lead_department, co=co_departments, note=note, now=now,
                        calendar=cal, policy=pol)

    return _transition(hotline, principal, ticket_id, "dispatched", apply)


def sign(hotline: Hotline, *, principal: Principal, ticket_id: str) -> Ticket:
    now = hotline.db.clock.now()
    return _transition(hotline, principal, ticket_id, "signed",
                       lambda t, _u: t.sign(actor=principal, now=now))


def request_return(hotline: Hotline, *, principal: Principal, ticket_id: str, reason: str) -> Ticket:
    now = hotline.db.clock.now()
    return _transition(hotline, principal, ticket_id, "return_requested",
                       lambda t, _u: t.request_return(actor=principal, reason=reason, now=now))


def review_return(hotline: Hotline, *, principal: Principal, ticket_id: str, accept: bool, comment: str,
                  lead_department: str | None = None, co_departments: list[str] | None = None) -> Ticket:
    now, cal, pol = hotline.db.clock.now(), hotline.calendar, hotline.policy

    def apply(ticket: Ticket, uow: UnitOfWork) -> None:
        if lead_department:
            require_active(uow.conn, store.departments, [lead_department], "lead_department")
            require_active(uow.conn, store.departments, co_departments or [], "co_departments")
        ticket.review_return(actor=principal, accept=accept, comment=comment, now=now, calendar=cal,
                             policy=pol, lead=lead_department, co=co_departments)

    return _transition(hotline, principal, ticket_id, "return_reviewed", apply)


def request_extension(hotline: Hotline, *, principal: Principal, ticket_id: str, days: int,
                      reason: str) -> Ticket:
    now, pol = hotline.db.clock.now(), hotline.policy
    return _transition(hotline, principal, ticket_id, "extension_requested", lambda t, _u: t.request_extension(
        actor=principal, days=days, reason=reason, now=now, policy=pol))


def review_extension(hotline: Hotline, *, principal: Principal, ticket_id: str, approve: bool,
                     comment: str) -> Ticket:
    now, cal = hotline.db.clock.now(), hotline.calendar
    return _transition(hotline, principal, ticket_id, "extension_reviewed", lambda t, _u: t.review_extension(
        actor=principal, approve=approve, comment=comment, now=now, calendar=cal))


def urge(hotline: Hotline, *, principal: Principal, ticket_id: str, note: str) -> Ticket:
    now = hotline.db.clock.now()
    return _transition(hotline, principal, ticket_id, "urged",
                       lambda t, _u: t.urge(actor=principal, note=note, now=now))


def assist(hotline: Hotline, *, principal: Principal, ticket_id: str, content: str) -> Ticket:
    now = hotline.db.clock.now()
    return _transition(hotline, principal, ticket_id, "assisted",
                       lambda t, _u: t.assist(actor=principal, content=content, now=now))


def reply(hotline: Hotline, *, principal: Principal, ticket_id: str, content: str) -> Ticket:
    now, cal, pol = hotline.db.clock.now(), hotline.calendar, hotline.policy
    return _transition(hotline, principal, ticket_id, "replied", lambda t, _u: t.reply(
        actor=principal, content=content, now=now, calendar=cal, policy=pol))


def record_callback(hotline: Hotline, *, principal: Principal, ticket_id: str, satisfaction: str,
                    note: str = "", justified: bool = False, answer_wrong: bool = False) -> Ticket:
    """回访; ``answer_wrong`` opens a correction task for the owner of the article the answer used."""
    now, cal, pol = hotline.db.clock.now(), hotline.calendar, hotline.policy

    def apply(ticket: Ticket, uow: UnitOfWork) -> None:
        ticket.record_callback(actor=principal, satisfaction=Satisfaction(satisfaction), note=note,
                               justified=justified, now=now, calendar=cal, policy=pol, answer_wrong=answer_wrong)
        if answer_wrong:
            knowledge.open_correction(uow, hotline, ticket=ticket, principal=principal, note=note)

    return _transition(hotline, principal, ticket_id, "callback_recorded", apply)


def close(hotline: Hotline, *, principal: Principal, ticket_id: str, reason: str) -> Ticket:
    now = hotline.db.clock.now()
    return _transition(hotline, principal, ticket_id, "closed",
                       lambda t, _u: t.close(actor=principal, reason=reason, now=now))


def merge(hotline: Hotline, *, principal: Principal, ticket_id: str, into: str) -> Ticket:
    """并单: fold ``ticket_id`` into the ticket ``into`` (an id or a ticket number)."""
    now = hotline.db.clock.now()

    def apply(ticket: Ticket, uow: UnitOfWork) -> None:
        repo = uow.repository(TicketRepository)
        try:
            master = repo.get(into)
        except NotFound:
            master = repo.get_by_number(into)
        before = audit_snapshot(master)
        ticket.merge_into(master, actor=principal, now=now)
        repo.save(master)
        _audit(uow, master, "ticket.merged_in", before)

    return _transition(hotline, principal, ticket_id, "merged", apply)
