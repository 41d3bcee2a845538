"""好差评 reviews and the handling of a bad one (差评): verified by callback (回访核实), rectified or explained by
the department, rated by the reviewer (反馈); the department may appeal once (申诉复核) and an inspector decides.
Pure domain: no Flask, SQLAlchemy or pika.

Every step a person owes runs on the clock contract, so a late step is reminded and carded like any deadline:
the callback, the reviewer's rating and the appeal's decision are owed by the 好差评 office (the 12345 office,
which calls reviewers back); the answer (rectify or explain) is owed by the department and pauses while its
appeal is decided.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.rectification.handling import Handled
from services.rectification.rules import BAD_LEVELS, LEVELS, ReviewChannel, ReviewStatus
from shared.domain import HOTLINE_OFFICE, Actor, require_text
from shared.errors import InvalidInput, InvalidTransition
from shared.events import DomainEvent
from shared.events import clocks as C
from shared.events import rectification as E


class Response(StrEnum):
    RECTIFY = "rectify"   # 整改
    EXPLAIN = "explain"   # 解释说明 (e.g. the request was outside the law; nothing to fix)


class Clock(StrEnum):
    """The clock-contract kinds of a bad review's steps."""

    CALLBACK = "review_callback"
    RESPONSE = "review_response"
    RATING = "review_rating"
    APPEAL = "review_appeal"


AWAITING_RATING = (ReviewStatus.RECTIFIED, ReviewStatus.EXPLAINED)


@dataclass(frozen=True)
class Deadline:
    """A step's due time and the working days it was worked out from (the use case computes both)."""

    at: datetime
    workdays: int


def require_level(level: int, field_name: str = "level") -> int:
    if level not in LEVELS:
        raise InvalidInput("评价等级应为 1–5 / level must be 1–5", {field_name: ["one of 1, 2, 3, 4, 5"]})
    return level


