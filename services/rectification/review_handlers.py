"""好差评 use cases: reviews from the public, the hotline's callbacks and approval systems, and the handling of a
bad one: callback (回访核实) → rectify or explain → the reviewer's rating (反馈), with an appeal (申诉复核)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from services.rectification import review_store as rs
from services.rectification import store
from services.rectification.handlers import CITYWIDE, VERIFIERS, Rectification, raise_notice
from services.rectification.model import Notice
from services.rectification.reviews import Deadline, Response, Review
from services.rectification.rules import ReviewChannel, SourceKind
from shared.calendar import TimeLimit
from shared.directory import require_active
from shared.errors import Conflict, Forbidden, NotFound
from shared.ids import new_id
from shared.query_codes import code_matches
from shared.roles import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, Principal
from shared.uow import UnitOfWork

# The 好差评 office: the 12345 callback staff and inspectors call reviewers back and record their ratings.
OFFICE = (DISPATCHER, INSPECTOR, ADMIN)
_WRONG_TICKET = "工单编号或查询码不正确，或该工单尚未办结 / wrong ticket number or query code, or not closed yet"


def _deadline(r: Rectification, now: datetime, workdays: int) -> Deadline:
    return Deadline(r.calendar.due(now, TimeLimit.workdays(workdays)).due_at, workdays)


def receive(r: Rectification, uow: UnitOfWork, *, channel: ReviewChannel, subject: dict[str, str], department: str,
            level: int, comment: str, real_name: bool, source_key: str, justified: bool = False
            ) -> tuple[Review, bool]:
    """Record a review in ``uow``; the one already recorded from ``source_key`` (and False) on a repeat."""
    reviews = uow.repository(rs.ReviewRepository)
    if (existing := reviews.of_source(source_key)) is not None:
        return existing, False
    now = uow.now
    review = Review.receive(id=new_id(), number=reviews.next_number(now.astimezone(r.calendar.tz).year),
                            channel=channel, subject=subject, department=department, level=level, comment=comment,
                            real_name=real_name, now=now,
                            callback_due=_deadline(r, now, r.review_policy.callback_workdays), justified=justified)
    reviews.add(review, source_key=source_key)
    uow.audit("review.received", "review", review.id, before=None,
              after={"number": review.number, "channel": channel.value, "department": department, "level": level})
    return review, True


def _ticket(r: Rectification, uow: UnitOfWork, number: str, code: str) -> dict[str, Any]:
    """The closed ticket a number + query code name; a wrong number and a wrong code answer alike."""
    ticket = rs.rateable_ticket(uow.conn, number.strip())
    if ticket is None or not code_matches(ticket["ticket_id"], code, ticket["code_digest"]):
        raise NotFound(_WRONG_TICKET, {"number": ["unknown, not closed, or the code does not match"]})
    return ticket


def review_ticket(r: Rectification, *, number: str, code: str, level: int, comment: str) -> Review:
    """公众评价: the caller rates a closed ticket with its number + query code, once, within the window."""
    with r.db.unit_of_work(actor="public") as uow:
        ticket = _ticket(r, uow, number, code)
        window = timedelta(days=r.review_policy.public_window_days)
        if uow.now > ticket["closed_at"] + window:
            raise Conflict(f"办结超过 {window.days} 天的工单不能再评价 / the rating window of this ticket has closed",
                           {"number": [f"closed more than {window.days} days ago"]})
        review, created = receive(
            r, uow, channel=ReviewChannel.PUBLIC, department=ticket["department"], level=level, comment=comment,
            subject={"service": "hotline", "kind": "ticket", "id": ticket["ticket_id"], "number": ticket["number"]},
            real_name=True, source_key=f"public:hotline:{ticket['ticket_id']}")
        if not created:
            raise Conflict("该工单已评价 / this ticket has been rated already", {"number": ["rated already"]})
        uow.commit()
    return review


def review_item(r: Rectification, *, principal: Principal, system: str, external_id: str, item_name: str,
                department: str, level: int, comment: str, real_name: bool) -> tuple[Review, bool]:
    """An approval system's review of one of its items (政务服务 好差评), with the credential an admin issued it:
    a service account of the item's department, or an admin. The same item again returns the first review."""
    if not (principal.has_any(ADMIN) or (principal.has_any(DEPARTMENT) and principal.acts_for(department))):
        raise Forbidden("只有该单位的系统账号可以报送评价 / only the department's system account reports reviews")
    with r.db.unit_of_work(actor=principal.actor) as uow:
        require_active(uow.conn, store.departments, [department], "department")
        review, created = receive(
            r, uow, channel=ReviewChannel.SYSTEM, department=department, level=level, comment=comment,
            subject={"service": system, "kind": "item", "id": external_id, "number": item_name},
            real_name=real_name, source_key=f"system:{system}:{external_id}")
        if not created and (review.department, review.level, review.comment) != (department, level, comment.strip()):
            raise Conflict("该事项已报送过不同的评价 / this item was reported with another review",
                           {"external_id": ["reported before with other facts"]})
        uow.commit()
    return review, created


