"""Duplicate suggestions for a filed ticket and merging duplicates (并单). Suggestions while the operator
types come from the case index (tests/search/test_similar.py); the filing itself searches nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

TICKETS = "/api/hotline/v1/tickets"
FUMES = {"title": "小区楼下餐馆油烟扰民",
         "content": "朝阳路小区一楼餐馆排烟管道直排，油烟和噪音影响居民休息",
         "caller": {"name": "王女士", "phone": "13800138001"}}
SAME_FUMES = {"title": "餐馆油烟扰民",
              "content": "朝阳路小区楼下餐馆油烟直排，影响休息",
              "caller": {"name": "刘先生", "phone": "13700137002"}}
UNRELATED = {"title": "公交站台顶棚破损", "content": "人民路公交站台顶棚破损漏雨",
             "caller": {"name": "周先生", "phone": "13600136003"}}


def candidates(desk, ticket: dict) -> dict[str, dict]:
    listed = desk.get(f"{TICKETS}/{ticket['id']}/duplicates", "dispatcher").get_json()
    return {c["id"]: c for c in listed}


# -- suggestions for a filed ticket -----------------------------------------------------------------

def test_the_filing_answer_holds_no_duplicate_search(desk):
    desk.file(**FUMES)

    assert "duplicate_candidates" not in desk.file(**SAME_FUMES)


def test_intake_suggests_an_earlier_open_ticket_about_the_same_thing(desk):
    earlier = desk.file(**FUMES)

    later = desk.file(**SAME_FUMES)

    suggestion = candidates(desk, later)[earlier["id"]]
    assert (suggestion["number"], suggestion["title"], suggestion["status"]) == (
        earlier["number"], FUMES["title"], "received")
    assert suggestion["same_caller"] is False
    assert 0.3 <= suggestion["score"] <= 1.0


def test_intake_suggests_an_earlier_ticket_from_the_same_phone_whatever_it_says(desk):
    earlier = desk.file(**FUMES)

    later = desk.file(**{**UNRELATED, "caller": {"name": "王女士", "phone": "13800138001"}})

    assert candidates(desk, later)[earlier["id"]]["same_caller"] is True


def test_an_unrelated_ticket_from_another_caller_is_not_suggested(desk):
    desk.file(**FUMES)

    assert candidates(desk, desk.file(**UNRELATED)) == {}


@pytest.mark.parametrize("status", ["closed", "merged"])
def test_finished_tickets_are_not_suggested(desk, status):
    finished = desk.in_status(status, **FUMES)

    later = desk.file(**SAME_FUMES)

    assert finished not in candidates(desk, later)


def test_an_open_ticket_in_handling_is_still_suggested(desk):
    signed = desk.in_status("signed", **FUMES)

    assert candidates(desk, desk.file(**SAME_FUMES))[signed]["status"] == "signed"


def test_tickets_older_than_thirty_days_are_not_suggested(desk):
    old = desk.file(**FUMES)["id"]
    desk.clock.advance(timedelta(days=31))

    assert old not in candidates(desk, desk.file(**SAME_FUMES))


def test_the_duplicates_endpoint_lists_candidates_but_never_the_ticket_itself(desk):
    earlier = desk.file(**FUMES)["id"]
    later = desk.file(**SAME_FUMES)["id"]

    listed = desk.get(f"{TICKETS}/{later}/duplicates", "dispatcher").get_json()

    assert [c["id"] for c in listed] == [earlier]


# -- merging (并单) ----------------------------------------------------------------------------------

def test_merging_by_id_folds_the_duplicate_into_the_master(desk):
    master = desk.file(**FUMES)
    duplicate_id = desk.in_status("dispatched", **SAME_FUMES)
    outbox_seq, audit_seq = desk.last_seq("outbox"), desk.last_seq("audit_log")

    merged = desk.do(duplicate_id, "merge", into=master["id"])

    assert (merged["status"], merged["merged_into"], merged["resolution"]) == ("merged", master["id"], "merged")
    assert merged["timeline"][-1]["data"] == {"into": master["number"]}
    kept = desk.ticket(master["id"])
    assert kept["status"] == "received"
    assert kept["merged_from"] == [duplicate_id]
    assert (kept["timeline"][-1]["action"], kept["timeline"][-1]["action_label"]) == ("merged_in", "并入重复工单")
    assert kept["timeline"][-1]["data"] == {"from": merged["number"]}
    assert desk.outbox_keys(outbox_seq) == ["hotline.ticket.merged", "hotline.clock.stopped"]
    assert json.loads(desk.rows("outbox", desk.table("outbox").c.seq > outbox_seq)[0].body)["data"][
        "into_number"] == master["number"]
    assert {(r.entity_id, r.action) for r in desk.audit_rows(audit_seq)} == {
        (duplicate_id, "ticket.merged"), (master["id"], "ticket.merged_in")}


def test_merging_by_ticket_number_finds_the_master(desk):
    master = desk.in_status("signed", **FUMES)
    number = desk.ticket(master)["number"]
    duplicate_id = desk.file(**SAME_FUMES)["id"]

    merged = desk.do(duplicate_id, "merge", into=number)

    assert merged["merged_into"] == master
    assert desk.ticket(master)["status"] == "signed"


@pytest.mark.parametrize("master_status", ["closed", "merged"])
def test_merging_into_a_finished_ticket_gets_409_and_changes_neither(desk, envelope, master_status):
    master = desk.in_status(master_status)
    duplicate_id = desk.file()["id"]
    before = (desk.stored(master), desk.stored(duplicate_id), desk.counts())

    envelope(desk.act(duplicate_id, "merge", into=master), 409)

    assert (desk.stored(master), desk.stored(duplicate_id), desk.counts()) == before


@pytest.mark.parametrize("by", ["id", "number"])
def test_merging_a_ticket_into_itself_gets_422(desk, envelope, by):
    ticket = desk.file()
    before = (desk.stored(ticket["id"]), desk.counts())

    error = envelope(desk.act(ticket["id"], "merge", into=ticket[by]), 422)

    assert "into" in error["errors"]
    assert (desk.stored(ticket["id"]), desk.counts()) == before


def test_merging_into_an_unknown_ticket_gets_404(desk, envelope):
    ticket_id = desk.file()["id"]

    envelope(desk.act(ticket_id, "merge", into="20991231999999"), 404)

    assert desk.stored(ticket_id).status == "received"


def test_a_ticket_already_in_handling_cannot_be_merged_away(desk, envelope):
    signed = desk.in_status("signed")

    envelope(desk.act(signed, "merge", into=desk.file()["id"]), 409)


def test_a_merged_duplicate_is_not_suggested_again(desk):
    master = desk.file(**FUMES)["id"]
    duplicate = desk.file(**SAME_FUMES)["id"]
    desk.do(duplicate, "merge", into=master)

    suggested = candidates(desk, desk.file(**{**SAME_FUMES, "caller": {"phone": "13500135009"}}))

    assert master in suggested and duplicate not in suggested
