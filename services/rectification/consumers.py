"""Events rectification consumes: red cards, spot-check findings and justified dissatisfied callbacks raise
notices; a revoked card withdraws its notice. A source delivered twice raises one notice. Every callback rating
is a 好差评 review too, and a closed ticket becomes one the public may rate with its number + query code."""

from __future__ import annotations

from services.rectification import review_handlers, review_store, store
from services.rectification.handlers import Rectification, raise_notice
from services.rectification.rules import SATISFACTION_LEVELS, ReviewChannel, SourceKind
from shared.bus.consumer import RouteHandler
from shared.bus.envelope import Event
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department
from shared.events.hotline import CallbackRecorded, TicketClosed
from shared.events.monitoring import CardIssued, CardRevoked
from shared.events.spotcheck import ResultRecorded
from shared.rules_store import PUBLISHED, apply_rules_published
from shared.uow import UnitOfWork

SYSTEM = "system:rectification"


def card_issued(r: Rectification, uow: UnitOfWork, event: Event) -> None:
    """A red card (红牌) opens a notice to its department."""
    card = CardIssued.from_event(event)
    if card.color != "red" or not r.policy.from_red_cards:
        return
    if (card.subject or {}).get("service") == "rectification":
        return  # an overdue notice's own card: the notice is the rectification already, not a new one
    subject = card.subject or {}
    raise_notice(r, uow, department=card.department, source_kind=SourceKind.RED_CARD, source_id=card.card_id,
                 source_ref={"service": "monitoring", "id": card.card_id, "number": subject.get("ref", "")},
                 findings=f"红牌：{card.reason}", requirements="查明原因，整改到位，并报送整改报告。", actor=SYSTEM)


def card_revoked(r: Rectification, uow: UnitOfWork, event: Event) -> None:
    """A card revoked before its notice closed withdraws the notice."""
    card = CardRevoked.from_event(event)
    notices = uow.repository(store.NoticeRepository)
    notice = notices.of_source(SourceKind.RED_CARD, card.card_id)
    if notice is not None and notice.withdraw(reason=f"红牌已撤销：{card.reason or ''}", now=event.occurred_at):
        notices.save(notice)
        uow.audit("notice.withdrawn", "notice", notice.id, before=None, after={"status": notice.status.value})


def result_recorded(r: Rectification, uow: UnitOfWork, event: Event) -> None:
    """A spot-check finding (发现问题) opens a notice to the department that recorded it."""
    result = ResultRecorded.from_event(event)
    if not result.finding or not r.policy.from_spot_check_findings:
        return
    raise_notice(r, uow, department=result.department, source_kind=SourceKind.SPOT_CHECK,
                 source_id=f"{result.plan_id}:{result.uscc}",
                 source_ref={"service": "spotcheck", "id": result.plan_id, "number": result.uscc},
                 findings=f"双随机抽查发现问题（{result.target_name}）：{result.summary}",
                 requirements="督促检查对象整改并跟踪复查。", actor=SYSTEM)


def callback_recorded(r: Rectification, uow: UnitOfWork, event: Event) -> None:
    """Every callback rating is a review (回访评价); a justified 不满意 that no longer reopens the ticket (past
    the reopen cap) opens a notice."""
    callback = CallbackRecorded.from_event(event)
    level = SATISFACTION_LEVELS.get(callback.satisfaction)
    if callback.department and level is not None:
        review_handlers.receive(
            r, uow, channel=ReviewChannel.CALLBACK, department=callback.department, level=level, comment="",
            subject={"service": "hotline", "kind": "ticket", "id": callback.ticket_id, "number": callback.number},
            real_name=True, source_key=f"callback:{event.id}", justified=callback.justified)
    if not (callback.bad and callback.justified) or callback.reopened or not callback.department:
        return
    raise_notice(r, uow, department=callback.department, source_kind=SourceKind.CALLBACK,
                 source_id=callback.ticket_id,
                 source_ref={"service": "hotline", "id": callback.ticket_id, "number": callback.number},
                 findings=f"工单{callback.number}回访不满意且经核实属实", requirements="重新处理诉求并向市民反馈。",
                 actor=SYSTEM)


def ticket_closed(r: Rectification, uow: UnitOfWork, event: Event) -> None:
    """A ticket closed by its lead department: the caller may rate it (公众评价) with number + query code."""
    closed = TicketClosed.from_event(event)
    if closed.department and closed.code_digest:
        review_store.remember_closed_ticket(uow.conn, ticket_id=closed.ticket_id, number=closed.number,
                                            department=closed.department, digest=closed.code_digest,
                                            closed_at=closed.closed_at)


ROUTES: dict[str, RouteHandler] = {
    "gateway.department.upserted": upsert_department,
    PUBLISHED: apply_rules_published,
    YEAR_SET: apply_year_set,
    CardIssued.TYPE: card_issued,
    CardRevoked.TYPE: card_revoked,
    ResultRecorded.TYPE: result_recorded,
    CallbackRecorded.TYPE: callback_recorded,
    TicketClosed.TYPE: ticket_closed,
}
