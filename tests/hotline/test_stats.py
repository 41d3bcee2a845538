"""Department KPIs (GET /api/hotline/v1/stats), checked against numbers worked out by hand.

Definitions (docs/hotline.md): counted from the timeline entries in the period, per department —
assigned = dispatches + reopens; on-time sign rate = signed on time / signed; on-time closure rate =
replied by handle_due_at / replied; satisfaction rate = (非常满意+满意+基本满意) / callbacks; callback
rate = callbacks / replies; return rate = accepted returns / assigned; reopen rate = reopens / replies.
"""

from __future__ import annotations

import pytest

STATS = "/api/hotline/v1/stats"


@pytest.fixture
def scenario(desk, at):
    """Three tickets for zjj in November 2026 and one moved on to scjg, plus one zjj ticket in Q3.

    zjj:  T1 signed on time, replied on time, 满意 → closed.
          T2 signed late (Wed for a Tue deadline), replied on time, justified 不满意 → reopened, signed on
             time, replied on time, 非常满意 → closed.
          T3 returned by zjj, accepted and re-dispatched to scjg.
    scjg: T3 signed on time, replied late (Fri 12-04 for a 12-01 deadline), 非常不满意 (not justified).
    Q3:   T0 dispatched to zjj on 09-29 and signed on time.
    """
    desk.clock.set(at(2026, 9, 29, 10))
    t0 = desk.file()["id"]
    desk.do(t0, "dispatch", co_departments=[])
    desk.do(t0, "sign")

    desk.clock.set(at(2026, 11, 23, 9))
    t1, t2, t3 = (desk.file()["id"] for _ in range(3))
    for ticket_id in (t1, t2, t3):
        desk.do(ticket_id, "dispatch", co_departments=[])
    desk.clock.set(at(2026, 11, 23, 10))
    desk.do(t1, "sign")
    desk.do(t3, "return")
    desk.do(t3, "return/review", accept=True, lead_department="scjg")

    desk.clock.set(at(2026, 11, 24, 10))
    desk.do(t1, "reply")
    desk.do(t1, "callback", satisfaction="satisfied")
    desk.do(t3, "sign", "dept-scjg")

    desk.clock.set(at(2026, 11, 25, 10))
    desk.do(t2, "sign")
    desk.do(t2, "reply")
    desk.do(t2, "callback", satisfaction="dissatisfied", justified=True)
    desk.do(t2, "sign")
    desk.do(t2, "reply")
    desk.do(t2, "callback", satisfaction="very_satisfied")

    desk.clock.set(at(2026, 12, 4, 10))
    desk.do(t3, "reply", "dept-scjg")
    desk.do(t3, "callback", satisfaction="very_dissatisfied")
    return desk


ZJJ_Q4 = {
    "department": "zjj", "name": "市住房和城乡建设局",
    "assigned": 4, "signed": 3, "signed_on_time": 2, "replied": 3, "replied_on_time": 3, "callbacks": 3,
    "satisfied": 2, "returned": 1, "reopened": 1,
    "on_time_sign_rate": 0.6667, "on_time_closure_rate": 1.0, "satisfaction_rate": 0.6667,
    "callback_rate": 1.0, "return_rate": 0.25, "reopen_rate": 0.3333,
}
SCJG_Q4 = {
    "department": "scjg", "name": "市市场监督管理局",
    "assigned": 1, "signed": 1, "signed_on_time": 1, "replied": 1, "replied_on_time": 0, "callbacks": 1,
    "satisfied": 0, "returned": 0, "reopened": 0,
    "on_time_sign_rate": 1.0, "on_time_closure_rate": 0.0, "satisfaction_rate": 0.0,
    "callback_rate": 1.0, "return_rate": 0.0, "reopen_rate": 0.0,
}


