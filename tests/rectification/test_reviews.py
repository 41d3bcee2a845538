"""好差评 in the embedded suite over HTTP: the public rates a closed ticket with its number + query code, a bad
review is called back, rectified or explained, rated again, appealed and decided; every step is clocked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.embedded import Suite
from services.monitoring import store as monitoring_store
from shared.clock import ManualClock
from shared.roles import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR
from tests.rectification.support import API, call, embedded_suite, notices, public

REVIEWS = API + "/reviews"
ZJJ = {"departments": ("zjj",)}
TICKETS = "/api/hotline/v1/tickets"


def closed_ticket(suite: Suite, *, satisfaction: str = "satisfied") -> dict[str, Any]:
    """A complaint handled by 住建局 (zjj) and closed after its callback; with its query code."""
    ticket = call(suite, "POST", TICKETS, {"type": "complaint", "urgency": "general", "channel": "phone",
                                           "title": "小区噪音扰民", "content": "夜间施工噪音影响休息",
                                           "caller": {"name": "张三", "phone": "13900000000"}}, OPERATOR).get_json()
    path = f"{TICKETS}/{ticket['id']}"
    call(suite, "POST", path + "/dispatch", {"lead_department": "zjj"}, DISPATCHER)
    call(suite, "POST", path + "/sign", {}, DEPARTMENT, **ZJJ)
    call(suite, "POST", path + "/reply", {"content": "已责令施工单位整改"}, DEPARTMENT, **ZJJ)
    closed = call(suite, "POST", path + "/callback", {"satisfaction": satisfaction}, DISPATCHER)
    assert closed.get_json()["status"] == "closed", closed.get_json()
    suite.runtime.run_until_idle()
    return ticket


def rate_ticket(suite: Suite, ticket: dict[str, Any], level: int, **extra: Any) -> Any:
    return public(suite, "POST", REVIEWS, {"number": ticket["number"], "code": ticket["query_code"], "level": level,
                                           "comment": "办理拖沓，噪音问题没有解决", **extra})


def review(suite: Suite, review_id: str) -> dict[str, Any]:
    return call(suite, "GET", f"{REVIEWS}/{review_id}", None, INSPECTOR).get_json()  # type: ignore[no-any-return]


def stats(suite: Suite, department: str) -> dict[str, Any]:
    items = public(suite, "GET", API + "/public/stats").get_json()["items"]
    return next(i for i in items if i["department"] == department)


def review_clocks(suite: Suite, review_id: str) -> dict[str, str]:
    """The review's clocks in monitoring: kind → state."""
    suite.runtime.run_until_idle()
    c = monitoring_store.clocks.c
    with suite.databases["monitoring"].read() as conn:
        rows = conn.execute(sa.select(c.kind, c.state, c.department).where(c.subject_id == review_id))
        return {kind: f"{state}:{department}" for kind, state, department in rows}


def test_a_bad_public_review_is_called_back_rectified_and_rated_and_the_statistics_change(suite, envelope):
    ticket = closed_ticket(suite)
    before = stats(suite, "zjj")

    envelope(public(suite, "POST", REVIEWS, {"number": ticket["number"], "code": "WRONG9", "level": 1}), 404)
    posted = rate_ticket(suite, ticket, 1)
    assert posted.status_code == 201, posted.get_json()
    receipt = posted.get_json()
    assert receipt["status"] == "pending_callback" and receipt["number"].startswith("好差评〔")
    assert set(receipt) == {"id", "number", "level", "status", "status_label", "due_at", "fix_level"}
    envelope(rate_ticket(suite, ticket, 2), 409)  # once per ticket
    path = f"{REVIEWS}/{receipt['id']}"
    assert review_clocks(suite, receipt["id"]) == {"review_callback": "running:12345"}

    envelope(call(suite, "POST", path + "/callback", {"confirmed": True}, DEPARTMENT, **ZJJ), 403)
    confirmed = call(suite, "POST", path + "/callback", {"confirmed": True, "note": "评价人反映属实"}, DISPATCHER)
    assert confirmed.get_json()["status"] == "confirmed"
    envelope(call(suite, "POST", path + "/rectify", {"text": "已约谈施工单位"}, DEPARTMENT, departments=("cgj",)), 404)
    rectified = call(suite, "POST", path + "/rectify", {"text": "已约谈施工单位，夜间停工并安装隔音屏障"}, DEPARTMENT,
                     **ZJJ).get_json()
    assert rectified["status"] == "rectified" and rectified["response"]["kind"] == "rectify"
    envelope(public(suite, "POST", path + "/rate", {"level": 5}), 403)  # the public must show the ticket's code
    rated = public(suite, "POST", path + "/rate", {"level": 4, "number": ticket["number"],
                                                  "code": ticket["query_code"].lower()})
    assert rated.status_code == 200, rated.get_json()
    assert (rated.get_json()["status"], rated.get_json()["fix_level"]) == ("closed", 4)

    assert review_clocks(suite, receipt["id"]) == {"review_callback": "stopped:12345",
                                                   "review_response": "stopped:zjj", "review_rating": "stopped:12345"}
    after = stats(suite, "zjj")
    assert after["reviews"]["1"] == before["reviews"]["1"] + 1
    assert (after["bad_reviews"], after["bad_reviews_rectified"]) == (before["bad_reviews"] + 1,
                                                                     before["bad_reviews_rectified"] + 1)
    assert "张三" not in str(after) and "13900000000" not in str(after)


