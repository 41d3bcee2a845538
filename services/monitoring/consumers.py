"""Events the monitoring service consumes: the clock contract of every service, and the directory.

Any service times a deadline by publishing ``<service>.clock.*`` commands (``shared.events.clocks``);
monitoring knows nothing else of other services' events. Every handler runs in the consumer's unit of
work behind the shared inbox, and a command's ``key`` is recorded too, so neither a redelivered message
nor a command published twice changes anything. Instants come from the command (``at``), never from
the wall clock. ``clock_commands`` applies them, in ``at`` order whatever order they arrive in.
"""

from __future__ import annotations

from services.monitoring import clock_commands, store
from services.monitoring.handlers import Monitoring
from shared.audit_heads import keep_head
from shared.bus.consumer import RouteHandler
from shared.bus.envelope import Event
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department
from shared.errors import NotFound
from shared.events.audit import AuditHeadPublished
from shared.events.rectification import NoticeClosed
from shared.rules_store import PUBLISHED, apply_rules_published
from shared.uow import UnitOfWork


def notice_closed(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """验收销号 of a notice a card raised: the card is cleared (an issued one too, see Card.clear_by_rectification)."""
    notice = NoticeClosed.from_event(event)
    if notice.source.get("kind") != "red_card":
        return
    cards = uow.repository(store.CardRepository)
    try:
        card = cards.get(str(notice.source["ref"]["id"]))
    except NotFound:
        return  # a card this monitoring never issued (another deployment's): nothing to clear
    before = card.snapshot()
    if card.clear_by_rectification(notice=notice.number, now=notice.at):
        cards.save(card)
        uow.audit("card.cleared", "card", card.id, before=before, after=card.snapshot())


# Routing-key pattern → handler(context, uow, event); the event worker and the embedded suite bind the
# context they built with ``open_context``, so every process uses the same calendar and rules.
ROUTES: dict[str, RouteHandler] = {
    "gateway.department.upserted": upsert_department,
    PUBLISHED: apply_rules_published,
    YEAR_SET: apply_year_set,
    **clock_commands.ROUTES,
    NoticeClosed.TYPE: notice_closed,
    AuditHeadPublished.TYPE: keep_head,
}
