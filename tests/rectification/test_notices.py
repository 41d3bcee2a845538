"""Rectification in the embedded suite: a notice answered, failed, answered again and closed over HTTP; red
cards, spot-check findings and justified complaints raise notices once; departments see only their own."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from gateway.embedded import create_suite
from gateway.handlers import seed_demo
from gateway.registry import PARTS
from services.monitoring import store as monitoring_store
from shared.bus.envelope import Event
from shared.events.spotcheck import ResultRecorded
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR
from shared.settings import Settings
from tests.passwords import fast_passwords
from tests.rectification.support import API, RECTIFICATION, call, notices


def test_the_whole_loop_over_http_acknowledge_report_fail_report_pass(suite, envelope):
    zjj = {"departments": ("zjj",)}
    body = {"department": "zjj", "findings": "工地夜间施工噪音投诉反复发生", "requirements": "落实夜间施工审批与巡查",
            "deadline_days": 10}
    issued = call(suite, "POST", API + "/notices", body, INSPECTOR)
    assert issued.status_code == 201, issued.get_json()
    notice = issued.get_json()
    assert notice["number"].startswith("整改〔") and notice["source"]["kind"] == "manual"
    path = f"{API}/notices/{notice['id']}"

    envelope(call(suite, "POST", path + "/acknowledge", {}, DEPARTMENT, departments=("cgj",)), 404)
    assert call(suite, "POST", path + "/acknowledge", {}, DEPARTMENT, **zjj).get_json()["status"] == "acknowledged"
    report = {"measures": "已约谈施工单位，停止夜间高噪声作业", "evidence": []}
    assert call(suite, "POST", path + "/report", report, DEPARTMENT, **zjj).get_json()["status"] == "reported"
    envelope(call(suite, "POST", path + "/verify", {"result": "pass"}, DEPARTMENT, **zjj), 403)
    failed = call(suite, "POST", path + "/verify", {"result": "fail", "comment": "未附巡查记录"}, INSPECTOR).get_json()
    assert (failed["status"], failed["rounds"]) == ("returned", 1)
    call(suite, "POST", path + "/report", {**report, "measures": "补充一周巡查记录"}, DEPARTMENT, **zjj)
    closed = call(suite, "POST", path + "/verify", {"result": "pass", "comment": "整改到位"}, INSPECTOR).get_json()

    assert closed["status"] == "closed"
    assert [h["action"] for h in closed["history"]] == ["acknowledged", "reported", "returned", "reported", "closed"]
    zjj_stats = next(i for i in call(suite, "GET", API + "/public/stats").get_json()["items"]
                     if i["department"] == "zjj")
    assert (zjj_stats["notices"], zjj_stats["closed"], zjj_stats["on_time_rate"]) == (1, 1, 1.0)
    with suite.databases["rectification"].read() as conn:
        clocks = [r[0] for r in conn.execute(sa.text(
            "SELECT routing_key FROM outbox WHERE routing_key LIKE 'rectification.clock.%' ORDER BY seq"))]
    assert clocks == ["rectification.clock.started", "rectification.clock.stopped",
                      "rectification.clock.started", "rectification.clock.stopped"]


def test_a_red_card_raises_a_notice_whose_closing_clears_the_card(suite):
    card = call(suite, "POST", "/api/monitoring/v1/cards", {"department": "zjj", "color": "red",
                                                            "reason": "无正当理由拒绝受理"}, INSPECTOR)
    assert card.status_code == 201, card.get_json()
    suite.runtime.run_until_idle()

    [notice] = notices(suite, source="red_card")
    assert notice["department"] == "zjj" and notice["source"]["ref"]["id"] == card.get_json()["id"]
    path = f"{API}/notices/{notice['id']}"
    call(suite, "POST", path + "/report", {"measures": "已重新受理并答复当事人"}, DEPARTMENT, departments=("zjj",))
    call(suite, "POST", path + "/verify", {"result": "pass", "comment": "核实整改到位"}, INSPECTOR)
    suite.runtime.run_until_idle()

    with suite.databases["monitoring"].read() as conn:
        status = conn.execute(sa.select(monitoring_store.cards.c.status)
                              .where(monitoring_store.cards.c.id == card.get_json()["id"])).scalar_one()
    assert status == "cleared"


def test_a_spot_check_finding_raises_one_notice_however_often_it_is_delivered(suite):
    finding = ResultRecorded(plan_id="p-1", draw_id="d-1", uscc="91350100M000100Y43", target_name="某餐饮公司",
                             department="scjg", category="ordered_to_correct", finding=True, summary="后厨卫生不达标",
                             recorded_at=datetime.now(UTC))
    event = Event(type=finding.TYPE, data=finding.to_data(), occurred_at=datetime.now(UTC), producer="spotcheck")
    consumer_db = suite.databases["rectification"]
    from shared.bus.consumer import Consumer

    consumer = Consumer(consumer_db, "rectification", PARTS["rectification"].subscriptions(
        suite.contexts["rectification"]))
    for message_id in ("m-1", "m-2"):  # redelivered, and published twice
        consumer.handle(message_id, event.type, event.to_json())

    [notice] = notices(suite, source="spot_check")
    assert notice["department"] == "scjg" and "后厨卫生不达标" in notice["findings"]


def test_a_justified_dissatisfied_callback_past_the_reopen_cap_raises_a_notice_for_the_lead_department(suite):
    hotline = "/api/hotline/v1/tickets"
    ticket = call(suite, "POST", hotline, {"type": "complaint", "urgency": "general", "channel": "phone",
                                           "title": "小区噪音扰民", "content": "夜间施工噪音影响休息",
                                           "caller": {"name": "张三", "phone": "13900000000"}}, OPERATOR).get_json()
    path = f"{hotline}/{ticket['id']}"
    call(suite, "POST", path + "/dispatch", {"lead_department": "zjj"}, DISPATCHER)
    call(suite, "POST", path + "/sign", {}, DEPARTMENT, departments=("zjj",))
    call(suite, "POST", path + "/reply", {"content": "已责令施工单位整改"}, DEPARTMENT, departments=("zjj",))
    callback = call(suite, "POST", path + "/callback", {"satisfaction": "very_dissatisfied", "justified": True,
                                                        "note": "噪音依旧"}, DISPATCHER)
    assert callback.status_code == 200, callback.get_json()
    suite.runtime.run_until_idle()

    [notice] = notices(suite, source="callback")
    assert notice["department"] == "zjj" and notice["source"]["ref"]["number"] == ticket["number"]


def test_departments_see_only_their_own_notices(suite, envelope):
    call(suite, "POST", API + "/notices", {"department": "zjj", "findings": "住建局的问题"}, INSPECTOR)
    call(suite, "POST", API + "/notices", {"department": "cgj", "findings": "城管局的问题"}, INSPECTOR)

    mine = call(suite, "GET", API + "/notices", None, DEPARTMENT, departments=("cgj",)).get_json()
    envelope(call(suite, "POST", API + "/notices", {"department": "cgj", "findings": "自己下发"}, DEPARTMENT,
                  departments=("cgj",)), 403)
    assert [n["department"] for n in mine["items"]] == ["cgj"] and mine["total"] == 1


def test_a_card_revoked_before_its_notice_closes_withdraws_the_notice(suite):
    card = call(suite, "POST", "/api/monitoring/v1/cards", {"department": "zjj", "color": "red",
                                                            "reason": "违规收费"}, INSPECTOR).get_json()
    suite.runtime.run_until_idle()
    revoked = call(suite, "POST", f"/api/monitoring/v1/cards/{card['id']}/revoke", {"reason": "经复核系误判"},
                   INSPECTOR)
    assert revoked.status_code == 200, revoked.get_json()
    suite.runtime.run_until_idle()

    [notice] = notices(suite, source="red_card")
    assert notice["status"] == "withdrawn"


def test_a_spot_check_finding_s_notice_is_linked_back_to_its_result(tmp_path, monkeypatch):
    """Both services in one suite: the finding raises the notice, and the result shows the notice's number."""
    from tests.spotcheck.codes import uscc
    from tests.spotcheck.test_api import SPOTCHECK, Client, drawn_plan

    monkeypatch.setitem(PARTS, "rectification", RECTIFICATION)
    monkeypatch.setitem(PARTS, "spotcheck", SPOTCHECK)
    settings = Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING")
    both = create_suite(settings, overrides={"gateway": {"passwords": fast_passwords()}})
    try:
        seed_demo(both.contexts["gateway"])
        both.runtime.run_until_idle()
        client = Client(both)
        for n in range(8):
            client.post("/targets", {"uscc": uscc(n), "name": f"示范企业{n}", "region": "110101", "industry": "餐饮",
                                     "risk_class": "D"})
        for n, department in enumerate(["scjg", "scjg", "sthj", "sthj"]):
            client.post("/inspectors", {"name": f"检查员{n}", "department": department,
                                        "certificate_no": f"ZF-{n:04d}", "region": "110101"})
        plan_id, record = drawn_plan(client)
        target = record["selections"][0]["target"]["uscc"]
        client.post(f"/plans/{plan_id}/results", {"uscc": target, "category": "pending_follow_up",
                                                  "summary": "证照过期，待后续处理"}, DEPARTMENT, departments=("scjg",))
        both.runtime.run_until_idle()

        [result] = client.get(f"/plans/{plan_id}/results", INSPECTOR).get_json()
        assert result["notice_number"].startswith("整改〔")
    finally:
        both.close()


