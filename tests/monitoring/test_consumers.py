"""The clock contract: any service's commands start, pause, resume, move and stop the clocks; a command
delivered twice, or published twice with its key, changes nothing."""

from __future__ import annotations

from datetime import timedelta

from services.monitoring import store
from shared.calendar import TimeLimit
from shared.events.clocks import ClockDueChanged, ClockPaused, ClockResumed, ClockStarted, ClockStopped
from tests.monitoring.moments import at

C = store.clocks.c


def by_kind(rows, ticket_id: str) -> dict[str, list]:
    result: dict[str, list] = {}
    for row in rows("clocks", C.subject_id == ticket_id):
        result.setdefault(row.kind, []).append(row)
    return result


def test_a_started_clock_runs_for_the_department_with_the_commands_due_time(dispatch, rows, calendar):
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


def test_without_a_due_time_monitoring_works_it_out_in_working_days(command, rows):
    """A simple producer names only the limit: 20 working days of publication (公示) from Mon 11-02."""
    command(ClockStarted, "p-1", "publication", at=at(11, 2, 9), service="spotcheck", department="scjg",
            limit_amount=20, limit_unit="working_days")

    [clock] = rows("clocks", C.subject_id == "p-1")
    assert (clock.subject_service, clock.kind, clock.due_at) == ("spotcheck", "publication", at(12, 1))


def test_the_same_message_delivered_twice_creates_one_clock(command, rows, counts):
    start = dict(department="zjj", limit_amount=1, limit_unit="working_days")
    command(ClockStarted, "t-1", "sign", message_id="msg-1", **start)
    before = counts()

    command(ClockStarted, "t-1", "sign", message_id="msg-1", **start)

    assert counts() == before
    assert [c.kind for c in rows("clocks", C.subject_id == "t-1")] == ["sign"]


def test_the_same_command_published_twice_under_its_key_changes_nothing(dispatch, command, rows):
    """A producer that retried its publication sends a new message id but the same key."""
    ticket = dispatch("zjj", at=at(11, 2, 9), key="t:1:started")
    command(ClockStopped, ticket, "sign", at=at(11, 2, 10), key="t:2:stopped")

    dispatch("zjj", ticket, at=at(11, 2, 9), key="t:1:started")
    command(ClockStopped, ticket, "sign", at=at(11, 2, 12), key="t:2:stopped")

    clocks = by_kind(rows, ticket)
    assert [(c.state, c.stopped_at) for c in clocks["sign"]] == [("stopped", at(11, 2, 10))]
    assert len(clocks["handle"]) == 1 and clocks["handle"][0].state == "running"