@dataclass
class Review(Handled):
    NOUN = ("评价", "review")
    OWNER = ("被评价单位", "rated department")

    id: str
    number: str                  # 好差评〔2026〕000001号
    channel: ReviewChannel
    subject: dict[str, str]      # {"service", "kind", "id", "number"}: the ticket or approval item rated
    department: str
    level: int                   # 1 非常不满意 … 5 非常满意
    comment: str
    real_name: bool
    received_at: datetime
    status: ReviewStatus
    due_at: datetime | None = None           # the current step's due time
    response: dict[str, Any] | None = None   # {"kind", "text", "evidence", "at", "by"}
    fix_level: int | None = None             # the reviewer's rating of the answer
    appealed: bool = False
    notice_id: str | None = None             # the notice raised when the fix was rated bad again
    history: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    @property
    def bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def justified_callback(self) -> bool:
        return (self.channel is ReviewChannel.CALLBACK and self.bad
                and bool(self.history and self.history[0].get("justified")))

    @classmethod
    def receive(cls, *, id: str, number: str, channel: ReviewChannel, subject: dict[str, str], department: str,
                level: int, comment: str, real_name: bool, now: datetime, callback_due: Deadline,
                justified: bool = False) -> Review:
        """A review arrives. A bad one from the public or a system waits for its callback; a callback rating is
        the hotline's to handle (重办, or a notice past the reopen cap), so it is recorded only."""
        require_level(level)
        handled_here = level in BAD_LEVELS and channel is not ReviewChannel.CALLBACK
        review = cls(id, number, channel, subject, department, level, comment.strip(), real_name, now,
                     ReviewStatus.PENDING_CALLBACK if handled_here else ReviewStatus.RECORDED)
        received: dict[str, Any] = {"at": now.isoformat(), "by": channel.value, "action": "received", "level": level}
        if justified:  # a callback the dispatcher upheld (认定属实): an inspector may raise a notice on it
            received["justified"] = True
        review.history.append(received)
        review._emit(E.ReviewReceived, now, bad=review.bad, comment=review.comment)
        if handled_here:
            review._start(Clock.CALLBACK, now, "received", HOTLINE_OFFICE, callback_due)
        return review

    # -- the 好差评 office -----------------------------------------------------------------------------
    def call_back(self, *, actor: Actor, confirmed: bool, note: str, response_due: Deadline, now: datetime) -> None:
        """回访核实: confirmed, the department owes an answer; not confirmed, the review is dismissed."""
        self._require(ReviewStatus.PENDING_CALLBACK, action="callback")
        if not confirmed:
            require_text(note, "note", minimum=2)
        self._stop(Clock.CALLBACK, now, "called-back")
        self._log(now, actor, "verified", confirmed=confirmed, note=note.strip())
        if confirmed:
            self.status = ReviewStatus.CONFIRMED
            self._start(Clock.RESPONSE, now, "confirmed", self.department, response_due)
        else:
            self.status, self.due_at = ReviewStatus.DISMISSED, None
        self._emit(E.ReviewVerified, now, confirmed=confirmed, due_at=self.due_at)

    # -- the department ------------------------------------------------------------------------------
    def respond(self, *, actor: Actor, kind: Response, text: str, evidence: list[dict[str, Any]],
                rating_due: Deadline, now: datetime) -> None:
        """整改 or 解释说明; then the reviewer is asked to rate the answer."""
        self._own(actor)
        self._require(ReviewStatus.CONFIRMED, action=kind.value)
        require_text(text, "text", minimum=5)
        self._stop(Clock.RESPONSE, now, "responded")
        self.response = {"kind": kind.value, "text": text.strip(), "evidence": evidence, "at": now.isoformat(),
                         "by": actor.username}
        self.status = ReviewStatus.RECTIFIED if kind is Response.RECTIFY else ReviewStatus.EXPLAINED
        self._log(now, actor, kind.value)
        self._emit(E.ReviewResponded, now, response=kind.value)
        self._start(Clock.RATING, now, "responded", HOTLINE_OFFICE, rating_due)

    def appeal(self, *, actor: Actor, reason: str, decision_due: Deadline, now: datetime) -> None:
        """申诉复核, once per review: the answer's clock pauses until an inspector decides."""
        self._own(actor)
        self._require(ReviewStatus.CONFIRMED, action="appeal")
        if self.appealed:
            raise InvalidTransition("每条差评只能申诉一次 / a review may be appealed once",
                                    {"status": ["appealed once"]})
        require_text(reason, "reason", minimum=5)
        self.appealed, self.status = True, ReviewStatus.APPEALED
        self._log(now, actor, "appealed", reason=reason.strip(), response_due_at=_iso(self.due_at))
        self._emit(E.ReviewAppealed, now)
        self._clock(C.ClockPaused, now, "appealed", Clock.RESPONSE, reason="申诉复核")
        self._start(Clock.APPEAL, now, "appealed", HOTLINE_OFFICE, decision_due)

    # -- the inspector -------------------------------------------------------------------------------
    def decide_appeal(self, *, actor: Actor, upheld: bool, comment: str, now: datetime) -> None:
        """Upheld: the review is annulled (not counted). Rejected: the department must still answer."""
        self._require(ReviewStatus.APPEALED, action="decide")
        require_text(comment, "comment", minimum=2)
        self._stop(Clock.APPEAL, now, "decided")
        self._log(now, actor, "appeal_upheld" if upheld else "appeal_rejected", comment=comment.strip())
        if upheld:
            self.status, self.due_at = ReviewStatus.ANNULLED, None
            self._clock(C.ClockStopped, now, "annulled", Clock.RESPONSE, outcome="cancelled")
        else:
            # The answer's due time moves out by the time the appeal took, as monitoring moves the clock.
            appealed = next(h for h in reversed(self.history) if h["action"] == "appealed")
            paused = now - datetime.fromisoformat(appealed["at"])
            self.status = ReviewStatus.CONFIRMED
            self.due_at = datetime.fromisoformat(appealed["response_due_at"]) + paused
            self._clock(C.ClockResumed, now, "appeal-rejected", Clock.RESPONSE)
        self._emit(E.ReviewAppealDecided, now, upheld=upheld)

    # -- the reviewer ----------------------------------------------------------------------------------
    def rate(self, *, by: str, level: int, comment: str, now: datetime) -> bool:
        """The reviewer rates the answer (反馈); True when still dissatisfied (a notice may follow)."""
        self._require(*AWAITING_RATING, action="rate")
        self.fix_level = require_level(level)
        self.status, self.due_at = ReviewStatus.CLOSED, None
        self._stop(Clock.RATING, now, "rated")
        self.history.append({"at": now.isoformat(), "by": by, "action": "rated", "level": level,
                             "comment": comment.strip()})
        self._emit(E.ReviewRated, now, fix_level=level)
        return level in BAD_LEVELS

    def republish(self, now: datetime) -> None:
        """Republish the review as it stands (``rectification.review.snapshot``)."""
        self._emit(E.ReviewSnapshot, now, bad=self.bad, comment=self.comment, received_at=self.received_at)

    def link_notice(self, notice_id: str, now: datetime) -> None:
        self.notice_id = notice_id
        self.history.append({"at": now.isoformat(), "by": "system", "action": "notice_raised", "notice": notice_id})

    # -- helpers -----------------------------------------------------------------------------------
    def _emit(self, event: builtins.type[E.ReviewEvent], now: datetime, **data: Any) -> None:
        self.events.append(event(review_id=self.id, number=self.number, department=self.department,
                                 channel=self.channel.value, subject=self.subject, level=self.level,
                                 status=self.status.value, at=now, **data))

    def _start(self, kind: Clock, now: datetime, step: str, department: str, due: Deadline) -> None:
        self.due_at = due.at
        self._clock(C.ClockStarted, now, step, kind, department=department, limit_amount=due.workdays,
                    limit_unit="working_days", due_at=due.at)

    def _stop(self, kind: Clock, now: datetime, step: str) -> None:
        self._clock(C.ClockStopped, now, step, kind)

    def _clock(self, command: builtins.type[C.ClockCommand], now: datetime, step: str, kind: Clock,
               **data: Any) -> None:
        self.events.append(command(key=f"{self.id}:{kind.value}:{step}", subject_service="rectification",
                                   subject_kind="review", subject_id=self.id, subject_ref=self.number,
                                   kind=kind.value, at=now, **data))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