def test_an_overdue_notices_own_red_card_raises_no_second_notice(suite):
    from shared.events.monitoring import CardIssued

    card = CardIssued(card_id="c-9", color="red", department="zjj", reason="整改逾期", source="auto",
                      rule="overdue", subject={"service": "rectification", "kind": "notice", "id": "n-1",
                                               "ref": "整改〔2026〕0001号"}, issued_at=datetime.now(UTC))
    event = Event(type=card.TYPE, data=card.to_data(), occurred_at=datetime.now(UTC), producer="monitoring")
    from shared.bus.consumer import Consumer

    Consumer(suite.databases["rectification"], "rectification",
             PARTS["rectification"].subscriptions(suite.contexts["rectification"])).handle("m-9", event.type,
                                                                                           event.to_json())

    assert notices(suite) == []


def test_an_extension_is_decided_only_on_an_open_notice(suite, envelope):
    zjj = {"departments": ("zjj",)}
    notice = call(suite, "POST", API + "/notices", {"department": "zjj", "findings": "需要整改的问题"},
                  INSPECTOR).get_json()
    path = f"{API}/notices/{notice['id']}"
    call(suite, "POST", path + "/extension", {"days": 5, "reason": "需要协调多个部门"}, DEPARTMENT, **zjj)
    call(suite, "POST", path + "/report", {"measures": "已完成整改并复查"}, DEPARTMENT, **zjj)

    envelope(call(suite, "POST", path + "/extension/decision", {"approve": True}, INSPECTOR), 409)


