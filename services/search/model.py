"""The case index's domain: one document per case, built and updated from the owning services' events,
and the scope a caller searches in. Pure Python.

A document is a projection: every event that concerns a case is folded into it (``fold``), so an event
that arrives again changes nothing, and one that arrives late never moves the status backwards
(``status_at`` remembers the time of the event the status came from).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.search.rules import CITYWIDE, HOTLINE_OFFICE, CaseKind
from shared.events import DomainEvent
from shared.events import hotline as H
from shared.events import monitoring as M
from shared.events import rectification as R
from shared.events import spotcheck as S
from shared.roles import Principal

K = CaseKind
TITLE_LENGTH = 120
CARD_COLOURS = {"yellow": "黄牌", "red": "红牌"}


@dataclass(frozen=True)
class CaseDocument:
    """One case as the index knows it. Never the caller's identity: at most a keyed hash of the phone."""

    kind: CaseKind
    id: str                                  # the owning service's id
    at: datetime                             # when the case began (filed, issued, published)
    number: str = ""
    title: str = ""
    body: str = ""
    address: str = ""
    region: str | None = None
    status: str = ""
    departments: tuple[str, ...] = ()
    confidential: bool = False
    tags: tuple[str, ...] = ()
    caller_key: str | None = None
    status_at: datetime | None = None
    updated_at: datetime | None = None
    memo: dict[str, Any] = field(default_factory=dict)   # what later events need (a plan's name …)

    @property
    def key(self) -> str:
        return case_key(self.kind, self.id)

    def with_status(self, status: str, at: datetime, **changes: Any) -> CaseDocument:
        """``status`` (and ``changes`` that belong to it) unless a later event already set the status."""
        if self.status_at is not None and at < self.status_at:
            return self
        return replace(self, status=status, status_at=at, **changes)


def case_key(kind: str, id: str) -> str:
    return f"{kind}:{id}"


