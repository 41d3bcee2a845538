"""Efficiency scores (效能考核) on a hand-computed quarter, the grade cap for red cards, and the ranking."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from services.monitoring import store
from services.monitoring.cards import Card
from services.monitoring.model import Reminder, Subject, SupervisedClock
from services.monitoring.rules import (
    CardColor,
    CardRule,
    CardSource,
    CardStatus,
    ClockKind,
    ClockState,
    Outcome,
    ScorePolicy,
    Stage,
)
from services.monitoring.scores import DepartmentScore, compute
from shared.auth import DEPARTMENT, INSPECTOR
from shared.calendar import TimeLimit
from tests.monitoring.moments import SHANGHAI

IN_Q4, BEFORE_Q4 = datetime(2026, 11, 5, 10, tzinfo=SHANGHAI), datetime(2026, 9, 30, 23, tzinfo=SHANGHAI)
_ids = itertools.count()


def next_id() -> str:
    return f"id-{next(_ids)}"


@pytest.fixture
def quarter(monitoring, directory):
    """zjj 3 on time + 1 late, 2 yellows counted; cgj 2 on time + 1 red; sthj 12 yellows + 5 reds;
    jtj 1 on time; scjg 2 late + 1 yellow. Plus records the formula must ignore."""
    clocks, cards, reminders = [], [], []

    def clock(department: str, outcome: Outcome, stopped_at: datetime = IN_Q4) -> str:
        start = stopped_at - timedelta(days=3)
        c = SupervisedClock(id=next_id(), subject=Subject("hotline", "ticket", next_id(), "ref"),
                            kind=ClockKind.HANDLE, department=department, started_at=start,
                            limit=TimeLimit.workdays(5), due_at=start + timedelta(days=7), state=ClockState.STOPPED,
                            stopped_at=stopped_at, outcome=outcome, stage=Stage.NONE, version=1)
        clocks.append(store.clock_values(c))
        return c.id

    def card(department: str, color: CardColor, status: CardStatus = CardStatus.ISSUED,
             issued_at: datetime = IN_Q4) -> None:
        cards.append(store.card_values(Card(
            id=next_id(), color=color, source=CardSource.MANUAL, rule=CardRule.MANUAL, department=department,
            reason="测试", issued_at=issued_at, issued_by="test", status=status, version=1)))

    def reminder(department: str) -> None:
        r = Reminder(next_id(), clock(department, Outcome.SUPERSEDED), department,
                     Subject("hotline", "ticket", "t", "ref"), ClockKind.HANDLE, IN_Q4, IN_Q4, "预警")
        reminders.append(store.reminder_values(r))

    for outcome in (Outcome.ON_TIME, Outcome.ON_TIME, Outcome.ON_TIME, Outcome.LATE, Outcome.SUPERSEDED):
        clock("zjj", outcome)
    clock("zjj", Outcome.LATE, stopped_at=BEFORE_Q4)
    card("zjj", CardColor.YELLOW)
    card("zjj", CardColor.YELLOW, CardStatus.CONFIRMED)
    card("zjj", CardColor.YELLOW, CardStatus.REVOKED)
    card("zjj", CardColor.RED, issued_at=BEFORE_Q4)
    reminder("zjj")
    reminder("zjj")
    clock("cgj", Outcome.ON_TIME)
    clock("cgj", Outcome.ON_TIME)
    card("cgj", CardColor.RED, CardStatus.CLEARED)  # cleared cards still count
    for _ in range(12):
        card("sthj", CardColor.YELLOW)
    for _ in range(5):
        card("sthj", CardColor.RED)
    clock("jtj", Outcome.ON_TIME)
    clock("scjg", Outcome.LATE)
    clock("scjg", Outcome.LATE)
    card("scjg", CardColor.YELLOW)
    with monitoring.db.engine.begin() as conn:
        conn.execute(store.clocks.insert(), clocks)
        conn.execute(store.cards.insert(), cards)
        conn.execute(store.warnings.insert(), reminders)


def test_the_quarter_scores_match_the_hand_computed_figures(client, bearer, quarter):
    body = client.get("/api/monitoring/v1/scores", query_string={"period": "2026Q4"},
                      headers=bearer(INSPECTOR)).get_json()

    assert body["period"] == "2026Q4" and body["start"] == "2026-10-01T00:00:00+08:00"
    got = {d["department"]: (d["on_time"], d["late"], d["reminders"], d["yellows"], d["reds"], d["on_time_rate"],
                             d["score"], d["grade_label"]) for d in body["departments"]}
    assert got == {
        "zjj": (3, 1, 2, 2, 0, 0.75, 69.0, "合格"),      # 75 − 2×3
        "cgj": (2, 0, 0, 0, 1, 1.0, 90.0, "良好"),       # 100 − 10, a red card caps the grade
        "sthj": (0, 0, 0, 12, 5, 1.0, 30.0, "不合格"),   # 100 − min(30, 36) − min(40, 50)
        "jtj": (1, 0, 0, 0, 0, 1.0, 100.0, "优秀"),
        "scjg": (0, 2, 0, 1, 0, 0.0, 0.0, "不合格"),     # 0 − 3, floored at 0
    }
    assert next(d for d in body["departments"] if d["department"] == "zjj")["name"] == "市住房和城乡建设局"


def test_the_ranking_orders_by_score_then_on_time_rate(client, bearer, quarter):
    body = client.get("/api/monitoring/v1/ranking", query_string={"period": "2026Q4"},
                      headers=bearer(INSPECTOR)).get_json()

    assert [(d["rank"], d["department"]) for d in body["departments"]] == [
        (1, "jtj"), (2, "cgj"), (3, "zjj"), (4, "sthj"), (5, "scjg")]


def test_department_staff_see_only_their_own_score_and_their_place_in_the_ranking(client, bearer, quarter):
    staff = bearer(DEPARTMENT, departments=("zjj",))

    scores = client.get("/api/monitoring/v1/scores", query_string={"period": "2026Q4"}, headers=staff).get_json()
    others = client.get("/api/monitoring/v1/scores", query_string={"period": "2026Q4", "department": "cgj"},
                        headers=staff).get_json()
    ranking = client.get("/api/monitoring/v1/ranking", query_string={"period": "2026Q4"}, headers=staff).get_json()

    assert [d["department"] for d in scores["departments"]] == ["zjj"]
    assert others["departments"] == []
    assert [(d["rank"], d["department"]) for d in ranking["departments"]] == [(3, "zjj")]
    assert ranking["total"] == 5


def test_a_quarter_without_activity_has_no_scores(client, bearer, quarter):
    body = client.get("/api/monitoring/v1/scores", query_string={"period": "2026Q2"},
                      headers=bearer(INSPECTOR)).get_json()

    assert body["departments"] == [] and body["total"] == 0


@pytest.mark.parametrize(("on_time", "late", "yellows", "reds", "grade"), [
    (10, 0, 0, 0, "excellent"), (9, 1, 0, 0, "excellent"), (9, 1, 1, 0, "good"), (10, 0, 0, 1, "good"),
    (8, 2, 0, 0, "good"), (7, 3, 0, 0, "pass"), (10, 0, 0, 4, "pass"), (5, 5, 0, 0, "fail")])
def test_grade_boundaries(on_time, late, yellows, reds, grade):
    entry = compute(DepartmentScore("d", "d", on_time=on_time, late=late, yellows=yellows, reds=reds),
                    ScorePolicy())

    assert entry.grade == grade


def test_anyone_reads_the_public_ranking_with_department_figures_only(client, quarter):
    body = client.get("/api/monitoring/v1/public/ranking", query_string={"period": "2026Q4"},
                      environ_overrides={"REMOTE_ADDR": "203.0.113.50"}).get_json()

    assert [(d["rank"], d["department"]) for d in body["departments"]] == [
        (1, "jtj"), (2, "cgj"), (3, "zjj"), (4, "sthj"), (5, "scjg")]
    assert body["total"] == 5
    allowed = {"rank", "department", "name", "on_time", "late", "reminders", "yellows", "reds", "on_time_rate",
               "score", "grade", "grade_label"}
    assert all(set(d) <= allowed for d in body["departments"])  # no case, no clock, no person


def test_the_public_ranking_is_rate_limited_per_address(client, envelope):
    for _ in range(20):  # DUBAN_PUBLIC_RATE_LIMIT
        assert client.get("/api/monitoring/v1/public/ranking",
                          environ_overrides={"REMOTE_ADDR": "203.0.113.51"}).status_code == 200
    envelope(client.get("/api/monitoring/v1/public/ranking", environ_overrides={"REMOTE_ADDR": "203.0.113.51"}), 429)
    assert client.get("/api/monitoring/v1/public/ranking",
                      environ_overrides={"REMOTE_ADDR": "203.0.113.52"}).status_code == 200
