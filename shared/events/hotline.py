"""Events of the 12345 hotline (``hotline.ticket.*``): one class per step of a ticket's life.

They never carry the caller's identity (name, phone) or the query code. ``TicketReceived`` carries what the
case index needs (content, address, region) and, for duplicate suggestions, only a keyed hash of the caller's
phone (``caller_key``), which nobody can turn back into the number without the deployment's key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class TicketEvent(DomainEvent):
    """What every ticket event carries: which ticket, its number (编号) and its status after the step."""

    ticket_id: str
    number: str = ""
    status: str = ""


@dataclass(frozen=True, kw_only=True)
class TicketReceived(TicketEvent):
    """受理: a ticket was filed."""

    TYPE = "hotline.ticket.received"

    type: str
    urgency: str
    channel: str
    title: str
    confidential: bool
    created_at: datetime
    category: str | None = None    # the taxonomy's code (诉求分类), when the operator or client chose one
    # Added for the case index; defaults keep events filed before them decodable.
    content: str = ""
    address: str = ""
    region: str | None = None                      # district code (GB/T 2260), when known
    caller_key: str | None = None                  # keyed hash of the caller's phone (shared.privacy)
    utility: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketSnapshot(TicketEvent):
    """A ticket as it stands now, republished on request (``duban events replay-snapshots hotline``) so a
    consumer can rebuild what it keeps of tickets without calling the hotline. Never the caller's identity."""

    TYPE = "hotline.ticket.snapshot"

    type: str
    urgency: str
    channel: str
    title: str
    content: str
    address: str
    region: str | None
    confidential: bool
    utility: bool
    caller_key: str | None
    created_at: datetime
    lead_department: str | None
    co_departments: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class _Assigned(TicketEvent):
    """A lead department was given the ticket with sign-in and handling deadlines."""

    lead_department: str
    co_departments: list[str] = field(default_factory=list)
    type: str
    urgency: str
    utility: bool = False
    dispatched_at: datetime
    sign_due_at: datetime
    handle_due_at: datetime
    sign_limit: dict[str, Any] | None = None      # {"amount": n, "unit": "working_days"|…}
    handle_limit: dict[str, Any] | None = None
    provisional: bool = False                      # a deadline reaches into a year the calendar does not know
    reopen_count: int = 0


@dataclass(frozen=True, kw_only=True)
class TicketDispatched(_Assigned):
    """派单 to a lead unit (主办) and co-units (协办)."""

    TYPE = "hotline.ticket.dispatched"


@dataclass(frozen=True, kw_only=True)
class TicketReopened(_Assigned):
    """重办 after a justified 不满意 callback: the lead department handles it again."""

    TYPE = "hotline.ticket.reopened"


@dataclass(frozen=True, kw_only=True)
class TicketSigned(TicketEvent):
    """签收 by the lead department."""

    TYPE = "hotline.ticket.signed"

    department: str | None
    signed_at: datetime
    on_time: bool


@dataclass(frozen=True, kw_only=True)
class ReturnRequested(TicketEvent):
    """退单申请: the lead department says the ticket is not theirs."""

    TYPE = "hotline.ticket.return_requested"

    department: str | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReturnRejected(TicketEvent):
    """退单驳回: the department keeps the ticket."""

    TYPE = "hotline.ticket.return_rejected"

    department: str | None
    comment: str


@dataclass(frozen=True, kw_only=True)
class ReturnAccepted(TicketEvent):
    """退单通过: the ticket goes back to the dispatchers."""

    TYPE = "hotline.ticket.return_accepted"

    department: str | None
    comment: str


@dataclass(frozen=True, kw_only=True)
class ExtensionRequested(TicketEvent):
    """延期申请 in working days."""

    TYPE = "hotline.ticket.extension_requested"

    department: str | None
    days: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ExtensionRejected(TicketEvent):
    """延期驳回."""

    TYPE = "hotline.ticket.extension_rejected"

    department: str | None
    comment: str