def _visible(review: Review, principal: Principal) -> bool:
    return principal.has_any(*CITYWIDE) or review.department in principal.departments


def get_review(r: Rectification, *, principal: Principal, review_id: str) -> Review:
    with r.db.read() as conn:
        review = rs.ReviewRepository(conn).get(review_id)
    if not _visible(review, principal):
        raise NotFound("评价不存在 / review not found", {"id": [review_id]})
    return review


def list_reviews(r: Rectification, *, principal: Principal, page: int, page_size: int, **filters: Any
                 ) -> tuple[list[Review], int]:
    mine = None if principal.has_any(*CITYWIDE) else principal.departments
    with r.db.read() as conn:
        return rs.ReviewRepository(conn).page(offset=(page - 1) * page_size, limit=page_size, departments=mine,
                                              **filters)


def _change(r: Rectification, actor: str, review_id: str, action: str, apply: Any,
            visible: Any = lambda review: True) -> Review:
    with r.db.unit_of_work(actor=actor) as uow:
        reviews = uow.repository(rs.ReviewRepository)
        review = reviews.get(review_id)
        if not visible(review):
            raise NotFound("评价不存在 / review not found", {"id": [review_id]})
        before = {"status": review.status.value, "due_at": review.due_at}
        apply(uow, review, uow.now)
        reviews.save(review)
        uow.audit(f"review.{action}", "review", review.id, before=before,
                  after={"status": review.status.value, "due_at": review.due_at})
        uow.commit()
    return review


def _staff(principal: Principal, roles: tuple[str, ...], message: str) -> None:
    if not principal.has_any(*roles):
        raise Forbidden(message)


def call_back(r: Rectification, *, principal: Principal, review_id: str, confirmed: bool, note: str) -> Review:
    _staff(principal, OFFICE, "只有好差评回访人员可以核实 / only the review office calls back")
    days = r.review_policy.response_workdays
    return _change(r, principal.actor, review_id, "verified", lambda uow, review, now: review.call_back(
        actor=principal, confirmed=confirmed, note=note, response_due=_deadline(r, now, days), now=now))


def respond(r: Rectification, *, principal: Principal, review_id: str, kind: Response, text: str,
            evidence: list[dict[str, Any]]) -> Review:
    days = r.review_policy.rating_workdays
    return _change(r, principal.actor, review_id, kind.value, lambda uow, review, now: review.respond(
        actor=principal, kind=kind, text=text, evidence=evidence, rating_due=_deadline(r, now, days), now=now),
        visible=lambda review: _visible(review, principal))


def appeal(r: Rectification, *, principal: Principal, review_id: str, reason: str) -> Review:
    days = r.review_policy.appeal_workdays
    return _change(r, principal.actor, review_id, "appealed", lambda uow, review, now: review.appeal(
        actor=principal, reason=reason, decision_due=_deadline(r, now, days), now=now),
        visible=lambda review: _visible(review, principal))


def decide(r: Rectification, *, principal: Principal, review_id: str, upheld: bool, comment: str) -> Review:
    _staff(principal, VERIFIERS, "只有督查人员可以复核申诉 / only inspectors decide appeals")
    return _change(r, principal.actor, review_id, "appeal_decided", lambda uow, review, now: review.decide_appeal(
        actor=principal, upheld=upheld, comment=comment, now=now))