def test_every_callback_rating_is_a_review_and_a_good_one_needs_no_handling(suite):
    ticket = closed_ticket(suite, satisfaction="very_satisfied")
    rated = call(suite, "GET", REVIEWS + "?channel=callback", None, INSPECTOR).get_json()

    [item] = [r for r in rated["items"] if r["subject"]["id"] == ticket["id"]]
    assert (item["level"], item["status"], item["bad"]) == (5, "recorded", False)
    good = rate_ticket(suite, ticket, 5).get_json()
    assert good["status"] == "recorded" and review_clocks(suite, good["id"]) == {}


def test_a_dismissed_review_needs_a_note_and_ends_there(suite, envelope):
    receipt = rate_ticket(suite, closed_ticket(suite), 2).get_json()
    path = f"{REVIEWS}/{receipt['id']}"

    envelope(call(suite, "POST", path + "/callback", {"confirmed": False}, DISPATCHER), 422)
    dismissed = call(suite, "POST", path + "/callback", {"confirmed": False, "note": "评价人误评"}, DISPATCHER)
    assert dismissed.get_json()["status"] == "dismissed"
    envelope(call(suite, "POST", path + "/rectify", {"text": "不需要整改的内容"}, DEPARTMENT, **ZJJ), 409)


def system_review(suite: Suite, level: int = 2, **extra: Any) -> Any:
    body = {"system": "zwfw", "external_id": "SP-2026-0001", "item_name": "建筑工程施工许可证核发",
            "department": "zjj", "level": level, "comment": "材料反复退回", "real_name": True, **extra}
    return call(suite, "POST", REVIEWS + "/system", body, DEPARTMENT, **ZJJ)


def test_an_approval_system_reports_a_review_once_with_its_service_account(suite, envelope):
    first = system_review(suite)
    assert first.status_code == 201, first.get_json()
    again = system_review(suite)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    envelope(system_review(suite, level=1), 409)
    envelope(call(suite, "POST", REVIEWS + "/system", {"system": "zwfw", "external_id": "X-1", "item_name": "某事项",
                                                       "department": "zjj", "level": 2}, DEPARTMENT,
                  departments=("cgj",)), 403)
    envelope(call(suite, "POST", REVIEWS + "/system", {"system": "zwfw", "external_id": "X-2", "item_name": "某事项",
                                                       "department": "nonexistent", "level": 2}, ADMIN), 422)
    assert first.get_json()["subject"] == {"service": "zwfw", "kind": "item", "id": "SP-2026-0001",
                                           "number": "建筑工程施工许可证核发"}


