"""Clock commands applied in the order of their ``at``, whatever order they arrive in (two consumer processes,
a redelivery behind a later message, a replayed dead letter)."""

from __future__ import annotations

from datetime import timedelta

from services.monitoring import clock_commands, store
from shared.events.clocks import ClockPaused, ClockResumed, ClockStarted, ClockStopped
from tests.monitoring.moments import at

C = store.clocks.c
START = dict(department="zjj", limit_amount=5, limit_unit="working_days")


def test_a_stop_that_arrives_before_its_start_stops_the_clock_when_the_start_arrives(command, rows):
    command(ClockStopped, "t-1", "handle", at=at(11, 3, 10))
    assert rows("clocks", C.subject_id == "t-1") == []

    command(ClockStarted, "t-1", "handle", at=at(11, 2, 9), **START)

    [clock] = rows("clocks", C.subject_id == "t-1")
    assert (clock.state, clock.outcome, clock.stopped_at) == ("stopped", "on_time", at(11, 3, 10))
    assert rows("parked_clock_commands") == []


def test_a_stop_of_every_kind_waits_for_each_kind_s_start(command, rows):
    command(ClockStopped, "t-2", None, at=at(11, 3, 10))
    command(ClockStarted, "t-2", "sign", at=at(11, 2, 9), **START)
    command(ClockStarted, "t-2", "handle", at=at(11, 2, 9), **START)

    assert {(c.kind, c.state) for c in rows("clocks", C.subject_id == "t-2")} == {("sign", "stopped"),
                                                                                  ("handle", "stopped")}


def test_a_resume_and_a_pause_that_overtook_their_start_are_applied_in_order(command, rows, calendar):
    command(ClockResumed, "t-3", "handle", at=at(11, 4, 9))
    command(ClockPaused, "t-3", "handle", at=at(11, 3, 9), reason="听证")
    command(ClockStarted, "t-3", "handle", at=at(11, 2, 9), due_at=at(11, 10), **START)

    [clock] = rows("clocks", C.subject_id == "t-3")
    assert clock.state == "running" and clock.due_at > at(11, 10)
    assert rows("parked_clock_commands") == []


def test_an_older_start_does_not_supersede_a_newer_clock_of_its_kind(command, rows):
    """派单 twice: the second dispatch's start overtook the first's."""
    command(ClockStarted, "t-4", "handle", at=at(11, 2, 12), key="second", **START)
    command(ClockStarted, "t-4", "handle", at=at(11, 2, 9), key="first", **START)

    [clock] = rows("clocks", C.subject_id == "t-4")
    assert (clock.state, clock.started_at) == ("running", at(11, 2, 12))


def test_a_stop_older_than_a_new_start_leaves_the_new_clock_running(command, rows):
    """A stop that found nothing (the subject had no clock then) never stops a clock started after it."""
    command(ClockStopped, "t-5", "handle", at=at(11, 2, 9))
    command(ClockStarted, "t-5", "handle", at=at(11, 2, 10), **START)

    [clock] = rows("clocks", C.subject_id == "t-5")
    assert clock.state == "running"
    assert [p.subject_id for p in rows("parked_clock_commands")] == ["t-5"]


def test_purge_forgets_keys_and_parked_commands_after_the_retention(command, rows, monitoring, clock):
    command(ClockStopped, "t-6", "handle", at=clock.now())
    clock.advance(clock_commands.RETENTION - timedelta(days=1))
    command(ClockStopped, "t-7", "handle", at=clock.now())

    counts = clock_commands.purge(monitoring, now=clock.now() + timedelta(days=2))

    assert counts == {"keys": 1, "parked": 1}
    assert [p.subject_id for p in rows("parked_clock_commands")] == ["t-7"]
    assert len(rows("clock_commands")) == 1
