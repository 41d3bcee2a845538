"""One query suite for both backends (SQLite FTS5 and Elasticsearch): Chinese words, mixed Chinese with
English and digits, filters, facets, highlights, sorting, pages, and the caller's scope inside the query."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.events import monitoring as M
from shared.events import rectification as R
from shared.events import spotcheck as S
from tests.search.conftest import T0, dispatched, ticket

USCC = "91350100M000100Y43"


@pytest.fixture
def city(desk):
    """A handful of cases from every service that owns cases."""
    desk.feed(ticket(1, "小区噪音扰民", "幸福里小区楼下广场舞每晚十点后仍有噪音", address="东城区幸福里3号",
                     region="110101", number="20261123000001"))
    desk.feed(dispatched(1, "cgj", "sthj"))
    desk.feed(ticket(2, "建筑工地夜间施工", "滨江路工地每晚十一点后仍在打桩施工", region="110102",
                     number="20261123000002", created_at=T0 + timedelta(days=2)))
    desk.feed(dispatched(2, "zjj"))
    desk.feed(ticket(3, "幸福里小区突然停水", "3号楼从早上开始停水，没有任何通知", region="110101",
                     number="20261123000003", created_at=T0 + timedelta(days=4)))
    desk.feed(ticket(4, "举报某单位违规收费", "某单位窗口收取材料费，举报人要求保密", confidential=True,
                     number="20261123000004", address="西城区某街道"))
    desk.feed(dispatched(4, "scjg"))
    desk.feed(ticket(5, "WiFi6 路由器 signal 差", "购买的WiFi6路由器在家中信号很差，商家拒绝退货",
                     number="20261123000005"))
    desk.feed(M.CardIssued(card_id="c-1", color="red", department="zjj", reason="工单逾期超过5个工作日未办结",
                           source="auto", rule="overdue", subject={"service": "hotline", "ref": "20261123000002"},
                           issued_at=T0 + timedelta(days=3)))
    desk.feed(R.NoticeIssued(notice_id="n-1", number="整改〔2026〕1号", department="zjj", status="issued",
                             source={"kind": "red_card"}, at=T0 + timedelta(days=3, hours=1),
                             findings="夜间施工噪音投诉反复发生", due_at=T0 + timedelta(days=20)))
    desk.feed(S.ResultRecorded(plan_id="p-1", draw_id="d-1", uscc=USCC, target_name="示范餐饮有限公司",
                               department="scjg", category="found_corrected", finding=True,
                               summary="后厨卫生不达标，已责令改正", recorded_at=T0 + timedelta(days=1)))
    return desk


def test_a_two_character_word_finds_the_longer_phrase_it_is_part_of(city):
    assert set(city.titles(q="噪音")) == {"小区噪音扰民", "整改通知书 整改〔2026〕1号：夜间施工噪音投诉反复发生"}
    assert city.titles(q="扰民") == ["小区噪音扰民"]


def test_every_word_of_a_query_must_match(city):
    assert city.titles(q="小区 停水") == ["幸福里小区突然停水"]
    assert city.titles(q="小区停水") == ["幸福里小区突然停水"]
    assert city.titles(q="停水 打桩") == []


def test_ticket_numbers_and_credit_codes_are_found_whole(city):
    assert set(city.titles(q="20261123000002")) == {"建筑工地夜间施工", "红牌：工单逾期超过5个工作日未办结"}
    assert [i["kind"] for i in city.find(q=USCC.lower())["items"]] == ["inspection"]
    assert city.find(q=USCC)["items"][0]["number"] == USCC


def test_mixed_chinese_english_and_digits(city):
    assert city.titles(q="wifi6 信号") == ["WiFi6 路由器 signal 差"]
    assert city.titles(q="ＷｉＦｉ６") == ["WiFi6 路由器 signal 差"]  # full-width, as some input methods type it
    assert city.titles(q="SIGNAL") == ["WiFi6 路由器 signal 差"]


def test_filters_by_kind_department_status_region_and_dates(city):
    assert {i["kind"] for i in city.find(q="噪音")["items"]} == {"ticket", "notice"}
    assert city.titles(q="噪音", kind="notice") == ["整改通知书 整改〔2026〕1号：夜间施工噪音投诉反复发生"]
    assert city.titles(department="zjj", sort="newest") == [
        "整改通知书 整改〔2026〕1号：夜间施工噪音投诉反复发生", "红牌：工单逾期超过5个工作日未办结", "建筑工地夜间施工"]
    assert city.titles(kind="ticket", status="received") == ["幸福里小区突然停水", "WiFi6 路由器 signal 差"]
    assert city.titles(kind="ticket", region="110101") == ["幸福里小区突然停水", "小区噪音扰民"]
    assert city.titles(kind="ticket", from_="2026-11-25", to="2026-11-27") == ["幸福里小区突然停水", "建筑工地夜间施工"]
    assert city.titles(kind="ticket", to="2026-11-23") == ["WiFi6 路由器 signal 差", "小区噪音扰民"]


def test_facets_count_every_match_not_just_the_page(city):
    result = city.find(q="施工", page_size=1)

    assert result["total"] == 2 and len(result["items"]) == 1
    assert result["facets"]["kind"] == [{"value": "notice", "count": 1}, {"value": "ticket", "count": 1}]
    assert result["facets"]["department"] == [{"value": "zjj", "count": 2}]
    assert {f["value"]: f["count"] for f in result["facets"]["status"]} == {"dispatched": 1, "issued": 1}


def test_highlights_mark_the_words_in_escaped_text(desk):
    desk.feed(ticket(9, "<script>噪音</script>", "楼上 <b>噪音</b> & 震动，小区噪音扰民"))

    highlight = desk.find(q="噪音")["items"][0]["highlight"]

    assert "<em>噪音</em>" in highlight
    assert "<script>" not in highlight and "<b>" not in highlight
    assert "&lt;b&gt;<em>噪音</em>&lt;/b&gt; &amp; 震动" in highlight


def test_relevance_puts_the_title_match_first_and_newest_sorts_by_date(city):
    assert city.titles(q="停水")[0] == "幸福里小区突然停水"
    items = city.find(kind="ticket", sort="newest")["items"]
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)
    scored = city.find(q="噪音")["items"]
    assert scored[0]["score"] >= scored[-1]["score"] > 0


def test_pages_split_the_results_without_overlap(city):
    first = city.find(kind="ticket", sort="newest", page_size=2)
    second = city.find(kind="ticket", sort="newest", page_size=2, page=2)

    assert first["total"] == second["total"] == 4
    assert (first["page"], second["page"], second["page_size"]) == (1, 2, 2)
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_a_department_finds_only_its_own_cases(city):
    found = city.find("department", departments=("zjj",))["items"]

    assert {i["kind"] for i in found} == {"ticket", "card", "notice"}
    assert all("zjj" in i["departments"] for i in found)
    assert city.find("department", departments=("zjj",), department="cgj")["total"] == 0
    assert city.titles("department", departments=("sthj",), q="噪音") == ["小区噪音扰民"]  # a co-department too
    assert city.find("department", departments=())["total"] == 0


def test_a_confidential_ticket_is_found_only_by_the_hotline_office(city):
    assert city.titles("operator", q="收费") == ["举报某单位违规收费"]
    assert city.titles("dispatcher", q="收费") == ["举报某单位违规收费"]
    assert city.titles("inspector", q="收费") == []
    assert city.titles("department", departments=("scjg",), q="收费") == []
    assert city.find("department", departments=("scjg",))["facets"]["kind"] == [
        {"value": "inspection", "count": 1}]


def test_an_address_goes_only_to_the_hotline_office_and_the_cases_departments(city):
    def address(*roles: str, departments: tuple[str, ...] = ()) -> object:
        return city.find(*roles, departments=departments, q="广场舞")["items"][0].get("address")

    assert address("operator") == "东城区幸福里3号"
    assert address("department", departments=("cgj",)) == "东城区幸福里3号"
    assert address("inspector") is None


def test_items_carry_the_contract_fields(city):
    item = city.find(q="广场舞")["items"][0]

    assert {"kind", "id", "number", "title", "highlight", "score", "department", "status", "at"} <= set(item)
    assert (item["kind"], item["id"], item["number"]) == ("ticket", "t-1", "20261123000001")
    assert (item["department"], item["status"]) == ("cgj", "dispatched")
    assert item["at"].startswith("2026-11-23T09:00")