def test_an_appeal_pauses_the_answer_once_and_a_bad_rating_after_the_fix_raises_a_notice(suite, envelope):
    review_id = system_review(suite).get_json()["id"]
    path = f"{REVIEWS}/{review_id}"
    call(suite, "POST", path + "/callback", {"confirmed": True}, INSPECTOR)
    due = review(suite, review_id)["due_at"]

    appealed = call(suite, "POST", path + "/appeal", {"reason": "申请材料不全系申请人原因"}, DEPARTMENT, **ZJJ)
    assert appealed.get_json()["status"] == "appealed"
    assert review_clocks(suite, review_id)["review_response"] == "paused:zjj"
    envelope(call(suite, "POST", path + "/decide", {"upheld": False, "comment": "理由不成立"}, DEPARTMENT, **ZJJ), 403)
    rejected = call(suite, "POST", path + "/decide", {"upheld": False, "comment": "退件理由未告知申请人"},
                    INSPECTOR).get_json()
    assert rejected["status"] == "confirmed" and rejected["due_at"] >= due
    assert review_clocks(suite, review_id)["review_response"] == "running:zjj"
    envelope(call(suite, "POST", path + "/appeal", {"reason": "再次申诉的理由"}, DEPARTMENT, **ZJJ), 409)

    call(suite, "POST", path + "/explain", {"text": "已向申请人说明一次性告知清单"}, DEPARTMENT, **ZJJ)
    rated = call(suite, "POST", path + "/rate", {"level": 1, "comment": "说明不清楚"}, DISPATCHER)
    assert rated.get_json()["status"] == "closed"

    [notice] = notices(suite, source="review")
    assert notice["department"] == "zjj" and notice["source"]["ref"]["id"] == "SP-2026-0001"
    assert review(suite, review_id)["notice_id"] == notice["id"]


def test_an_upheld_appeal_annuls_the_review_and_it_no_longer_counts(suite):
    before = stats(suite, "zjj")
    review_id = system_review(suite, level=1).get_json()["id"]
    path = f"{REVIEWS}/{review_id}"
    call(suite, "POST", path + "/callback", {"confirmed": True}, INSPECTOR)
    call(suite, "POST", path + "/appeal", {"reason": "评价对象并非本单位事项"}, DEPARTMENT, **ZJJ)
    annulled = call(suite, "POST", path + "/decide", {"upheld": True, "comment": "申诉成立"}, INSPECTOR).get_json()

    assert annulled["status"] == "annulled"
    assert stats(suite, "zjj")["reviews"]["1"] == before["reviews"]["1"]
    assert review_clocks(suite, review_id)["review_response"] == "stopped:zjj"


def test_departments_see_only_their_own_reviews(suite):
    system_review(suite)
    call(suite, "POST", REVIEWS + "/system", {"system": "zwfw", "external_id": "CG-1", "item_name": "户外广告设置",
                                              "department": "cgj", "level": 2}, ADMIN)

    mine = call(suite, "GET", REVIEWS, None, DEPARTMENT, departments=("cgj",)).get_json()
    assert {r["department"] for r in mine["items"]} == {"cgj"} and mine["total"] == 1


def test_a_notice_raised_from_a_ticket_shows_on_the_ticket(suite):
    """The hotline links back: a justified 不满意 past the reopen cap raises a notice, the ticket's timeline
    (and the public status page) show it, and its close."""
    ticket = call(suite, "POST", TICKETS, {"type": "complaint", "urgency": "general", "channel": "phone",
                                           "title": "路灯不亮", "content": "小区门口路灯坏了一个月",
                                           "caller": {"name": "李四", "phone": "13900000001"}}, OPERATOR).get_json()
    path = f"{TICKETS}/{ticket['id']}"
    call(suite, "POST", path + "/dispatch", {"lead_department": "zjj"}, DISPATCHER)
    call(suite, "POST", path + "/sign", {}, DEPARTMENT, **ZJJ)
    call(suite, "POST", path + "/reply", {"content": "已安排维修"}, DEPARTMENT, **ZJJ)
    call(suite, "POST", path + "/callback", {"satisfaction": "dissatisfied", "justified": True, "note": "仍未修好"},
         DISPATCHER)
    suite.runtime.run_until_idle()
    [notice] = notices(suite, source="callback")
    notice_path = f"{API}/notices/{notice['id']}"
    call(suite, "POST", notice_path + "/report", {"measures": "已更换灯具并复查"}, DEPARTMENT, **ZJJ)
    call(suite, "POST", notice_path + "/verify", {"result": "pass", "comment": "整改到位"}, INSPECTOR)
    suite.runtime.run_until_idle()

    timeline = call(suite, "GET", path, None, DISPATCHER).get_json()["timeline"]
    linked = [(e["data"]["status"], e["data"]["number"]) for e in timeline if e["action"] == "rectification"]
    assert linked == [("issued", notice["number"]), ("closed", notice["number"])]
    status = public(suite, "GET", "/api/hotline/v1/public/status?number={}&code={}".format(
        ticket["number"], ticket["query_code"])).get_json()
    assert [e["action"] for e in status["timeline"]][-2:] == ["rectification", "rectification"]


