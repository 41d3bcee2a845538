"""Rectification use cases: raise notices (by hand or from other services' events), answer and verify them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.rectification import store
from services.rectification.model import Notice
from services.rectification.rules import RULE_SECTIONS, NoticePolicy, ReviewPolicy, SourceKind
from shared.calendar import TimeLimit, WorkCalendar
from shared.db import Database
from shared.directory import require_active
from shared.errors import Forbidden, NotFound
from shared.ids import new_id
from shared.roles import ADMIN, DISPATCHER, INSPECTOR, Principal
from shared.rules import RuleBook
from shared.uow import UnitOfWork

# Who raises and verifies notices (纪检监察/督查); the hotline office reads them too.
VERIFIERS = (INSPECTOR, ADMIN)
CITYWIDE = (INSPECTOR, ADMIN, DISPATCHER)


@dataclass(frozen=True)
class Rectification:
    """What every use case needs: the database, the working-day calendar and the rules in force."""

    db: Database
    calendar: WorkCalendar
    rules: RuleBook = field(default_factory=lambda: RuleBook(RULE_SECTIONS))

    @property
    def policy(self) -> NoticePolicy:
        policy: NoticePolicy = self.rules.current("rectification")
        return policy

    @property
    def review_policy(self) -> ReviewPolicy:
        policy: ReviewPolicy = self.rules.current("reviews")
        return policy


def raise_notice(r: Rectification, uow: UnitOfWork, *, department: str, source_kind: SourceKind,
                 source_id: str, source_ref: dict[str, str], findings: str, requirements: str = "",
                 deadline_days: int | None = None, actor: str) -> Notice | None:
    """Issue a notice in ``uow``; None if one was raised from this source already (redelivery)."""
    notices = uow.repository(store.NoticeRepository)
    if notices.source_taken(source_kind, source_id):
        return None
    days = deadline_days or r.policy.deadline_workdays
    now = uow.now
    notice = Notice.issue(id=new_id(), number=notices.next_number(now.astimezone(r.calendar.tz).year),
                          department=department, source_kind=source_kind, source_ref=source_ref, findings=findings,
                          requirements=requirements, deadline_workdays=days,
                          due_at=r.calendar.due(now, TimeLimit.workdays(days)).due_at, now=now, actor=actor)
    notices.add(notice, source_id=source_id)
    uow.audit("notice.issued", "notice", notice.id, before=None,
              after={"number": notice.number, "department": department, "source": notice.source,
                     "due_at": notice.due_at})
    return notice


def issue_manual(r: Rectification, *, principal: Principal, department: str, findings: str, requirements: str,
                 deadline_days: int | None = None) -> Notice:
    """An inspector's notice by hand (督查人员人工下发)."""
    if not principal.has_any(*VERIFIERS):
        raise Forbidden("只有督查人员可以下发整改通知书 / only inspectors issue notices")
    with r.db.unit_of_work(actor=principal.actor) as uow:
        require_active(uow.conn, store.departments, [department], "department")
        notice_id = new_id()
        notice = raise_notice(r, uow, department=department, source_kind=SourceKind.MANUAL, source_id=notice_id,
                              source_ref={"service": "rectification", "id": notice_id, "number": ""},
                              findings=findings, requirements=requirements, deadline_days=deadline_days,
                              actor=principal.actor)
        assert notice is not None
        uow.commit()
    return notice


def _visible(notice: Notice, principal: Principal) -> bool:
    return principal.has_any(*CITYWIDE) or notice.department in principal.departments


def get_notice(r: Rectification, *, principal: Principal, notice_id: str) -> Notice:
    """A notice the caller may see; another department's is reported as not found."""
    with r.db.read() as conn:
        notice = store.NoticeRepository(conn).get(notice_id)
    if not _visible(notice, principal):
        raise NotFound("整改通知书不存在 / notice not found", {"id": [notice_id]})
    return notice


def list_notices(r: Rectification, *, principal: Principal, page: int, page_size: int, department: str | None = None,
                 status: str | None = None, source: str | None = None) -> tuple[list[Notice], int]:
    mine = None if principal.has_any(*CITYWIDE) else principal.departments
    with r.db.read() as conn:
        return store.NoticeRepository(conn).page(offset=(page - 1) * page_size, limit=page_size, departments=mine,
                                                 department=department, status=status, source=source)


def _change(r: Rectification, principal: Principal, notice_id: str, action: str, apply: Any) -> Notice:
    with r.db.unit_of_work(actor=principal.actor) as uow:
        notices = uow.repository(store.NoticeRepository)
        notice = notices.get(notice_id)
        if not _visible(notice, principal):
            raise NotFound("整改通知书不存在 / notice not found", {"id": [notice_id]})
        before = {"status": notice.status.value, "rounds": notice.rounds, "due_at": notice.due_at}
        apply(notice, uow.now)
        notices.save(notice)
        uow.audit(f"notice.{action}", "notice", notice.id, before=before,
                  after={"status": notice.status.value, "rounds": notice.rounds, "due_at": notice.due_at})
        uow.commit()
    return notice


def acknowledge(r: Rectification, *, principal: Principal, notice_id: str) -> Notice:
    return _change(r, principal, notice_id, "acknowledged", lambda n, now: n.acknowledge(actor=principal, now=now))


def report(r: Rectification, *, principal: Principal, notice_id: str, measures: str,
           evidence: list[dict[str, Any]]) -> Notice:
    return _change(r, principal, notice_id, "reported",
                   lambda n, now: n.report(actor=principal, measures=measures, evidence=evidence, now=now))


def request_extension(r: Rectification, *, principal: Principal, notice_id: str, days: int, reason: str) -> Notice:
    policy = r.policy
    return _change(r, principal, notice_id, "extension_requested",
                   lambda n, now: n.request_extension(actor=principal, days=days, reason=reason, policy=policy,
                                                      now=now))


def _verifier(principal: Principal) -> None:
    if not principal.has_any(*VERIFIERS):
        raise Forbidden("只有督查人员可以验收 / only inspectors verify")


def decide_extension(r: Rectification, *, principal: Principal, notice_id: str, approve: bool,
                     comment: str) -> Notice:
    _verifier(principal)

    def apply(notice: Notice, now: datetime) -> None:
        request = notice.pending_extension
        due = r.calendar.extend(notice.due_at, TimeLimit.workdays(request["days"])).due_at if request else None
        notice.decide_extension(actor=principal, approve=approve, comment=comment, due_at=due, now=now)

    return _change(r, principal, notice_id, "extension_decided", apply)


def verify(r: Rectification, *, principal: Principal, notice_id: str, passed: bool, comment: str) -> Notice:
    """验收: pass closes the notice (and clears the card that raised it); fail returns it."""
    _verifier(principal)
    policy = r.policy

    def apply(notice: Notice, now: datetime) -> None:
        resubmit = r.calendar.due(now, TimeLimit.workdays(policy.resubmit_workdays)).due_at
        notice.verify(actor=principal, passed=passed, comment=comment, resubmit_due_at=resubmit, policy=policy,
                      now=now)

    return _change(r, principal, notice_id, "verified", apply)


def printable(r: Rectification, *, principal: Principal, notice_id: str) -> str:
    """The notice as a printable A4 page (HTML), for whoever may see it."""
    from services.rectification.printing import render_notice

    notice = get_notice(r, principal=principal, notice_id=notice_id)
    with r.db.read() as conn:
        name = conn.execute(sa.select(store.departments.c.name)
                            .where(store.departments.c.code == notice.department)).scalar()
    return render_notice(notice, department_name=name or notice.department, tz=r.calendar.tz)