def _title(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_LENGTH else text[:TITLE_LENGTH - 1] + "…"


def _without(items: tuple[str, ...], gone: str | None) -> tuple[str, ...]:
    return tuple(d for d in items if d != gone)


# -- folding events into documents -------------------------------------------------------------------
# Each fold takes the document as stored (None: the case is new to the index), the typed event and the
# time it occurred, and returns the document to store.
Fold = Callable[[CaseDocument | None, Any, datetime], CaseDocument]


def _stub(kind: CaseKind, id: str, at: datetime, doc: CaseDocument | None) -> CaseDocument:
    """The stored document, or an empty one for an event that overtook the case's first event."""
    return doc if doc is not None else CaseDocument(kind=kind, id=id, at=at)


def _ticket_tags(e: H.TicketReceived | H.TicketSnapshot) -> tuple[str, ...]:
    return tuple(t for t in (e.type, e.urgency, e.channel, "utility" if e.utility else "") if t)


def ticket_received(doc: CaseDocument | None, e: H.TicketReceived, at: datetime) -> CaseDocument:
    base = _stub(K.TICKET, e.ticket_id, e.created_at, doc)
    filed = replace(base, at=e.created_at, number=e.number, title=e.title, body=e.content, address=e.address,
                    region=e.region, confidential=e.confidential, tags=_ticket_tags(e),
                    caller_key=e.caller_key)
    return filed.with_status(e.status or "received", at)


def ticket_assigned(doc: CaseDocument | None, e: H._Assigned, at: datetime) -> CaseDocument:
    base = _stub(K.TICKET, e.ticket_id, at, doc)
    return base.with_status(e.status, at, departments=tuple(dict.fromkeys([e.lead_department, *e.co_departments])))


def ticket_snapshot(doc: CaseDocument | None, e: H.TicketSnapshot, at: datetime) -> CaseDocument:
    """The whole ticket as the hotline republished it (a rebuild)."""
    base = _stub(K.TICKET, e.ticket_id, e.created_at, doc)
    departments = tuple(dict.fromkeys(d for d in (e.lead_department, *e.co_departments) if d))
    whole = replace(base, at=e.created_at, number=e.number, title=e.title, body=e.content, address=e.address,
                    region=e.region, confidential=e.confidential, tags=_ticket_tags(e), caller_key=e.caller_key)
    return whole.with_status(e.status, at, departments=departments)


def ticket_return_accepted(doc: CaseDocument | None, e: H.ReturnAccepted, at: datetime) -> CaseDocument:
    base = _stub(K.TICKET, e.ticket_id, at, doc)
    return base.with_status(e.status, at, departments=_without(base.departments, e.department))


def ticket_step(doc: CaseDocument | None, e: H.TicketEvent, at: datetime) -> CaseDocument:
    """Any other step of a ticket: its status after the step."""
    base = _stub(K.TICKET, e.ticket_id, at, doc)
    return base.with_status(e.status, at) if e.status else base


def warning_issued(doc: CaseDocument | None, e: M.WarningIssued, at: datetime) -> CaseDocument:
    base = _stub(K.WARNING, e.warning_id, e.issued_at, doc)
    subject = e.subject or {}
    return replace(base, at=e.issued_at, number=subject.get("ref", ""), title=_title(f"预警：{e.message}"),
                   body=e.message, departments=(e.department,), tags=(e.kind, subject.get("service", ""))
                   ).with_status("issued", at)


def card_issued(doc: CaseDocument | None, e: M.CardIssued, at: datetime) -> CaseDocument:
    base = _stub(K.CARD, e.card_id, e.issued_at, doc)
    subject = e.subject or {}
    colour = CARD_COLOURS.get(e.color, e.color)
    issued = replace(base, at=e.issued_at, number=subject.get("ref", ""), title=_title(f"{colour}：{e.reason}"),
                     body=e.reason, departments=(e.department,), tags=(e.color, e.source, e.rule))
    return issued.with_status("issued", at)


def card_snapshot(doc: CaseDocument | None, e: M.CardSnapshot, at: datetime) -> CaseDocument:
    """The whole card as monitoring republished it (a rebuild)."""
    return card_issued(doc, e, at).with_status(e.status, at)


def card_step(doc: CaseDocument | None, e: M.CardEvent, at: datetime) -> CaseDocument:
    base = _stub(K.CARD, e.card_id, e.at, doc)
    return base.with_status(e.status, at, departments=(e.department,))


def notice_event(doc: CaseDocument | None, e: R.NoticeEvent, at: datetime) -> CaseDocument:
    base = _stub(K.NOTICE, e.notice_id, e.at, doc)
    changes: dict[str, Any] = {"number": e.number, "departments": (e.department,)}
    if isinstance(e, R.NoticeIssued | R.NoticeSnapshot):
        issued = e.issued_at if isinstance(e, R.NoticeSnapshot) else e.at
        changes.update(at=issued, title=_title(f"整改通知书 {e.number}：{e.findings}"), body=e.findings,
                       tags=(str(e.source.get("kind", "")),))
    elif isinstance(e, R.NoticeReturned | R.NoticeClosed):
        changes["body"] = "\n".join(filter(None, (base.body, e.comment)))
    return replace(base, **changes).with_status(e.status, at)


LEVELS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}


def review_event(doc: CaseDocument | None, e: R.ReviewEvent, at: datetime) -> CaseDocument:
    """好差评: a rating of a ticket or an approval item, and its handling."""
    base = _stub(K.REVIEW, e.review_id, e.at, doc)
    changes: dict[str, Any] = {"number": e.number, "departments": (e.department,)}
    if isinstance(e, R.ReviewReceived | R.ReviewSnapshot):
        rated = (e.subject or {}).get("number", "")
        title = f"{'差评' if e.bad else '评价'}（{LEVELS.get(e.level, e.level)}）{rated}"
        received = e.received_at if isinstance(e, R.ReviewSnapshot) else e.at
        changes.update(at=received, title=_title(f"{title}：{e.comment}" if e.comment else title), body=e.comment,
                       tags=tuple(t for t in (e.channel, "bad" if e.bad else "", (e.subject or {}).get("kind", ""))
                                  if t))
    return replace(base, **changes).with_status(e.status, at)