@pytest.fixture
def clocked(tmp_path) -> Iterator[tuple[Suite, ManualClock]]:
    clock = ManualClock(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    for suite in embedded_suite(tmp_path, clock=clock):
        yield suite, clock


def test_the_public_may_rate_a_ticket_only_within_its_window(clocked, envelope):
    suite, clock = clocked
    ticket = closed_ticket(suite)
    clock.advance(timedelta(days=31))

    refused = envelope(rate_ticket(suite, ticket, 1), 409)
    assert "30" in refused["message"]


def test_an_ignored_bad_review_earns_the_office_a_card(clocked):
    suite, clock = clocked
    receipt = rate_ticket(suite, closed_ticket(suite), 1).get_json()
    clock.advance(timedelta(days=10))
    suite.runtime.run_until_idle()
    from services.monitoring.sweep import sweep
    sweep(suite.contexts["monitoring"])
    suite.runtime.run_until_idle()

    c = monitoring_store.cards.c
    with suite.databases["monitoring"].read() as conn:
        cards = conn.execute(sa.select(c.department, c.color).where(c.subject_id == receipt["id"])).all()
    assert cards and {department for department, _ in cards} == {"12345"}


def test_an_inspector_raises_a_notice_on_a_justified_dissatisfied_callback_once(tmp_path, envelope):
    """Within the reopen cap the ticket is reopened, and an inspector may still ask for a notice."""
    from services.hotline.rules import DeadlinePolicy
    from tests.rectification.support import suite_with

    for suite in suite_with(tmp_path, hotline_policy=DeadlinePolicy(max_reopens=2)):
        ticket = call(suite, "POST", TICKETS, {"type": "complaint", "urgency": "general", "channel": "phone",
                                               "title": "占道经营", "content": "早市摊贩占用人行道",
                                               "caller": {"name": "赵六", "phone": "13900000002"}},
                      OPERATOR).get_json()
        path = f"{TICKETS}/{ticket['id']}"
        call(suite, "POST", path + "/dispatch", {"lead_department": "cgj"}, DISPATCHER)
        call(suite, "POST", path + "/sign", {}, DEPARTMENT, departments=("cgj",))
        call(suite, "POST", path + "/reply", {"content": "已劝离摊贩"}, DEPARTMENT, departments=("cgj",))
        reopened = call(suite, "POST", path + "/callback", {"satisfaction": "dissatisfied", "justified": True,
                                                            "note": "第二天又来了"}, DISPATCHER).get_json()
        assert reopened["status"] == "reopened"
        suite.runtime.run_until_idle()
        assert notices(suite, source="callback") == []
        [callback] = call(suite, "GET", REVIEWS + "?channel=callback", None, INSPECTOR).get_json()["items"]

        envelope(call(suite, "POST", f"{REVIEWS}/{callback['id']}/notice", {}, DISPATCHER), 403)
        raised = call(suite, "POST", f"{REVIEWS}/{callback['id']}/notice", {"deadline_days": 10}, INSPECTOR)
        assert raised.status_code == 201, raised.get_json()
        notice = raised.get_json()
        assert (notice["department"], notice["source"]["kind"], notice["source"]["ref"]["id"]) == (
            "cgj", "callback", ticket["id"])
        envelope(call(suite, "POST", f"{REVIEWS}/{callback['id']}/notice", {}, INSPECTOR), 409)
        good = call(suite, "POST", REVIEWS + "/system", {"system": "zwfw", "external_id": "G-1",
                                                         "item_name": "某事项", "department": "cgj", "level": 5},
                    ADMIN).get_json()
        envelope(call(suite, "POST", f"{REVIEWS}/{good['id']}/notice", {}, INSPECTOR), 409)