def test_quarter_kpis_match_the_hand_count(scenario):
    response = scenario.get(STATS, "dispatcher", period="2026Q4")

    assert response.status_code == 200
    body = response.get_json()
    assert (body["period"], body["from"], body["to"]) == (
        "2026Q4", "2026-10-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")
    assert body["departments"] == [SCJG_Q4, ZJJ_Q4]


def test_events_outside_the_period_are_not_counted(scenario):
    body = scenario.get(STATS, "inspector", period="2026Q3").get_json()

    assert [(d["department"], d["assigned"], d["signed"], d["on_time_sign_rate"], d["on_time_closure_rate"])
            for d in body["departments"]] == [("zjj", 1, 1, 1.0, None)]


def test_quarters_split_at_midnight_beijing_time_not_utc(desk, at):
    for when in (at(2026, 9, 30, 23, 30), at(2026, 10, 1, 0, 30)):  # both 09-30 in UTC
        desk.clock.set(when)
        desk.do(desk.file()["id"], "dispatch", co_departments=[])

    q3 = desk.get(STATS, "dispatcher", period="2026Q3").get_json()["departments"]
    q4 = desk.get(STATS, "dispatcher", period="2026Q4").get_json()["departments"]

    assert [(d["department"], d["assigned"]) for d in q3] == [("zjj", 1)]
    assert [(d["department"], d["assigned"]) for d in q4] == [("zjj", 1)]


def test_a_month_and_an_explicit_date_range_are_periods_too(scenario):
    november = scenario.get(STATS, "dispatcher", period="2026-11").get_json()
    first_day = scenario.get(STATS, "dispatcher", **{"from": "2026-11-23", "to": "2026-11-23"}).get_json()

    assert [d["department"] for d in november["departments"]] == ["scjg", "zjj"]
    assert {d["department"]: (d["assigned"], d["signed"], d["returned"]) for d in first_day["departments"]} == {
        "scjg": (1, 0, 0), "zjj": (3, 1, 1)}
    assert first_day["period"] == "2026-11-23..2026-11-23"


def test_department_staff_see_only_their_own_department(scenario):
    body = scenario.get(STATS, "dept-scjg", period="2026Q4").get_json()

    assert body["departments"] == [SCJG_Q4]


def test_department_staff_asking_for_another_department_get_403(scenario, envelope):
    envelope(scenario.get(STATS, "dept-scjg", period="2026Q4", department="zjj"), 403)


def test_a_dispatcher_may_narrow_the_stats_to_one_department(scenario):
    body = scenario.get(STATS, "dispatcher", period="2026Q4", department="zjj").get_json()

    assert body["departments"] == [ZJJ_Q4]


def test_without_a_period_the_current_quarter_is_reported(desk):
    body = desk.get(STATS, "dispatcher").get_json()

    assert (body["period"], body["departments"]) == ("2026Q4", [])


def test_operators_do_not_see_department_kpis(desk, envelope):
    envelope(desk.get(STATS, "operator", period="2026Q4"), 403)


@pytest.mark.parametrize("query", [
    {"period": "2026Q5"}, {"period": "26Q4"}, {"period": "2026-13"}, {"period": "last quarter"},
    {"from": "2026-11-01"}, {"from": "2026-11-30", "to": "2026-11-01"}, {"from": "2026-13-01", "to": "2026-12-01"},
    {"period": "2026Q4", "department": "Not A Code!"},
])
def test_a_bad_period_gets_422(desk, envelope, query):
    envelope(desk.get(STATS, "dispatcher", **query), 422)


@pytest.mark.parametrize("query", [{"period": "0000"}, {"period": "9999Q4"},
                                   {"from": "9999-12-01", "to": "9999-12-31"},
                                   {"period": "0001Q1"}, {"period": "1999"}, {"period": "2101-01"},
                                   {"from": "0001-01-01", "to": "2026-11-01"},
                                   {"from": "2026-11-01", "to": "2101-01-01"}])
def test_a_period_at_the_edge_of_the_calendar_gets_422_not_500(desk, envelope, query):
    envelope(desk.get(STATS, "dispatcher", **query), 422)
