"""Hotline events start, pause, resume and stop the clocks; a redelivered event changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.monitoring import store
from shared.calendar import TimeLimit
from tests.monitoring.moments import at

C = store.clocks.c



def by_kind(rows, ticket_id: str) -> dict[str, list]:
    result: dict[str, list] = {}
    for row in rows("clocks", C.subject_id == ticket_id):
        result.setdefault(row.kind, []).append(row)
    return result


def test_a_dispatch_starts_sign_and_handle_clocks_for_the_lead_department_with_the_events_due_times(
        dispatch, rows, calendar):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    clocks = by_kind(rows, ticket)

    assert set(clocks) == {"sign", "handle"}
    sign, handle = clocks["sign"][0], clocks["handle"][0]
    assert (sign.department, sign.state, sign.stage) == ("zjj", "running", "none")
    assert sign.due_at == at(11, 4) and handle.due_at == at(11, 10)
    assert (handle.limit_amount, handle.limit_unit) == (5, "working_days")
    assert handle.started_at == at(11, 2, 9) and handle.subject_service == "hotline"
    assert handle.subject_ref.startswith("20261102")
    assert handle.next_fire_at == at(11, 8, 11, 24)


def test_the_same_event_delivered_twice_creates_one_set_of_clocks(dispatch, rows, counts):
    ticket = dispatch("zjj", message_id="msg-1")
    before = counts()

    dispatch("zjj", ticket, message_id="msg-1")

    assert counts() == before
    assert sorted(c.kind for c in rows("clocks", C.subject_id == ticket)) == ["handle", "sign"]  # one of each
    assert len(rows("inbox")) == 1


def test_signing_stops_the_sign_clock_on_time_and_leaves_the_handle_clock_running(dispatch, deliver, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    deliver("hotline.ticket.signed", {"ticket_id": ticket, "number": "n", "status": "signed", "department": "zjj",
                                      "signed_at": at(11, 2, 10).isoformat(), "on_time": True}, at=at(11, 2, 10))

    clocks = by_kind(rows, ticket)
    assert (clocks["sign"][0].state, clocks["sign"][0].outcome) == ("stopped", "on_time")
    assert clocks["sign"][0].stopped_at == at(11, 2, 10) and clocks["sign"][0].next_fire_at is None
    assert clocks["handle"][0].state == "running"


def test_signing_after_the_due_time_stops_the_sign_clock_late(dispatch, deliver, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    deliver("hotline.ticket.signed", {"ticket_id": ticket, "status": "signed"}, at=at(11, 4, 0, 1))

    assert by_kind(rows, ticket)["sign"][0].outcome == "late"


def test_a_return_request_pauses_the_clocks_and_a_rejection_resumes_them_with_the_review_excluded(
        dispatch, deliver, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    deliver("hotline.ticket.return_requested", {"ticket_id": ticket, "status": "return_requested",
                                                "department": "zjj", "reason": "不属于本单位职责"}, at=at(11, 2, 11))
    paused = by_kind(rows, ticket)

    deliver("hotline.ticket.return_rejected", {"ticket_id": ticket, "status": "dispatched"}, at=at(11, 4, 10))

    resumed = by_kind(rows, ticket)
    assert {r.state for r in paused["sign"] + paused["handle"]} == {"paused"}
    assert paused["handle"][0].next_fire_at is None
    # Mon 11-02 and Tue 11-03 closed during the review: both due times move out by two working days.
    assert resumed["sign"][0].due_at == at(11, 6) and resumed["handle"][0].due_at == at(11, 12)
    assert resumed["handle"][0].state == "running" and resumed["handle"][0].paused_workdays == 2


def test_an_accepted_return_stops_the_clocks_as_superseded_and_a_new_dispatch_starts_fresh_ones(
        dispatch, deliver, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    deliver("hotline.ticket.return_requested", {"ticket_id": ticket, "status": "return_requested"},
            at=at(11, 2, 11))

    deliver("hotline.ticket.return_accepted", {"ticket_id": ticket, "status": "received"}, at=at(11, 3, 9))
    dispatch("cgj", ticket, at=at(11, 3, 9))

    clocks = rows("clocks", C.subject_id == ticket)
    old = [c for c in clocks if c.department == "zjj"]
    new = [c for c in clocks if c.department == "cgj"]
    assert {(c.state, c.outcome) for c in old} == {("stopped", "superseded")}
    assert {(c.kind, c.state) for c in new} == {("sign", "running"), ("handle", "running")}


def test_a_reopen_supersedes_the_running_clocks_and_starts_new_ones(dispatch, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    dispatch("zjj", ticket, at=at(11, 3, 9), name="reopened")

    clocks = rows("clocks", C.subject_id == ticket)
    assert sorted((c.kind, c.state, c.outcome) for c in clocks) == [
        ("handle", "running", None), ("handle", "stopped", "superseded"),
        ("sign", "running", None), ("sign", "stopped", "superseded")]


def test_an_approved_extension_moves_the_handle_clock_and_takes_an_overdue_clock_back(
        dispatch, deliver, rows, monitoring, calendar):
    from services.monitoring.sweep import sweep

    ticket = dispatch("zjj", at=at(11, 2, 9))
    sweep(monitoring, now=at(11, 10, 1))  # the yellow card
    new_due = calendar.extend(at(11, 10), TimeLimit.workdays(10)).due_at

    deliver("hotline.ticket.extension_approved", {"ticket_id": ticket, "status": "signed", "days": 10,
                                                  "department": "zjj", "handle_due_at": new_due.isoformat()},
            at=at(11, 10, 9))

    handle = by_kind(rows, ticket)["handle"][0]
    assert handle.due_at == new_due == at(11, 24)
    assert handle.stage == "none" and handle.next_fire_at == at(11, 21)
    # The yellow card already issued stays.
    assert [c.color for c in rows("cards", store.cards.c.clock_id == handle.id)] == ["yellow"]


def test_a_reply_stops_the_handle_clock_and_starts_the_callback_clock_of_the_hotline_office(
        dispatch, deliver, rows, calendar):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    deliver("hotline.ticket.signed", {"ticket_id": ticket, "status": "signed"}, at=at(11, 2, 10))
    callback_due = calendar.due(at(11, 5, 15), TimeLimit.workdays(1)).due_at

    deliver("hotline.ticket.replied", {"ticket_id": ticket, "number": "20261102000001", "status": "replied",
                                       "department": "zjj", "on_time": True, "resolution": "handled",
                                       "replied_at": at(11, 5, 15).isoformat(),
                                       "callback_due_at": callback_due.isoformat()}, at=at(11, 5, 15))

    clocks = by_kind(rows, ticket)
    assert (clocks["handle"][0].state, clocks["handle"][0].outcome) == ("stopped", "on_time")
    callback = clocks["callback"][0]
    assert (callback.department, callback.state, callback.due_at) == ("12345", "running", at(11, 7))
    assert (callback.limit_amount, callback.limit_unit) == (1, "working_days")


@pytest.mark.parametrize("closing", ["hotline.ticket.callback_recorded", "hotline.ticket.closed"])
def test_a_callback_or_a_close_stops_the_callback_clock(dispatch, deliver, rows, closing):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    deliver("hotline.ticket.replied", {"ticket_id": ticket, "status": "replied", "department": "zjj",
                                       "replied_at": at(11, 2, 15).isoformat(), "on_time": True,
                                       "resolution": "handled", "callback_due_at": at(11, 4).isoformat()},
            at=at(11, 2, 15))

    deliver(closing, {"ticket_id": ticket, "status": "closed", "satisfaction": "satisfied"}, at=at(11, 3, 9))

    callback = by_kind(rows, ticket)["callback"][0]
    assert (callback.state, callback.outcome) == ("stopped", "on_time")


def test_a_merge_cancels_every_open_clock_of_the_duplicate(dispatch, deliver, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    deliver("hotline.ticket.merged", {"ticket_id": ticket, "status": "merged", "into": "x"}, at=at(11, 2, 10))

    assert {(c.state, c.outcome) for c in rows("clocks", C.subject_id == ticket)} == {("stopped", "cancelled")}


def test_events_for_a_ticket_without_clocks_change_nothing(deliver, counts):
    before = counts()

    deliver("hotline.ticket.signed", {"ticket_id": "unknown", "status": "signed"})
    deliver("hotline.ticket.closed", {"ticket_id": "transferred", "status": "closed"})

    assert counts() == before


def test_a_department_event_arriving_late_does_not_overwrite_a_newer_name(deliver, rows, clock):
    deliver("gateway.department.upserted", {"code": "zjj", "name": "新名称", "active": True})
    deliver("gateway.department.upserted", {"code": "zjj", "name": "旧名称", "active": True},
            at=clock.now() - timedelta(hours=1))

    assert [r.name for r in rows("departments")] == ["新名称"]