def rate(r: Rectification, *, principal: Principal | None, review_id: str, level: int, comment: str,
         number: str = "", code: str = "") -> Review:
    """The reviewer rates the answer: by the office on a callback, or by the caller with the ticket's number +
    query code. Still dissatisfied after the fix, a rectification notice follows (rules: notice_on_bad_fix)."""
    by_office = principal is not None and principal.has_any(*OFFICE)

    def apply(uow: UnitOfWork, review: Review, now: datetime) -> None:
        if not by_office:
            ticket = _ticket(r, uow, number, code) if number and code else None
            if ticket is None or review.subject.get("id") != ticket["ticket_id"]:
                raise Forbidden("请提供该评价所对应工单的编号和查询码 / give the rated ticket's number and query code",
                                {"code": ["the number and query code of the rated ticket"]})
        still_bad = review.rate(by=principal.actor if by_office and principal else "reviewer", level=level,
                                comment=comment, now=now)
        if still_bad and r.review_policy.notice_on_bad_fix:
            _escalate(r, uow, review, comment)

    return _change(r, principal.actor if principal else "public", review_id, "rated", apply)


def notice_for_callback(r: Rectification, *, principal: Principal, review_id: str, findings: str = "",
                        requirements: str = "", deadline_days: int | None = None) -> Notice:
    """An inspector asks for a notice on a justified 不满意 callback (not only past the reopen cap): one per
    ticket, the same source as the automatic one, so the hotline links it to the ticket."""
    _staff(principal, VERIFIERS, "只有督查人员可以下发整改通知书 / only inspectors issue notices")
    with r.db.unit_of_work(actor=principal.actor) as uow:
        reviews = uow.repository(rs.ReviewRepository)
        review = reviews.get(review_id)
        if not review.justified_callback:
            raise Conflict("只有经认定属实的回访不满意可以下发整改通知书 / only a justified dissatisfied callback",
                           {"id": ["not a justified dissatisfied callback"]})
        subject = review.subject
        notice = raise_notice(r, uow, department=review.department, source_kind=SourceKind.CALLBACK,
                              source_id=subject["id"],
                              source_ref={"service": "hotline", "id": subject["id"], "number": subject["number"]},
                              findings=findings or f"工单{subject['number']}回访不满意且经核实属实",
                              requirements=requirements or "重新处理诉求并向市民反馈。", deadline_days=deadline_days,
                              actor=principal.actor)
        if notice is None:
            raise Conflict("该工单已下发整改通知书 / a notice was raised for this ticket already",
                           {"id": ["notice raised already"]})
        review.link_notice(notice.id, uow.now)
        reviews.save(review)
        uow.commit()
    return notice


def _escalate(r: Rectification, uow: UnitOfWork, review: Review, comment: str) -> None:
    """The reviewer is still dissatisfied after the fix: a rectification notice (source ``review``)."""
    subject = review.subject
    notice = raise_notice(r, uow, department=review.department, source_kind=SourceKind.REVIEW, source_id=review.id,
                          source_ref={"service": subject["service"], "id": subject["id"],
                                      "number": subject.get("number", "")},
                          findings=f"差评{review.number}整改后评价人仍不满意：{comment.strip() or '（无说明）'}",
                          requirements="针对差评反映的问题整改到位，并向评价人反馈。", actor="system:rectification")
    if notice is not None:
        review.link_notice(notice.id, uow.now)


def public_stats(r: Rectification) -> list[dict[str, Any]]:
    """Per department: notices closed and on time, reviews by level, bad reviews rectified. No personal data."""
    with r.db.read() as conn:
        notices = store.NoticeRepository(conn).stats()
        reviews = rs.ReviewRepository(conn).stats()
        names = dict(conn.execute(sa.select(store.departments.c.code, store.departments.c.name)).all())
    items = []
    for department in sorted(names.keys() | notices.keys() | reviews.keys()):
        n = notices.get(department, {"notices": 0, "closed": 0, "closed_on_time": 0})
        v = reviews.get(department, {"reviews": {str(k): 0 for k in range(5, 0, -1)}, "bad_reviews": 0,
                                     "bad_reviews_rectified": 0})
        on_time = round(n["closed_on_time"] / n["closed"], 4) if n["closed"] else None
        items.append({"department": department, "name": names.get(department, department),
                      "notices": n["notices"], "closed": n["closed"], "on_time_rate": on_time, **v})
    return items
