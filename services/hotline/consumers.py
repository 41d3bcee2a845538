"""Events the hotline consumes, and what it does with each: routing-key pattern → handler(context, uow, event)."""

from __future__ import annotations

from services.hotline import store
from services.hotline.handlers import Hotline
from shared.bus.consumer import RouteHandler
from shared.bus.envelope import Event
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department
from shared.events.rectification import NoticeEvent
from shared.rules_store import PUBLISHED, apply_rules_published
from shared.uow import UnitOfWork


def notice_changed(_hotline: Hotline, uow: UnitOfWork, event: Event) -> None:
    """A rectification notice raised from a ticket (a justified 不满意, a bad review): the ticket links to it."""
    notice = NoticeEvent.from_event(event)
    ref = notice.source.get("ref") or {}
    if ref.get("service") != "hotline" or not ref.get("id"):
        return
    tickets = uow.repository(store.TicketRepository)
    ticket = tickets.get(ref["id"])
    if ticket.note_rectification(notice_id=notice.notice_id, number=notice.number, status=notice.status,
                                 department=notice.department, now=notice.at):
        tickets.save(ticket)

ROUTES: dict[str, RouteHandler] = {
    # The replica of the department directory: dispatch targets must be known, active departments.
    "gateway.department.*": upsert_department,
    # The replica of the published rules: new tickets' time limits come from the newest version.
    PUBLISHED: apply_rules_published,
    # The replica of the entered holiday years: deadlines are computed with them.
    YEAR_SET: apply_year_set,
    # 整改通知书 raised from tickets: issued, closed (销号) and withdrawn show on the ticket's timeline.
    "rectification.notice.issued": notice_changed,
    "rectification.notice.closed": notice_changed,
    "rectification.notice.withdrawn": notice_changed,
}
