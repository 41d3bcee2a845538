"""好差评 storage: reviews with their handling, their yearly numbers, and the closed tickets the public may rate."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row

from services.rectification.reviews import Review
from services.rectification.rules import BAD_LEVELS, ReviewChannel, ReviewStatus
from services.rectification.store import rateable_tickets, review_sequences, reviews
from shared.errors import NotFound
from shared.jsonutil import dumps
from shared.repository import Repository
from shared.sequences import next_in_series


class ReviewRepository(Repository):
    def next_number(self, year: int) -> str:
        """好差评〔year〕NNNNNN号."""
        return f"好差评〔{year}〕{next_in_series(self.conn, review_sequences, 'year', year):06d}号"

    def of_source(self, source_key: str) -> Review | None:
        row = self.conn.execute(sa.select(reviews).where(reviews.c.source_key == source_key)).first()
        return None if row is None else self.seen(_review(row))

    def add(self, review: Review, *, source_key: str) -> None:
        review.version = 1
        self.conn.execute(reviews.insert().values(id=review.id, version=1, source_key=source_key, **_values(review)))
        self.seen(review)

    def batch_after(self, after: str, size: int) -> list[Review]:
        """The next ``size`` reviews by id after ``after`` (snapshots)."""
        rows = self.conn.execute(sa.select(reviews).where(reviews.c.id > after).order_by(reviews.c.id).limit(size))
        return self.seen_all([_review(row) for row in rows])

    def get(self, review_id: str) -> Review:
        row = self.conn.execute(sa.select(reviews).where(reviews.c.id == review_id)).first()
        if row is None:
            raise NotFound("评价不存在 / review not found", {"id": [review_id]})
        return self.seen(_review(row))

    def save(self, review: Review) -> None:
        self.save_versioned(reviews, review, _values(review), "评价已被他人处理，请重试 / the review changed; retry")

    def page(self, *, offset: int, limit: int, departments: frozenset[str] | None, department: str | None,
             status: str | None, channel: str | None, bad: bool | None) -> tuple[list[Review], int]:
        r = reviews
        conditions: list[Any] = []
        if departments is not None:
            conditions.append(r.c.department.in_(sorted(departments)))
        for column, value in ((r.c.department, department), (r.c.status, status), (r.c.channel, channel)):
            if value:
                conditions.append(column == value)
        if bad is not None:
            conditions.append(r.c.level.in_(sorted(BAD_LEVELS)) if bad else r.c.level.not_in(sorted(BAD_LEVELS)))
        where = sa.and_(sa.true(), *conditions)
        total = self.conn.execute(sa.select(sa.func.count()).select_from(r).where(where)).scalar_one()
        rows = self.conn.execute(sa.select(r).where(where).order_by(r.c.received_at.desc(), r.c.id)
                                 .offset(offset).limit(limit))
        return [_review(row) for row in rows], int(total)

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per department: reviews by level (annulled ones not counted), bad ones, bad ones rectified."""
        r = reviews
        rectified = r.c.response_kind == "rectify"
        rows = self.conn.execute(
            sa.select(r.c.department, r.c.level, sa.func.count(),
                      sa.func.sum(sa.case((rectified, 1), else_=0)))
            .where(r.c.status != ReviewStatus.ANNULLED.value).group_by(r.c.department, r.c.level))
        by_department: dict[str, dict[str, Any]] = {}
        for department, level, count, fixed in rows:
            entry = by_department.setdefault(department, {"reviews": {str(n): 0 for n in range(5, 0, -1)},
                                                          "bad_reviews": 0, "bad_reviews_rectified": 0})
            entry["reviews"][str(level)] += count
            if level in BAD_LEVELS:
                entry["bad_reviews"] += count
                entry["bad_reviews_rectified"] += int(fixed or 0)
        return by_department


def remember_closed_ticket(conn: sa.Connection, *, ticket_id: str, number: str, department: str, digest: str,
                           closed_at: datetime) -> None:
    """A closed ticket the public may rate; a reopened ticket's later close moves its window on."""
    values = {"number": number, "department": department, "code_digest": digest, "closed_at": closed_at}
    t = rateable_tickets
    if not conn.execute(t.update().where(t.c.ticket_id == ticket_id).values(**values)).rowcount:
        conn.execute(t.insert().values(ticket_id=ticket_id, **values))


def rateable_ticket(conn: sa.Connection, number: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(rateable_tickets).where(rateable_tickets.c.number == number)).first()
    return None if row is None else dict(row._mapping)


def _values(review: Review) -> dict[str, Any]:
    return {"number": review.number, "channel": review.channel.value, "subject": dumps(review.subject),
            "department": review.department, "level": review.level, "comment": review.comment,
            "real_name": review.real_name, "received_at": review.received_at, "status": review.status.value,
            "due_at": review.due_at, "response": None if review.response is None else dumps(review.response),
            "response_kind": None if review.response is None else review.response["kind"],
            "fix_level": review.fix_level, "appealed": review.appealed, "notice_id": review.notice_id,
            "history": dumps(review.history)}


def _review(row: Row[Any]) -> Review:
    m = row._mapping
    return Review(id=m["id"], number=m["number"], channel=ReviewChannel(m["channel"]),
                  subject=json.loads(m["subject"]), department=m["department"], level=m["level"],
                  comment=m["comment"], real_name=m["real_name"], received_at=m["received_at"],
                  status=ReviewStatus(m["status"]), due_at=m["due_at"],
                  response=None if m["response"] is None else json.loads(m["response"]), fix_level=m["fix_level"],
                  appealed=m["appealed"], notice_id=m["notice_id"], history=json.loads(m["history"]),
                  version=m["version"])