def test_stopping_by_the_due_time_is_on_time_and_leaves_the_other_clock_running(dispatch, command, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    command(ClockStopped, ticket, "sign", at=at(11, 2, 10))

    clocks = by_kind(rows, ticket)
    assert (clocks["sign"][0].state, clocks["sign"][0].outcome) == ("stopped", "on_time")
    assert clocks["sign"][0].stopped_at == at(11, 2, 10) and clocks["sign"][0].next_fire_at is None
    assert clocks["handle"][0].state == "running"


def test_stopping_after_the_due_time_is_late(dispatch, command, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    command(ClockStopped, ticket, "sign", at=at(11, 4, 0, 1))

    assert by_kind(rows, ticket)["sign"][0].outcome == "late"


def test_a_pause_stops_the_count_and_a_resume_moves_the_due_time_out_by_the_pause(dispatch, command, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    for kind in ("sign", "handle"):
        command(ClockPaused, ticket, kind, at=at(11, 2, 11), reason="return_requested")
    paused = by_kind(rows, ticket)

    for kind in ("sign", "handle"):
        command(ClockResumed, ticket, kind, at=at(11, 4, 10))

    resumed = by_kind(rows, ticket)
    assert {r.state for r in paused["sign"] + paused["handle"]} == {"paused"}
    assert paused["handle"][0].next_fire_at is None
    # Mon 11-02 and Tue 11-03 closed during the pause: both due times move out by two working days.
    assert resumed["sign"][0].due_at == at(11, 6) and resumed["handle"][0].due_at == at(11, 12)
    assert resumed["handle"][0].state == "running" and resumed["handle"][0].paused_workdays == 2


def test_a_superseded_stop_is_not_judged_and_a_new_start_runs_fresh_clocks(dispatch, command, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    for kind in ("sign", "handle"):
        command(ClockStopped, ticket, kind, at=at(11, 3, 9), outcome="superseded")

    dispatch("cgj", ticket, at=at(11, 3, 9))

    clocks = rows("clocks", C.subject_id == ticket)
    old = [c for c in clocks if c.department == "zjj"]
    new = [c for c in clocks if c.department == "cgj"]
    assert {(c.state, c.outcome) for c in old} == {("stopped", "superseded")}
    assert {(c.kind, c.state) for c in new} == {("sign", "running"), ("handle", "running")}


def test_a_start_supersedes_the_running_clock_of_its_kind(dispatch, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    dispatch("zjj", ticket, at=at(11, 3, 9))  # 重办

    clocks = rows("clocks", C.subject_id == ticket)
    assert sorted((c.kind, c.state, c.outcome) for c in clocks) == [
        ("handle", "running", None), ("handle", "stopped", "superseded"),
        ("sign", "running", None), ("sign", "stopped", "superseded")]


def test_a_moved_due_time_takes_an_overdue_clock_back_and_keeps_its_cards(dispatch, command, rows, monitoring,
                                                                         calendar):
    from services.monitoring.sweep import sweep

    ticket = dispatch("zjj", at=at(11, 2, 9))
    sweep(monitoring, now=at(11, 10, 1))  # the yellow card
    new_due = calendar.extend(at(11, 10), TimeLimit.workdays(10)).due_at

    command(ClockDueChanged, ticket, "handle", at=at(11, 10, 9), due_at=new_due)

    handle = by_kind(rows, ticket)["handle"][0]
    assert handle.due_at == new_due == at(11, 24)
    assert handle.stage == "none" and handle.next_fire_at == at(11, 21)
    assert [c.color for c in rows("cards", store.cards.c.clock_id == handle.id)] == ["yellow"]


def test_a_callback_clock_of_the_hotline_office_starts_and_stops(dispatch, command, rows, calendar):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    callback_due = calendar.due(at(11, 5, 15), TimeLimit.workdays(1)).due_at

    command(ClockStopped, ticket, "handle", at=at(11, 5, 15))
    command(ClockStarted, ticket, "callback", at=at(11, 5, 15), department="12345", limit_amount=1,
            limit_unit="working_days", due_at=callback_due)
    started = by_kind(rows, ticket)["callback"][0]
    command(ClockStopped, ticket, "callback", at=at(11, 6, 9))

    assert (started.department, started.state, started.due_at) == ("12345", "running", at(11, 7))
    callback = by_kind(rows, ticket)["callback"][0]
    assert (callback.state, callback.outcome) == ("stopped", "on_time")


def test_a_stop_naming_no_kind_cancels_every_open_clock_of_the_subject(dispatch, command, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))

    command(ClockStopped, ticket, None, at=at(11, 2, 10), outcome="cancelled")  # 并单

    assert {(c.state, c.outcome) for c in rows("clocks", C.subject_id == ticket)} == {("stopped", "cancelled")}


def test_commands_about_a_subject_without_clocks_change_nothing(command, rows):
    command(ClockStopped, "unknown", "sign")
    command(ClockResumed, "unknown", "handle")

    assert rows("clocks") == []


def test_an_unknown_clock_kind_is_refused_and_writes_nothing(command, rows):
    import pytest

    from shared.errors import InvalidInput

    with pytest.raises(InvalidInput, match="unknown clock kind"):
        command(ClockStarted, "t-9", "lunch", department="zjj", limit_amount=1, limit_unit="working_days")
    assert rows("clocks") == [] and rows("clock_commands") == []


def test_a_department_event_arriving_late_does_not_overwrite_a_newer_name(deliver, rows, clock):
    deliver("gateway.department.upserted", {"code": "zjj", "name": "新名称", "active": True})
    deliver("gateway.department.upserted", {"code": "zjj", "name": "旧名称", "active": True},
            at=clock.now() - timedelta(hours=1))

    assert [r.name for r in rows("departments")] == ["新名称"]


def test_a_service_may_not_command_another_services_clocks(command, rows):
    import pytest

    from shared.errors import InvalidInput

    with pytest.raises(InvalidInput, match="may not command"):
        command(ClockStarted, "t-1", "sign", service="hotline", subject_service="spotcheck", department="zjj",
                limit_amount=1, limit_unit="working_days")
    assert rows("clocks") == []