def plan_published(doc: CaseDocument | None, e: S.PlanPublished, at: datetime) -> CaseDocument:
    base = _stub(K.PLAN, e.plan_id, e.published_at, doc)
    return replace(base, at=e.published_at, title=_title(e.name), body=f"{e.name}（抽查对象 {e.targets} 户）",
                   departments=tuple(e.departments), memo={"name": e.name}).with_status("published", at)


def draw_completed(doc: CaseDocument | None, e: S.DrawCompleted, at: datetime, *,
                   plan: CaseDocument | None = None) -> CaseDocument:
    base = _stub(K.DRAW, e.draw_id, e.drawn_at, doc)
    name = plan.memo.get("name", "") if plan else ""
    title = f"{name}：抽取结果" if name else f"抽取结果（{e.selections} 户）"
    return replace(base, at=e.drawn_at, number=e.draw_id[:8], title=_title(title),
                   body=f"{title}，抽中 {e.selections} 户，算法 {e.algorithm}",
                   departments=plan.departments if plan else base.departments,
                   memo={"plan_id": e.plan_id}, tags=(e.algorithm,)).with_status("completed", at)


def inspection_id(plan_id: str, uscc: str) -> str:
    return f"{plan_id}:{uscc}"


def result_recorded(doc: CaseDocument | None, e: S.ResultRecorded, at: datetime) -> CaseDocument:
    base = _stub(K.INSPECTION, inspection_id(e.plan_id, e.uscc), e.recorded_at, doc)
    recorded = replace(base, at=e.recorded_at, number=e.uscc, title=_title(f"{e.target_name}：{e.summary}"),
                       body=e.summary, departments=(e.department,),
                       tags=tuple(t for t in (e.category, "finding" if e.finding else "") if t))
    return recorded.with_status("recorded", at)


def result_snapshot(doc: CaseDocument | None, e: S.ResultSnapshot, at: datetime) -> CaseDocument:
    """The whole result as spot checks republished it (a rebuild)."""
    recorded = result_recorded(doc, e, at)
    return recorded.with_status("published", at) if e.published_at else recorded


def result_published(doc: CaseDocument | None, e: S.ResultPublished, at: datetime) -> CaseDocument:
    base = _stub(K.INSPECTION, inspection_id(e.plan_id, e.uscc), e.published_at, doc)
    return base.with_status("published", at)


def article_published(doc: CaseDocument | None, e: H.KnowledgePublished, at: datetime) -> CaseDocument:
    """知识库: the version in force of an article (the question is its title, the answer its body)."""
    base = _stub(K.ARTICLE, e.article_id, at, doc)
    published = replace(base, at=at, number=f"v{e.version}", title=_title(e.question), body=e.answer,
                        departments=(e.department,), tags=(*e.keywords, "public" if e.public else "internal"))
    return published.with_status("published", at)


def article_retired(doc: CaseDocument | None, e: H.KnowledgeRetired, at: datetime) -> CaseDocument:
    return _stub(K.ARTICLE, e.article_id, at, doc).with_status("retired", at)


@dataclass(frozen=True)
class Projection:
    """How one event type reaches its case: the event class, the kind and id of the case, the fold."""

    event: type[DomainEvent]
    kind: CaseKind
    case_id: Callable[[Any], str]
    fold: Fold


def _ticket(cls: type[H.TicketEvent], fold: Fold) -> Projection:
    return Projection(cls, K.TICKET, lambda e: e.ticket_id, fold)


def _card(cls: type[DomainEvent], fold: Fold) -> Projection:
    return Projection(cls, K.CARD, lambda e: e.card_id, fold)


