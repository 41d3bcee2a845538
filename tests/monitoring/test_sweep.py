"""The sweep: reminders, yellow and red cards as records and events, accumulation, and concurrency."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from services.monitoring import open_context, store
from services.monitoring.sweep import SweepResult, due_clocks, save_fired, sweep
from shared import bulk
from shared.auth import INSPECTOR, Principal
from shared.bootstrap import Environment
from shared.calendar import TimeLimit
from shared.errors import ConcurrentUpdate
from shared.events.clocks import ClockPaused, ClockStopped
from tests.monitoring.moments import at

K, W, C = store.cards.c, store.warnings.c, store.clocks.c
HOUR, LONG = TimeLimit.hours(1), TimeLimit.workdays(30)



def outbox(rows) -> list[tuple[str, dict]]:
    return [(r.routing_key, json.loads(r.body)["data"]) for r in sorted(rows("outbox"), key=lambda r: r.seq)]


def handle_clock(rows, ticket: str):
    return next(r for r in rows("clocks", C.subject_id == ticket) if r.kind == "handle")


def sign(command, ticket: str, when: datetime) -> None:
    command(ClockStopped, ticket, "sign", at=when)


def test_a_due_clock_gets_a_reminder_then_a_yellow_then_a_red_card_each_once(monitoring, dispatch, command, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    sign(command, ticket, at(11, 2, 10))

    results = [sweep(monitoring, now=when) for when in
               (at(11, 8, 11, 24), at(11, 9), at(11, 10), at(11, 12), at(11, 17), at(11, 30))]

    assert results == [SweepResult(1, 1, 0, 0), SweepResult(), SweepResult(1, 0, 1, 0), SweepResult(),
                       SweepResult(1, 0, 0, 1), SweepResult()]
    handle = handle_clock(rows, ticket)
    assert [(w.clock_id, w.department) for w in rows("warnings")] == [(handle.id, "zjj")]
    cards = sorted(rows("cards"), key=lambda c: c.issued_at)
    assert [(c.color, c.rule, c.source, c.clock_id) for c in cards] == [
        ("yellow", "due", "auto", handle.id), ("red", "overdue", "auto", handle.id)]
    assert (handle.stage, handle.next_fire_at) == ("red", None)


def test_every_signal_is_an_event_with_the_subject_and_each_batch_is_audited(monitoring, dispatch, command, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    sign(command, ticket, at(11, 2, 10))

    sweep(monitoring, now=at(11, 9))
    sweep(monitoring, now=at(11, 17))

    events = outbox(rows)
    assert [t for t, _ in events] == ["monitoring.warning.issued", "monitoring.card.issued",
                                      "monitoring.card.issued"]
    yellow = events[1][1]
    assert set(yellow) >= {"card_id", "color", "department", "reason", "source", "subject", "clock_id",
                           "issued_at"}
    assert yellow["subject"]["service"] == "hotline" and yellow["subject"]["id"] == ticket
    assert (yellow["color"], yellow["source"], yellow["department"]) == ("yellow", "auto", "zjj")
    audits = [r for r in rows("audit_log") if r.action == "sweep.fired"]
    assert [r.actor for r in audits] == ["system:sweep", "system:sweep"]
    last = json.loads(audits[-1].after)
    handle = handle_clock(rows, ticket)
    assert json.loads(audits[-1].before)["clocks"] == {handle.id: "reminded"}
    assert last["clocks"][handle.id][0] == "red"
    assert sorted(color for color, _rule, _clock in last["cards"].values()) == ["red", "yellow"]
    assert list(json.loads(audits[0].after)["warnings"].values()) == [handle.id]


def test_a_stopped_or_paused_clock_is_never_swept(monitoring, dispatch, command, rows):
    signed = dispatch("zjj", at=at(11, 2, 9))
    paused = dispatch("zjj", at=at(11, 2, 9))
    sign(command, signed, at(11, 2, 10))
    command(ClockStopped, signed, None, at=at(11, 2, 11), outcome="cancelled")
    for kind in ("sign", "handle"):
        command(ClockPaused, paused, kind, at=at(11, 2, 11))

    assert sweep(monitoring, now=at(12, 31)) == SweepResult()
    assert rows("cards") == [] and rows("warnings") == []


def test_the_sweep_works_through_many_batches_until_nothing_is_due(monitoring, dispatch, rows):
    for department in ("zjj", "cgj", "sthj", "jtj", "scjg"):
        dispatch(department, at=at(11, 2, 9))

    result = sweep(monitoring, now=at(11, 10, 1), batch_size=3)

    assert result == SweepResult(examined=10, warnings=0, yellows=10, reds=0)
    assert {c.stage for c in rows("clocks")} == {"yellow"}
    assert sweep(monitoring, now=at(11, 10, 1), batch_size=3) == SweepResult()


def test_a_third_yellow_card_within_thirty_days_adds_a_red_card_citing_the_three(monitoring, dispatch, rows):
    for _ in range(3):
        dispatch("zjj", at=at(11, 2, 9), sign=HOUR)

    result = sweep(monitoring, now=at(11, 2, 10, 30))

    assert (result.yellows, result.reds) == (3, 1)
    red = next(c for c in rows("cards") if c.color == "red")
    yellows = rows("cards", K.color == "yellow")
    assert red.rule == "accumulation" and red.clock_id is None and red.department == "zjj"
    assert "30日内第3张黄牌" in red.reason
    assert all(y.subject_ref in red.reason for y in yellows)
    assert {y.escalated_to for y in yellows} == {red.id}
    assert [t for t, d in outbox(rows) if t == "monitoring.card.issued" and d["rule"] == "accumulation"] != []


def test_a_fourth_and_fifth_yellow_wait_for_a_sixth_before_the_next_red_card(monitoring, dispatch):
    for _ in range(5):
        dispatch("zjj", at=at(11, 2, 9), sign=HOUR)
    first = sweep(monitoring, now=at(11, 2, 10, 30))
    dispatch("zjj", at=at(11, 3, 9), sign=HOUR)

    second = sweep(monitoring, now=at(11, 3, 10, 30))

    assert (first.yellows, first.reds, second.yellows, second.reds) == (5, 1, 1, 1)


def test_revoked_yellows_and_yellows_older_than_thirty_days_do_not_count(monitoring, dispatch, command, rows,
                                                                        clock):
    from services.monitoring.handlers import revoke_card

    old = dispatch("zjj", at=at(10, 1, 9), sign=HOUR, handle=LONG)
    sweep(monitoring, now=at(10, 1, 11))  # more than 30 days before the others
    sign(command, old, at(10, 1, 12))
    dispatch("zjj", at=at(11, 2, 9), sign=HOUR, handle=LONG)
    sweep(monitoring, now=at(11, 2, 10, 30))
    recent = rows("cards", K.issued_at > at(10, 30))[0]
    clock.set(at(11, 2, 12))
    revoke_card(monitoring, principal=Principal("jc", frozenset({INSPECTOR})), card_id=recent.id,
                reason="系统故障导致误判")
    for _ in range(2):
        dispatch("zjj", at=at(11, 2, 12), sign=HOUR, handle=LONG)

    without = sweep(monitoring, now=at(11, 2, 13, 30))
    dispatch("zjj", at=at(11, 2, 14), sign=HOUR, handle=LONG)
    with_third = sweep(monitoring, now=at(11, 2, 15, 30))

    assert (without.yellows, without.reds) == (2, 0)
    assert (with_third.yellows, with_third.reds) == (1, 1)


def test_two_sweepers_at_once_never_issue_the_same_card_twice(monitoring, dispatch, rows, settings, clock, calendar):
    for _ in range(40):
        dispatch("zjj", at=at(11, 2, 9))
    sweepers = [open_context(Environment(settings, clock, calendar)) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run(context) -> None:
        try:
            barrier.wait()
            for when in (at(11, 10, 1), at(11, 17, 1)):
                results.append(sweep(context, now=when, batch_size=7))
        except BaseException as exc:  # surfaced below; a thread's exception would otherwise be lost
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in sweepers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in sweepers:
        s.db.dispose()

    assert errors == []
    cards = rows("cards", K.clock_id.is_not(None))
    assert len(cards) == 160  # 80 clocks (sign + handle), one yellow and one red each
    assert len({(c.clock_id, c.color) for c in cards}) == len(cards)
    issued_events = [t for t, _ in outbox(rows) if t == "monitoring.card.issued"]
    assert len(issued_events) == len(rows("cards"))
    assert sum(r.yellows + r.reds for r in results) == len(rows("cards"))


def test_the_unique_constraint_refuses_a_second_automatic_card_for_a_clock_and_colour(monitoring, dispatch, rows):
    dispatch("zjj", at=at(11, 2, 9))
    sweep(monitoring, now=at(11, 10, 1))
    card = rows("cards")[0]
    duplicate = {**card._mapping, "id": "another-id"}

    with monitoring.db.engine.begin() as conn:
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.execute(store.cards.insert().values(**duplicate))
        skipped = bulk.insert_new(conn, store.cards, [duplicate])

    assert skipped == set()
    assert len(rows("cards", K.clock_id == card.clock_id, K.color == card.color)) == 1


def test_a_running_clock_started_after_its_thresholds_fires_at_the_next_sweep(monitoring, dispatch, rows):
    ticket = dispatch("zjj", at=at(11, 2, 9))
    handle = handle_clock(rows, ticket)

    result = sweep(monitoring, now=handle.due_at + timedelta(days=30))

    assert (result.yellows, result.reds) == (2, 2)  # sign and handle: yellow and red each


def test_saving_fired_clocks_fails_as_a_whole_if_any_clock_was_saved_meanwhile(monitoring, dispatch, rows):
    for _ in range(3):
        dispatch("zjj", at=at(11, 2, 9))
    with monitoring.db.unit_of_work() as uow:
        due = due_clocks(uow.conn, now=at(11, 10, 1), limit=10, lock=False)
        for clock in due:
            clock.fire(at(11, 10, 1), monitoring.calendar, monitoring.policy)
        uow.conn.execute(sa.update(store.clocks).where(C.id == due[-1].id).values(version=C.version + 1))

        with pytest.raises(ConcurrentUpdate):
            save_fired(uow.conn, due)

    assert {c.stage for c in rows("clocks")} == {"none"}


def test_bulk_inserts_past_one_statements_parameter_limit_report_exactly_the_rows_written(monitoring):
    now = at(11, 2, 9)
    red = {"color": "red", "source": "auto", "rule": "accumulation", "department": "zjj", "reason": "第3张黄牌",
           "subject_service": None, "subject_kind": None, "subject_id": None, "subject_ref": None, "clock_id": None,
           "status": "issued", "issued_at": now, "issued_by": "system:sweep", "acknowledge_note": "", "version": 1}
    with monitoring.db.engine.begin() as conn:
        per_statement = conn.dialect.insertmanyvalues_max_parameters // (len(red) + 2)
        first = [red | {"id": f"a{i}", "escalation_key": f"y{i}"} for i in range(per_statement + 5)]
        second = [red | {"id": f"b{i}", "escalation_key": f"y{i}"} for i in range(per_statement - 5, per_statement + 9)]

        assert bulk.insert_new(conn, store.cards, first) == {row["id"] for row in first}
        assert bulk.insert_new(conn, store.cards, second) == {f"b{i}" for i in range(per_statement + 5,
                                                                                      per_statement + 9)}
        stored = conn.execute(sa.select(K.issued_at).where(K.id == "a0")).scalar_one()

    assert stored == now


def test_bulk_inserts_refuse_a_naive_time(monitoring):
    row = {"id": "w1", "clock_id": "c1", "department": "zjj", "subject_service": "hotline", "subject_kind": "ticket",
           "subject_id": "t1", "subject_ref": "", "kind": "handle", "due_at": datetime(2026, 11, 2, 9),
           "issued_at": at(11, 2, 9), "message": "将于到期"}

    with monitoring.db.engine.begin() as conn, pytest.raises(ValueError, match="naive"):
        bulk.insert_new(conn, store.warnings, [row])


def test_the_sweep_loads_due_clocks_exactly_as_the_repository_does(monitoring, dispatch):
    for department in ("zjj", "cgj"):
        dispatch(department, at=at(11, 2, 9))

    with monitoring.db.read() as conn:
        due = due_clocks(conn, now=at(11, 10, 1), limit=10, lock=False)
        loaded = [store.ClockRepository(conn).get(clock.id) for clock in due]

    assert len(due) == 4 and due == loaded
    assert all(clock.due_at.utcoffset() == timedelta(0) for clock in due)