def test_a_notice_prints_on_an_a4_page_with_its_number_seal_area_and_dates(suite, envelope):
    notice = call(suite, "POST", API + "/notices", {"department": "zjj", "findings": "工地围挡<script>缺失</script>",
                                                    "deadline_days": 5}, INSPECTOR).get_json()

    printed = call(suite, "GET", f"{API}/notices/{notice['id']}/print", None, DEPARTMENT, departments=("zjj",))
    html = printed.get_data(as_text=True)
    assert printed.status_code == 200 and printed.mimetype == "text/html"
    assert notice["number"] in html and "市住房和城乡建设局：" in html and "（印章）" in html
    assert "size: A4" in html and "24时前" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    envelope(call(suite, "GET", f"{API}/notices/{notice['id']}/print", None, DEPARTMENT, departments=("cgj",)), 404)


def test_the_demo_data_shows_notices_and_reviews_in_every_state_once(suite):
    from services.rectification.demo import NOTICES, REVIEWS, seed_demo

    assert seed_demo(suite.contexts["rectification"]).startswith(f"{len(NOTICES)} notices, {len(REVIEWS)} reviews")
    assert seed_demo(suite.contexts["rectification"]) is None
    suite.runtime.run_until_idle()

    assert sorted(n["status"] for n in notices(suite)) == sorted(stage for *_, stage in NOTICES)
    reviews = call(suite, "GET", API + "/reviews?channel=system", None, INSPECTOR).get_json()["items"]
    assert sorted(r["status"] for r in reviews) == sorted(stage for *_, stage in REVIEWS)