@dataclass(frozen=True, kw_only=True)
class ExtensionApproved(TicketEvent):
    """延期批准: the handling deadline moves out."""

    TYPE = "hotline.ticket.extension_approved"

    department: str | None
    days: int
    handle_due_at: datetime
    provisional: bool = False


@dataclass(frozen=True, kw_only=True)
class TicketUrged(TicketEvent):
    """督办/催办."""

    TYPE = "hotline.ticket.urged"

    department: str | None
    note: str
    urge_count: int


@dataclass(frozen=True, kw_only=True)
class TicketAssisted(TicketEvent):
    """协办意见 from a co-department."""

    TYPE = "hotline.ticket.assisted"

    department: str


@dataclass(frozen=True, kw_only=True)
class TicketReplied(TicketEvent):
    """答复/办结, or the operator's direct answer; the callback (回访) is due by ``callback_due_at``."""

    TYPE = "hotline.ticket.replied"

    department: str | None
    replied_at: datetime
    on_time: bool
    resolution: str
    callback_due_at: datetime | None = None
    legal_channel: str | None = None
    provisional: bool = False
    knowledge_id: str | None = None       # the knowledge-base article a direct answer came from
    knowledge_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class CallbackRecorded(TicketEvent):
    """回访: the caller's rating on five levels (国办发〔2019〕51号); ``justified`` marks a 不满意 upheld."""

    TYPE = "hotline.ticket.callback_recorded"

    department: str | None
    satisfaction: str
    bad: bool
    justified: bool = False
    reopened: bool = False        # a justified 不满意 reopened the ticket (重办); past the cap it does not
    resolution: str | None = None
    note: str = ""
    answer_wrong: bool = False    # the knowledge-base answer given was wrong: a correction was opened


@dataclass(frozen=True, kw_only=True)
class TicketClosed(TicketEvent):
    """办结归档, an emergency transfer (``transferred_to``) or a close without callback."""

    TYPE = "hotline.ticket.closed"

    resolution: str | None
    closed_at: datetime
    department: str | None = None
    satisfaction: str | None = None
    transferred_to: str | None = None
    # shared.query_codes: lets another service check a number + query code (a public 好差评 review)
    code_digest: str = ""


@dataclass(frozen=True, kw_only=True)
class TicketMerged(TicketEvent):
    """并单: this ticket was folded into ``into``."""

    TYPE = "hotline.ticket.merged"

    into: str
    into_number: str


# -- the knowledge base (知识库): hotline.knowledge.* ------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class KnowledgeEvent(DomainEvent):
    """What every knowledge-base event carries: the article, its owning department and the version."""

    article_id: str
    department: str
    version: int


@dataclass(frozen=True, kw_only=True)
class KnowledgeDrafted(KnowledgeEvent):
    """A department drafted an article or a new version of it (awaiting publication)."""

    TYPE = "hotline.knowledge.drafted"


@dataclass(frozen=True, kw_only=True)
class KnowledgePublished(KnowledgeEvent):
    """The hotline office published ``version``; ``replaced_version`` was in force until now."""

    TYPE = "hotline.knowledge.published"

    public: bool = False
    review_by: str = ""           # ISO date: the owner reviews the article by then
    replaced_version: int | None = None
    # What the case index searches (the answer as plain text): an article is a case like any other.
    question: str = ""
    answer: str = ""
    keywords: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class KnowledgeRetired(KnowledgeEvent):
    """停用: the article no longer answers anything."""

    TYPE = "hotline.knowledge.retired"

    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class KnowledgeCorrectionOpened(KnowledgeEvent):
    """A callback said the article's answer was wrong: its owner has a correction task (纠错)."""

    TYPE = "hotline.knowledge.correction_opened"

    correction_id: str
    ticket_id: str
    ticket_number: str = ""


@dataclass(frozen=True, kw_only=True)
class KnowledgeCorrectionCompleted(KnowledgeCorrectionOpened):
    """The owner completed the correction task."""

    TYPE = "hotline.knowledge.correction_completed"