def _notice(cls: type[R.NoticeEvent]) -> Projection:
    return Projection(cls, K.NOTICE, lambda e: e.notice_id, notice_event)


_TICKET_STEPS = (H.TicketSigned, H.ReturnRequested, H.ReturnRejected, H.ExtensionRequested, H.ExtensionRejected,
                 H.ExtensionApproved, H.TicketUrged, H.TicketAssisted, H.TicketReplied, H.CallbackRecorded,
                 H.TicketClosed, H.TicketMerged)

PROJECTIONS: dict[str, Projection] = {p.event.TYPE: p for p in (
    _ticket(H.TicketReceived, ticket_received),
    _ticket(H.TicketSnapshot, ticket_snapshot),
    _ticket(H.TicketDispatched, ticket_assigned),
    _ticket(H.TicketReopened, ticket_assigned),
    _ticket(H.ReturnAccepted, ticket_return_accepted),
    *(_ticket(cls, ticket_step) for cls in _TICKET_STEPS),
    Projection(M.WarningIssued, K.WARNING, lambda e: e.warning_id, warning_issued),
    Projection(M.WarningSnapshot, K.WARNING, lambda e: e.warning_id, warning_issued),
    _card(M.CardIssued, card_issued),
    _card(M.CardSnapshot, card_snapshot),
    *(_card(cls, card_step) for cls in (M.CardConfirmed, M.CardAcknowledged, M.CardRevoked, M.CardCleared)),
    *(_notice(cls) for cls in (R.NoticeIssued, R.NoticeAcknowledged, R.NoticeReported, R.NoticeReturned,
                               R.NoticeExtended, R.NoticeClosed, R.NoticeWithdrawn, R.NoticeSnapshot)),
    *(Projection(cls, K.REVIEW, lambda e: e.review_id, review_event)
      for cls in (R.ReviewReceived, R.ReviewVerified, R.ReviewResponded, R.ReviewAppealed, R.ReviewAppealDecided,
                  R.ReviewRated, R.ReviewSnapshot)),
    Projection(H.KnowledgePublished, K.ARTICLE, lambda e: e.article_id, article_published),
    Projection(H.KnowledgeRetired, K.ARTICLE, lambda e: e.article_id, article_retired),
    Projection(S.PlanPublished, K.PLAN, lambda e: e.plan_id, plan_published),
    Projection(S.PlanSnapshot, K.PLAN, lambda e: e.plan_id, plan_published),
    Projection(S.DrawCompleted, K.DRAW, lambda e: e.draw_id, draw_completed),
    Projection(S.DrawSnapshot, K.DRAW, lambda e: e.draw_id, draw_completed),
    Projection(S.ResultRecorded, K.INSPECTION, lambda e: inspection_id(e.plan_id, e.uscc), result_recorded),
    Projection(S.ResultSnapshot, K.INSPECTION, lambda e: inspection_id(e.plan_id, e.uscc), result_snapshot),
    Projection(S.ResultPublished, K.INSPECTION, lambda e: inspection_id(e.plan_id, e.uscc), result_published),
)}


# -- who searches what ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """What a caller may find; every backend puts it inside the query, never filters afterwards."""

    departments: frozenset[str] | None     # None: every department (citywide staff)
    confidential: bool                     # may find confidential tickets (保密件)
    addresses: bool                        # may read addresses

    @classmethod
    def of(cls, principal: Principal) -> Scope:
        citywide = principal.has_any(*CITYWIDE)
        office = principal.has_any(*HOTLINE_OFFICE)
        return cls(departments=None if citywide else frozenset(principal.departments),
                   confidential=office, addresses=office)

    def sees_address_of(self, departments: tuple[str, ...]) -> bool:
        """The hotline office reads every address; a department the addresses of its own cases."""
        return self.addresses or bool(self.departments and self.departments.intersection(departments))
