"""The search service in the embedded suite: a ticket filed at the hotline is found moments later, staff only,
with the one error envelope for bad input, and its OpenAPI document."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from gateway.embedded import Suite, create_suite
from gateway.handlers import seed_demo
from gateway.registry import PARTS
from shared.roles import Principal
from shared.settings import Settings
from tests.passwords import fast_passwords

API = "/api/search/v1"


@pytest.fixture
def suite(tmp_path) -> Iterator[Suite]:
    suite = create_suite(Settings(data_dir=tmp_path, background_workers=False, log_level="WARNING"),
                         overrides={"gateway": {"passwords": fast_passwords()}})
    seed_demo(suite.contexts["gateway"])
    suite.runtime.run_until_idle()
    yield suite
    suite.close()


def bearer(suite: Suite, *roles: str, departments: tuple[str, ...] = ()) -> dict[str, str]:
    principal = Principal(f"u-{uuid.uuid4().hex[:6]}", frozenset(roles), frozenset(departments))
    return {"Authorization": f"Bearer {suite.tokens.issue(principal, now=datetime.now(UTC))}"}


def client(suite: Suite):  # type: ignore[no-untyped-def]
    http = suite.apps["gateway"].test_client()
    http.application.wsgi_app = suite.wsgi  # type: ignore[method-assign]
    return http


def test_a_ticket_filed_at_the_hotline_is_found_by_its_words(suite):
    http = client(suite)
    filed = http.post("/api/hotline/v1/tickets", headers=bearer(suite, "operator"), json={
        "type": "complaint", "title": "小区噪音扰民", "content": "楼下广场舞每晚十点后仍有噪音", "region": "110101",
        "caller": {"name": "王五", "phone": "13800001111"}, "address": "东城区幸福里3号"}).get_json()
    suite.runtime.run_until_idle()

    found = http.get(f"{API}/cases", query_string={"q": "噪音"}, headers=bearer(suite, "dispatcher")).get_json()

    assert [(i["kind"], i["id"], i["number"]) for i in found["items"]] == [("ticket", filed["id"], filed["number"])]
    assert found["items"][0]["region"] == "110101"
    assert "13800001111" not in str(found) and "王五" not in str(found)


def test_searchable_within_two_seconds_with_background_delivery(tmp_path):
    suite = create_suite(Settings(data_dir=tmp_path, log_level="WARNING"),
                         overrides={"gateway": {"passwords": fast_passwords()}})
    try:
        http = client(suite)
        http.post("/api/hotline/v1/tickets", headers=bearer(suite, "operator"), json={
            "type": "complaint", "title": "路灯不亮", "content": "滨江路路灯连续三晚不亮"})
        filed_at = time.monotonic()
        while time.monotonic() - filed_at < 2.0:
            found = http.get(f"{API}/cases", query_string={"q": "路灯"}, headers=bearer(suite, "operator"))
            if found.get_json()["total"]:
                break
            time.sleep(0.02)  # polling the real background delivery: there is no clock to advance here
        assert found.get_json()["total"] == 1
    finally:
        suite.close()


def test_search_needs_a_staff_token(suite, envelope):
    http = client(suite)

    envelope(http.get(f"{API}/cases", query_string={"q": "噪音"}), 401)
    envelope(http.get(f"{API}/cases", headers=bearer(suite)), 403)


@pytest.mark.parametrize("query, field", [
    ({"kind": "person"}, "kind"),
    ({"from": "2026-13-01"}, "from"),
    ({"from": "2026-11-30", "to": "2026-11-01"}, "from"),
    ({"page_size": 1000}, "page_size"),
    ({"region": "东城区"}, "region"),
    ({"sort": "random"}, "sort"),
    ({"q": "长" * 201}, "q"),
    ({"department": "ZJJ;drop"}, "department"),
])
def test_bad_parameters_get_422_naming_the_field(suite, envelope, query, field):
    error = envelope(client(suite).get(f"{API}/cases", query_string=query, headers=bearer(suite, "inspector")), 422)

    assert field in str(error["errors"])


def test_query_syntax_is_never_passed_to_the_engine(suite):
    http = client(suite)
    for q in ['"', 'NEAR(a b)', "a OR b AND", "*", "title:x", '噪音" OR "1', "()", "^"]:
        response = http.get(f"{API}/cases", query_string={"q": q}, headers=bearer(suite, "inspector"))
        assert response.status_code == 200, (q, response.get_json())


def test_the_openapi_document_is_served(suite):
    spec = client(suite).get("/api/search/openapi.json").get_json()

    assert "/api/search/v1/cases" in spec["paths"]
    assert {p["name"] for p in spec["paths"]["/api/search/v1/cases"]["get"]["parameters"]} >= {
        "q", "kind", "department", "status", "from", "to", "region", "page", "page_size", "sort"}


def test_the_console_finds_the_same_callers_open_ticket_by_phone_through_the_index(suite):
    http = client(suite)
    filed = http.post("/api/hotline/v1/tickets", headers=bearer(suite, "operator"), json={
        "type": "complaint", "title": "小区楼下餐馆油烟扰民", "content": "排烟管道直排，油烟影响居民休息",
        "caller": {"name": "王女士", "phone": "13800138001"}}).get_json()
    suite.runtime.run_until_idle()

    found = http.post(f"{API}/similar", headers=bearer(suite, "operator"),
                      json={"text": "公交站台顶棚破损", "phone": "+86 138-0013-8001"}).get_json()["items"]

    assert [(i["id"], i["same_caller"]) for i in found] == [(filed["id"], True)]
    stored = suite.databases["search"].engine.connect()
    try:
        assert "13800138001" not in str(stored.exec_driver_sql("SELECT * FROM cases").all())
    finally:
        stored.close()


def test_snapshots_rebuild_a_lost_case_index_without_calling_the_hotline(suite):
    http = client(suite)
    filed = [http.post("/api/hotline/v1/tickets", headers=bearer(suite, "operator"), json={
        "type": "complaint", "title": f"小区噪音扰民{n}", "content": "楼下广场舞每晚十点后仍有噪音", "region": "110101",
        "caller": {"name": "王五", "phone": "13800001111"}}).get_json() for n in range(3)]
    suite.runtime.run_until_idle()
    search_db = suite.databases["search"]
    with search_db.engine.begin() as conn:  # the index and its documents are lost
        conn.exec_driver_sql("DELETE FROM case_text")
        conn.exec_driver_sql("DELETE FROM case_departments")
        conn.exec_driver_sql("DELETE FROM cases")
    assert http.get(f"{API}/cases", query_string={"q": "噪音"}, headers=bearer(suite, "operator")).get_json()[
        "total"] == 0

    published = PARTS["hotline"].publish_snapshots(suite.contexts["hotline"])
    suite.runtime.run_until_idle()

    found = http.get(f"{API}/cases", query_string={"q": "噪音"}, headers=bearer(suite, "operator")).get_json()
    assert published == 3
    assert sorted(i["id"] for i in found["items"]) == sorted(t["id"] for t in filed)
    assert {i["region"] for i in found["items"]} == {"110101"}
    by_phone = http.post(f"{API}/similar", headers=bearer(suite, "operator"),
                         json={"text": "公交站台", "phone": "13800001111"}).get_json()["items"]
    assert len(by_phone) == 3


def test_rectification_snapshots_rebuild_its_notices_and_reviews_in_the_index(suite):
    from services.rectification.demo import NOTICES, REVIEWS
    from services.rectification.demo import seed_demo as seed_rectification

    http = client(suite)
    seed_rectification(suite.contexts["rectification"])
    suite.runtime.run_until_idle()
    search_db = suite.databases["search"]
    with search_db.engine.begin() as conn:  # the index and its documents are lost
        for table in ("case_text", "case_departments", "cases"):
            conn.exec_driver_sql(f"DELETE FROM {table}")

    published = PARTS["rectification"].publish_snapshots(suite.contexts["rectification"])
    suite.runtime.run_until_idle()

    assert published == len(NOTICES) + len(REVIEWS)
    found = http.get(f"{API}/cases", query_string={"kind": ["notice", "review"], "page_size": 50},
                     headers=bearer(suite, "inspector")).get_json()
    assert found["total"] == published
    by_kind = {(i["kind"], i["status"]) for i in found["items"]}
    assert ("notice", "closed") in by_kind and ("review", "pending_callback") in by_kind
    hits = http.get(f"{API}/cases", query_string={"q": "占道经营"}, headers=bearer(suite, "inspector")).get_json()
    assert [i["kind"] for i in hits["items"]] == ["notice"]


def test_monitoring_snapshots_rebuild_its_cards_with_their_status(suite):
    http = client(suite)
    inspector = bearer(suite, "inspector")
    cards = [http.post("/api/monitoring/v1/cards", headers=inspector, json={
        "department": "zjj", "color": "red", "reason": f"无正当理由拒绝受理{n}"}).get_json() for n in range(2)]
    http.post(f"/api/monitoring/v1/cards/{cards[0]['id']}/revoke", headers=inspector, json={"reason": "经复核系误判"})
    suite.runtime.run_until_idle()
    with suite.databases["search"].engine.begin() as conn:  # the index and its documents are lost
        for table in ("case_text", "case_departments", "cases"):
            conn.exec_driver_sql(f"DELETE FROM {table}")

    published = PARTS["monitoring"].publish_snapshots(suite.contexts["monitoring"])
    suite.runtime.run_until_idle()

    found = http.get(f"{API}/cases", query_string={"kind": "card"}, headers=inspector).get_json()
    assert published == 2 and found["total"] == 2
    assert {i["id"]: i["status"] for i in found["items"]} == {cards[0]["id"]: "revoked", cards[1]["id"]: "issued"}


def test_a_reminder_republishes_itself_as_a_snapshot():
    from services.monitoring.model import Reminder, Subject
    from services.monitoring.rules import ClockKind
    from shared.events.monitoring import WarningSnapshot

    now = datetime.now(UTC)
    reminder = Reminder("w-1", "c-1", "zjj", Subject("hotline", "ticket", "t-1", "2026112900001"),
                        ClockKind.HANDLE, now, now, "办理时限将至")
    reminder.republish(now)

    [event] = reminder.events
    assert isinstance(event, WarningSnapshot) and event.TYPE == "monitoring.warning.snapshot"
    assert (event.warning_id, event.subject["ref"], event.message) == ("w-1", "2026112900001", "办理时限将至")


def test_spotcheck_snapshots_rebuild_its_published_plans_and_draws(suite):
    from services.spotcheck.demo import SEED
    from services.spotcheck.demo import seed_demo as seed_spotcheck

    http = client(suite)
    inspector = bearer(suite, "inspector")
    plan_id = seed_spotcheck(suite.contexts["spotcheck"]).rsplit("plan ", 1)[1].split()[0]
    drawn = http.post(f"/api/spotcheck/v1/plans/{plan_id}/draw", headers=inspector, json={"seed": SEED})
    assert drawn.status_code == 200, drawn.get_json()
    uscc = drawn.get_json()["selections"][0]["target"]["uscc"]
    recorded = http.post(f"/api/spotcheck/v1/plans/{plan_id}/results", headers=bearer(suite, "department",
                                                                                    departments=("scjg",)),
                         json={"uscc": uscc, "category": "no_problem", "summary": "现场检查未发现问题"})
    assert recorded.status_code == 201, recorded.get_json()
    suite.runtime.run_until_idle()
    with suite.databases["search"].engine.begin() as conn:  # the index and its documents are lost
        for table in ("case_text", "case_departments", "cases"):
            conn.exec_driver_sql(f"DELETE FROM {table}")

    published = PARTS["spotcheck"].publish_snapshots(suite.contexts["spotcheck"])
    suite.runtime.run_until_idle()

    found = http.get(f"{API}/cases", query_string={"kind": ["plan", "draw"]}, headers=inspector).get_json()
    assert published == 2
    assert sorted(i["kind"] for i in found["items"]) == ["draw", "plan"]
    [inspection] = http.get(f"{API}/cases", query_string={"kind": "inspection"}, headers=inspector).get_json()["items"]
    assert (inspection["number"], inspection["status"]) == (uscc, "recorded")
    assert {i["id"] for i in found["items"]} == {plan_id, drawn.get_json()["id"]}


def test_a_published_knowledge_article_is_a_case_and_retiring_it_shows(suite):
    http = client(suite)
    drafted = http.post("/api/hotline/v1/knowledge", headers=bearer(suite, "department", departments=("rsj",)),
                        json={"question": "如何提取住房公积金？",
                              "answer": "<p>携带身份证到<b>公积金中心</b>办理提取。</p>", "department": "rsj",
                              "public": True, "review_by": "2027-06-30", "keywords": ["公积金提取"]})
    assert drafted.status_code == 201, drafted.get_json()
    article = drafted.get_json()["id"]
    published = http.post(f"/api/hotline/v1/knowledge/{article}/publish", headers=bearer(suite, "dispatcher"),
                          json={})
    assert published.status_code == 200, published.get_json()
    suite.runtime.run_until_idle()

    [hit] = http.get(f"{API}/cases", query_string={"q": "公积金", "kind": "article"},
                     headers=bearer(suite, "operator")).get_json()["items"]
    assert (hit["id"], hit["status"], hit["department"]) == (article, "published", "rsj")
    assert "<b>" not in hit["highlight"] and "<em>" in hit["highlight"]
    retired = http.post(f"/api/hotline/v1/knowledge/{article}/retire", headers=bearer(suite, "dispatcher"),
                        json={"reason": "政策已调整"})
    assert retired.status_code == 200, retired.get_json()
    suite.runtime.run_until_idle()
    [hit] = http.get(f"{API}/cases", query_string={"kind": "article"}, headers=bearer(suite, "operator")).get_json()[
        "items"]
    assert hit["status"] == "retired"
