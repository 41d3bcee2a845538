"""Indexing from events, on both backends: a redelivered event indexes once, later events update the case's
document, a late event never moves the status back, and a rebuild keeps every case searchable."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from services.search import store
from services.search.handlers import reindex
from shared.events import hotline as H
from shared.events import monitoring as M
from shared.events import spotcheck as S
from tests.search.conftest import T0, dispatched, ticket


def _rows(desk, table):
    with desk.search.db.read() as conn:
        return conn.execute(sa.select(table)).all()


def test_an_event_delivered_twice_is_indexed_once(desk):
    assert desk.feed(ticket(1, "小区噪音扰民", "广场舞噪音"))
    assert desk.redeliver(desk.fed[-1]) is False

    assert desk.find(q="噪音")["total"] == 1
    assert len(_rows(desk, store.cases)) == 1


def test_later_events_update_the_tickets_document(desk):
    desk.feed(ticket(1, "小区噪音扰民", "广场舞噪音"))
    desk.feed(dispatched(1, "cgj", "sthj"))
    desk.feed(H.TicketSigned(ticket_id="t-1", status="signed", department="cgj", signed_at=T0, on_time=True))

    item = desk.find(q="噪音")["items"][0]

    assert (item["status"], item["departments"]) == ("signed", ["cgj", "sthj"])
    assert desk.find(q="噪音", status="received")["total"] == 0
    assert desk.find("department", departments=("sthj",), q="噪音")["total"] == 1


def test_a_return_takes_the_case_away_from_the_department_that_returned_it(desk):
    desk.feed(ticket(1, "小区噪音扰民", "广场舞噪音"))
    desk.feed(dispatched(1, "cgj"))
    desk.feed(H.ReturnAccepted(ticket_id="t-1", status="received", department="cgj", comment="改派"))

    assert desk.find("department", departments=("cgj",))["total"] == 0
    assert desk.find(q="噪音")["items"][0]["status"] == "received"


def test_a_late_event_does_not_move_the_status_back(desk):
    desk.feed(ticket(1, "小区噪音扰民", "广场舞噪音"), at=T0)
    desk.feed(H.TicketClosed(ticket_id="t-1", status="closed", resolution="resolved", closed_at=T0),
              at=T0 + timedelta(hours=5))
    desk.feed(dispatched(1, "cgj"), at=T0 + timedelta(hours=1))   # overtaken on the way

    item = desk.find(q="噪音")["items"][0]
    assert item["status"] == "closed"
    assert item["departments"] == []


def test_an_event_that_overtakes_the_first_one_still_ends_in_one_whole_document(desk):
    desk.feed(dispatched(7, "zjj"), at=T0 + timedelta(minutes=5))
    desk.feed(ticket(7, "工地夜间施工", "打桩噪音"), at=T0)

    item = desk.find(q="噪音")["items"][0]
    assert (item["title"], item["status"], item["departments"]) == ("工地夜间施工", "dispatched", ["zjj"])


def test_card_steps_and_spot_check_results_update_their_cases(desk):
    desk.feed(M.CardIssued(card_id="c-1", color="yellow", department="zjj", reason="签收超时", source="auto",
                           rule="due", issued_at=T0))
    desk.feed(M.CardRevoked(card_id="c-1", color="yellow", department="zjj", status="revoked", at=T0, by="u",
                            reason="误报"))
    desk.feed(S.PlanPublished(plan_id="p-1", name="餐饮食品安全抽查", departments=["scjg"], population_sha256="0" * 64,
                              commitment={"kind": "sha256", "value": "x"}, targets=10, published_at=T0))
    desk.feed(S.DrawCompleted(plan_id="p-1", draw_id="d-1", algorithm="v1", population_sha256="0" * 64,
                              selections=3, drawn_at=T0))
    desk.feed(S.ResultPublished(plan_id="p-1", uscc="91350100M000100Y43", category="none", published_at=T0))

    assert desk.find(q="签收超时")["items"][0]["status"] == "revoked"
    assert desk.titles(kind="draw") == ["餐饮食品安全抽查：抽取结果"]
    assert desk.find(kind="draw")["items"][0]["departments"] == ["scjg"]
    assert desk.find(kind="inspection")["items"][0]["status"] == "published"


def test_a_rebuild_keeps_every_case_and_search_goes_on(desk):
    for n in range(30):
        desk.feed(ticket(n, f"噪音投诉{n}", "广场舞噪音扰民"))
    seen: list[int] = []

    name, total = reindex(desk.search, progress=seen.append)
    desk.refresh()

    assert total == 30 and sum(seen) == 30
    assert desk.find(q="噪音")["total"] == 30
    desk.feed(ticket(99, "新来的噪音投诉", "夜间噪音"))
    assert desk.find(q="噪音")["total"] == 31
    assert name


def test_a_case_changed_while_the_index_is_rebuilt_is_not_lost(desk):
    for n in range(5):
        desk.feed(ticket(n, f"噪音投诉{n}", "广场舞噪音扰民"))
    during: list[int] = []

    def meanwhile(done: int) -> None:
        if not during:  # a worker consumes events while the rebuild runs
            desk.feed(ticket(50, "重建期间的停水投诉", "三号楼停水"))
            desk.feed(dispatched(1, "cgj"))
        during.append(done)

    reindex(desk.search, progress=meanwhile)
    desk.refresh()

    assert desk.titles(q="停水") == ["重建期间的停水投诉"]
    assert desk.find(q="噪音投诉1")["items"][0]["status"] == "dispatched"
    assert desk.find()["total"] == 6


def test_a_bad_review_is_a_case_of_its_department_and_follows_its_handling(desk):
    from shared.events import rectification as R

    common = {"review_id": "r-1", "number": "评〔2026〕7号", "department": "zjj", "channel": "public",
              "subject": {"service": "hotline", "kind": "ticket", "id": "t-1", "number": "20261123000001"},
              "level": 1}
    desk.feed(R.ReviewReceived(**common, status="received", at=T0, bad=True, comment="工地噪音问题一直没有解决"))
    desk.feed(R.ReviewVerified(**common, status="confirmed", at=T0, confirmed=True))

    [item] = desk.find("department", departments=("zjj",), q="噪音")["items"]
    assert (item["kind"], item["number"], item["status"]) == ("review", "评〔2026〕7号", "confirmed")
    assert "差评" in item["title"] and "bad" in item["tags"]


def test_the_lead_department_comes_first_whatever_its_code(desk):
    desk.feed(ticket(1, "小区噪音扰民", "广场舞噪音"))
    desk.feed(dispatched(1, "zjj", "cgj"))

    item = desk.find(q="噪音")["items"][0]

    assert (item["department"], item["departments"]) == ("zjj", ["zjj", "cgj"])
