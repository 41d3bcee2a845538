"""Knowledge-base figures for the stats API: first-call resolution (一次办结率 of consultations), the
questions no article answered, and articles by freshness — per department and period."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from services.hotline import store
from services.hotline.knowledge import policy, today
from services.hotline.knowledge_model import ArticleStatus, CorrectionStatus
from services.hotline.rules import Resolution, TicketType
from shared.directory import department_names
from shared.metrics import KNOWLEDGE_ARTICLES, KNOWLEDGE_CORRECTIONS_OPEN
from shared.periods import Period

if TYPE_CHECKING:
    from services.hotline.handlers import Hotline

K = store.knowledge
SAMPLES = 10


LIVE = (ArticleStatus.DRAFT.value, ArticleStatus.PUBLISHED.value)
FRESHNESS = ("current", "due_soon", "overdue", "drafts")


def _freshness(hotline: Hotline) -> sa.Case[str]:
    """A version's freshness today: drafts, or published and overdue, due soon (rules: ``due_soon_days``)
    or current."""
    v, day = K.versions, today(hotline)
    soon = day + timedelta(days=policy(hotline).due_soon_days)
    return sa.case((v.c.status == ArticleStatus.DRAFT.value, "drafts"), (v.c.review_by < day, "overdue"),
                   (v.c.review_by <= soon, "due_soon"), else_="current")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def knowledge_figures(hotline: Hotline, *, period: Period, departments: set[str] | None = None) -> dict[str, Any]:
    """Consultations received in ``period``: answered on the first call (with which department's article)
    or dispatched instead (unanswered: no article fitted); and every department's articles by freshness."""
    t, tl = store.tickets, store.timeline
    in_period = sa.and_(t.c.type == TicketType.CONSULTATION.value, t.c.created_at >= period.start,
                        t.c.created_at < period.end)
    dispatched = (sa.select(tl.c.department, tl.c.ticket_id).join(t, t.c.id == tl.c.ticket_id)
                  .where(in_period, tl.c.action == "dispatched").distinct().subquery())
    v, a = K.versions, K.articles
    freshness = _freshness(hotline)
    with hotline.db.read() as conn:
        consultations, first_call = conn.execute(sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case(
                (t.c.resolution == Resolution.DIRECT_ANSWER.value, 1), else_=0)), 0)).where(in_period)).one()
        unanswered_by: dict[str, int] = dict(conn.execute(sa.select(dispatched.c.department, sa.func.count())
                                          .group_by(dispatched.c.department)).all())
        unanswered = conn.execute(sa.select(sa.func.count(sa.distinct(dispatched.c.ticket_id)))).scalar_one()
        used_by: dict[str, int] = dict(conn.execute(
            sa.select(K.uses.c.department, sa.func.count()).join(t, t.c.id == K.uses.c.ticket_id)
            .where(in_period).group_by(K.uses.c.department)).all())
        corrections_by: dict[str, int] = dict(conn.execute(
            sa.select(K.corrections.c.department, sa.func.count())
            .where(K.corrections.c.opened_at >= period.start, K.corrections.c.opened_at < period.end)
            .group_by(K.corrections.c.department)).all())
        fresh = conn.execute(sa.select(a.c.department, freshness.label("f"), sa.func.count())
                             .join(a, a.c.id == v.c.article_id).where(v.c.status.in_(LIVE))
                             .group_by(a.c.department, freshness)).all()
        samples = sa.select(t.c.title).where(in_period, t.c.id.in_(sa.select(dispatched.c.ticket_id)))
        if departments is not None:
            samples = samples.where(t.c.id.in_(sa.select(dispatched.c.ticket_id)
                                               .where(dispatched.c.department.in_(sorted(departments)))))
        questions = list(conn.execute(samples.order_by(t.c.created_at.desc()).limit(SAMPLES)).scalars())
        names = department_names(conn, store.departments)
    articles: dict[str, dict[str, int]] = {}
    for dept, kind, n in fresh:
        articles.setdefault(dept, dict.fromkeys(FRESHNESS, 0))[kind] = n
    codes = set(unanswered_by) | set(used_by) | set(corrections_by) | set(articles)
    if departments is not None:
        codes &= departments
    rows = []
    for code in sorted(c for c in codes if c):
        used, missed = used_by.get(code, 0), unanswered_by.get(code, 0)
        rows.append({"department": code, "name": names.get(code, code), "answered_with_article": used,
                     "unanswered": missed, "first_call_resolution_rate": _rate(used, used + missed),
                     "corrections_opened": corrections_by.get(code, 0),
                     "articles": articles.get(code, dict.fromkeys(FRESHNESS, 0))})
    return {"consultations": consultations, "answered_first_call": int(first_call),
            "answered_with_article": sum(used_by.values()), "unanswered": unanswered,
            "first_call_resolution_rate": _rate(int(first_call), consultations),
            "unanswered_questions": questions, "departments": rows}



def refresh_gauges(hotline: Hotline) -> None:
    """Articles by freshness and open corrections, for the /metrics gauges."""
    v, c = K.versions, K.corrections
    freshness = _freshness(hotline)
    with hotline.db.read() as conn:
        counts = dict(conn.execute(sa.select(freshness, sa.func.count()).where(v.c.status.in_(LIVE))
                                   .group_by(freshness)).all())
        open_corrections = conn.execute(sa.select(sa.func.count()).select_from(c)
                                        .where(c.c.status == CorrectionStatus.OPEN.value)).scalar_one()
    for kind in FRESHNESS:
        KNOWLEDGE_ARTICLES.labels(kind).set(counts.get(kind, 0))
    KNOWLEDGE_CORRECTIONS_OPEN.set(open_corrections)
