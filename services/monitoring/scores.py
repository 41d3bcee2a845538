"""Efficiency scores (效能考核) per department and period, and the ranking.

For each department, over the events that happened in the period:

- ``on_time_rate`` = clocks stopped on time / clocks stopped on time or late (1.0 when there were none;
  superseded and cancelled clocks do not count: the department was not the one timed to the end);
- ``score`` = 100 × on_time_rate − min(30, 3 × yellow cards) − min(40, 10 × red cards), floored at 0,
  counting cards issued in the period and not revoked (a cleared card still counts: it was deserved);
- ``grade`` = 优秀 (≥ 90), 良好 (≥ 80), 合格 (≥ 60), else 不合格; any red card caps the grade at 良好.

The counts of reminders, yellow and red cards are reported alongside. The ranking orders departments by
score, then on-time rate, then code. A department appears once it had a measured clock, a reminder or a
card in the period.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from services.monitoring import store
from services.monitoring.board import names
from services.monitoring.handlers import Monitoring
from services.monitoring.rules import CardColor, CardStatus, Outcome, ScorePolicy
from shared.periods import Period

GRADE_LABELS = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}


@dataclass
class DepartmentScore:
    department: str
    name: str
    on_time: int = 0
    late: int = 0
    reminders: int = 0
    yellows: int = 0
    reds: int = 0
    on_time_rate: float = 1.0
    score: float = 100.0
    grade: str = "excellent"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "grade_label": GRADE_LABELS[self.grade]}


def compute(entry: DepartmentScore, policy: ScorePolicy) -> DepartmentScore:
    """Fill in the rate, score and grade from the counts (the formula in the module docstring)."""
    measured = entry.on_time + entry.late
    entry.on_time_rate = round(entry.on_time / measured, 4) if measured else 1.0
    penalty = (min(policy.yellow_cap, policy.yellow_penalty * entry.yellows)
               + min(policy.red_cap, policy.red_penalty * entry.reds))
    entry.score = round(max(0.0, 100 * entry.on_time_rate - penalty), 2)
    entry.grade = grade(entry.score, entry.reds, policy)
    return entry


def grade(score: float, reds: int, policy: ScorePolicy) -> str:
    if score >= policy.excellent and reds == 0:
        return "excellent"
    if score >= policy.good:
        return "good"
    return "pass" if score >= policy.passing else "fail"


def department_scores(monitoring: Monitoring, *, period: Period,
                      departments: set[str] | None = None) -> list[DepartmentScore]:
    """Scores of every department active in ``period`` (three grouped queries), by department code."""
    c, w, k = store.clocks.c, store.warnings.c, store.cards.c
    clock_query = (sa.select(c.department, c.outcome, sa.func.count())
                   .where(c.stopped_at >= period.start, c.stopped_at < period.end,
                          c.outcome.in_([Outcome.ON_TIME.value, Outcome.LATE.value]))
                   .group_by(c.department, c.outcome))
    warning_query = (sa.select(w.department, sa.func.count())
                     .where(w.issued_at >= period.start, w.issued_at < period.end).group_by(w.department))
    card_query = (sa.select(k.department, k.color, sa.func.count())
                  .where(k.issued_at >= period.start, k.issued_at < period.end,
                         k.status != CardStatus.REVOKED.value)
                  .group_by(k.department, k.color))
    if departments is not None:
        wanted = sorted(departments)
        clock_query = clock_query.where(c.department.in_(wanted))
        warning_query = warning_query.where(w.department.in_(wanted))
        card_query = card_query.where(k.department.in_(wanted))
    with monitoring.db.read() as conn:
        clock_rows, warning_rows, card_rows = (conn.execute(q).all()
                                               for q in (clock_query, warning_query, card_query))
        known = names(conn)
    entries: dict[str, DepartmentScore] = {}

    def entry(code: str) -> DepartmentScore:
        return entries.setdefault(code, DepartmentScore(code, known.get(code, code)))

    for code, outcome, n in clock_rows:
        if outcome == Outcome.ON_TIME.value:
            entry(code).on_time += n
        else:
            entry(code).late += n
    for code, n in warning_rows:
        entry(code).reminders += n
    for code, color, n in card_rows:
        if color == CardColor.YELLOW.value:
            entry(code).yellows += n
        else:
            entry(code).reds += n
    return [compute(entries[code], monitoring.scoring) for code in sorted(entries)]


def ranking(scores: list[DepartmentScore]) -> list[dict[str, Any]]:
    """Departments by score (desc), then on-time rate (desc), then code; ties share no rank."""
    ordered = sorted(scores, key=lambda s: (-s.score, -s.on_time_rate, s.department))
    return [{"rank": i, **s.as_dict()} for i, s in enumerate(ordered, start=1)]
