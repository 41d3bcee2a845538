"""The unit of work (state + outbox + audit in one transaction) and the outbox relay."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

import pytest
import sqlalchemy as sa

from shared.bus.inprocess import InProcessTransport
from shared.bus.outbox import OutboxRelay
from shared.bus.transport import OutgoingMessage, PublishError
from shared.logs import correlation_id_var


class Recorder:
    """A consumer that records deliveries and fails on demand."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, object]]] = []
        self.fail_with: Exception | None = None

    def __call__(self, message_id: str, routing_key: str, body: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.received.append((message_id, routing_key, json.loads(body)["data"]))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def transport(recorder: Recorder) -> InProcessTransport:
    transport = InProcessTransport()
    transport.bind("beta", ["alpha.#"], recorder)
    return transport


def outbox_rows(db):
    t = db.metadata.tables["outbox"]
    with db.read() as conn:
        return conn.execute(sa.select(t).order_by(t.c.seq)).all()


# -- unit of work --------------------------------------------------------------------------------

def test_commit_writes_state_outbox_and_audit_together(db, insert_thing, count_rows, clock):
    with db.unit_of_work(actor="user:li", correlation_id="corr-1") as uow:
        insert_thing(uow, "lamp")
        event = uow.publish("alpha.thing.created", {"name": "lamp"})
        uow.commit()

    assert count_rows(db, "things") == 1
    [row] = outbox_rows(db)
    assert (row.id, row.routing_key, row.attempts) == (event.id, "alpha.thing.created", 0)
    assert row.created_at == clock.now() and row.published_at is None
    body = json.loads(row.body)
    assert body["correlation_id"] == "corr-1" and body["producer"] == "alpha"
    with db.read() as conn:
        audit = conn.execute(sa.select(db.metadata.tables["audit_log"])).one()
    assert (audit.actor, audit.action, audit.correlation_id) == ("user:li", "thing.created", "corr-1")


def test_exception_before_commit_leaves_no_state_event_or_audit(db, insert_thing, count_rows):
    with pytest.raises(RuntimeError), db.unit_of_work() as uow:
        insert_thing(uow, "lamp")
        uow.publish("alpha.thing.created", {"name": "lamp"})
        raise RuntimeError("handler failed halfway")

    assert [count_rows(db, t) for t in ("things", "outbox", "audit_log")] == [0, 0, 0]


def test_leaving_the_block_without_commit_rolls_everything_back(db, insert_thing, count_rows):
    with db.unit_of_work() as uow:
        insert_thing(uow, "lamp")
        uow.publish("alpha.thing.created", {"name": "lamp"})

    assert [count_rows(db, t) for t in ("things", "outbox", "audit_log")] == [0, 0, 0]


def test_commit_listeners_fire_only_when_events_were_written(db, insert_thing):
    calls = []
    db.on_commit(lambda: calls.append("woken"))

    with db.unit_of_work() as uow:
        insert_thing(uow, "no event")
        uow.commit()
    assert calls == []

    with db.unit_of_work() as uow:
        uow.publish("alpha.thing.created", {"name": "x"})
        uow.commit()
    assert calls == ["woken"]


def test_a_failing_commit_listener_does_not_undo_the_commit(db, count_rows):
    def broken() -> None:
        raise RuntimeError("relay wake-up failed")

    db.on_commit(broken)
    with db.unit_of_work() as uow:
        uow.publish("alpha.thing.created", {"name": "x"})
        uow.commit()

    assert count_rows(db, "outbox") == 1


def test_unit_of_work_connection_is_unusable_outside_its_block(db):
    uow = db.unit_of_work()
    with pytest.raises(RuntimeError, match="outside"):
        _ = uow.conn


def test_naive_datetime_is_refused_by_utc_columns(db):
    things = db.metadata.tables["things"]
    with pytest.raises(sa.exc.StatementError, match="naive"), db.unit_of_work() as uow:
        uow.conn.execute(things.insert().values(name="x", created_at=uow.now.replace(tzinfo=None)))


# -- outbox relay ---------------------------------------------------------------------------------

def publish(db, *names: str) -> list[str]:
    with db.unit_of_work() as uow:
        ids = [uow.publish("alpha.thing.created", {"name": n}).id for n in names]
        uow.commit()
    return ids


def test_relay_delivers_events_in_commit_order_and_marks_them_published(db, transport, recorder,
                                                                         clock):
    ids = publish(db, "one", "two") + publish(db, "three")
    relay = OutboxRelay(db, transport, batch_size=2)

    assert relay.drain() == 3
    assert [(m, d["name"]) for m, _k, d in recorder.received] == list(zip(ids, ["one", "two", "three"],
                                                                          strict=True))
    assert {row.published_at for row in outbox_rows(db)} == {clock.now()}
    assert relay.drain() == 0  # nothing is published twice


def test_failing_consumer_keeps_the_event_pending_with_attempts_and_error(db, transport, recorder, clock):
    publish(db, "lamp")
    recorder.fail_with = RuntimeError("beta database locked")
    relay = OutboxRelay(db, transport)

    assert relay.drain() == 0
    [row] = outbox_rows(db)
    assert row.published_at is None and row.dead_at is None
    assert row.attempts == 1
    assert "RuntimeError: beta database locked" in row.last_error

    recorder.fail_with = None
    assert relay.drain() == 0  # backing off: not retried before next_attempt_at
    clock.advance(seconds=2)
    assert relay.drain() == 1
    assert outbox_rows(db)[0].published_at is not None


def test_retries_back_off_exponentially_so_a_brief_failure_does_not_use_up_the_attempts(
        db, transport, recorder, clock):
    publish(db, "lamp")
    recorder.fail_with = RuntimeError("busy")
    relay = OutboxRelay(db, transport)
    for _ in range(10):  # many wake-ups while no time passes cost one attempt only
        relay.drain()
    [row] = outbox_rows(db)
    assert row.attempts == 1
    assert row.next_attempt_at == clock.now() + timedelta(seconds=2)
    clock.advance(seconds=2)
    relay.drain()
    assert outbox_rows(db)[0].next_attempt_at == clock.now() + timedelta(seconds=4)


def test_a_later_event_is_not_delivered_before_an_earlier_one_that_failed(db, recorder, transport, clock):
    publish(db, "first", "second")
    recorder.fail_with = RuntimeError("busy")
    relay = OutboxRelay(db, transport)
    relay.drain()
    assert recorder.received == []
    recorder.fail_with = None
    clock.advance(seconds=2)
    relay.drain()
    assert [d["name"] for _m, _k, d in recorder.received] == ["first", "second"]


def test_event_is_dead_after_max_attempts_and_no_longer_retried(db, transport, recorder, clock):
    publish(db, "lamp")
    recorder.fail_with = ValueError("schema mismatch")
    relay = OutboxRelay(db, transport, max_attempts=3)

    for _ in range(5):
        relay.drain_once()
        clock.advance(minutes=10)

    [row] = outbox_rows(db)
    assert row.attempts == 3
    assert row.dead_at is not None and row.dead_at < clock.now()
    assert relay.status() == {"service": "alpha", "pending": 0, "oldest_age_seconds": 0.0, "dead": 1}


def test_replay_dead_revives_dead_events_for_delivery(db, transport, recorder):
    publish(db, "lamp")
    recorder.fail_with = ValueError("schema mismatch")
    relay = OutboxRelay(db, transport, max_attempts=1)
    relay.drain()
    assert relay.status()["dead"] == 1

    recorder.fail_with = None
    assert relay.replay_dead() == 1
    [row] = outbox_rows(db)
    assert (row.dead_at, row.attempts, row.last_error) == (None, 0, None)
    assert relay.drain() == 1
    assert [d["name"] for _m, _k, d in recorder.received] == ["lamp"]


def test_status_reports_backlog_and_age_of_the_oldest_pending_event(db, transport, clock):
    publish(db, "first")
    clock.advance(seconds=30)
    publish(db, "second")
    clock.advance(seconds=60)

    status = OutboxRelay(db, transport).status()

    assert status == {"service": "alpha", "pending": 2, "oldest_age_seconds": 90.0, "dead": 0}


def test_partial_publish_failure_marks_only_the_confirmed_events(db, clock):
    class HalfBroker(InProcessTransport):
        """Confirms every message except those whose body mentions ``nack``."""

        def publish(self, messages: Sequence[OutgoingMessage]) -> list[str]:
            failed = [m.message_id for m in messages if "nack" in m.body]
            if failed:
                raise PublishError("broker returned a message", failed_ids=failed,
                                   confirmed_ids=[m.message_id for m in messages if "nack" not in m.body])
            return [m.message_id for m in messages]

    publish(db, "ok", "nack", "ok too")
    relay = OutboxRelay(db, HalfBroker())

    assert relay.drain_once() == 2
    rows = {json.loads(r.body)["data"]["name"]: r for r in outbox_rows(db)}
    assert rows["nack"].published_at is None and rows["nack"].attempts == 1
    assert rows["ok"].published_at == rows["ok too"].published_at == clock.now()



def test_a_unit_of_work_takes_the_correlation_id_bound_to_the_request_unless_given_one(db):
    token = correlation_id_var.set("corr-bound")
    try:
        with db.unit_of_work(actor="user:li") as bound:
            pass
        with db.unit_of_work(actor="user:li", correlation_id="corr-given") as given:
            pass
    finally:
        correlation_id_var.reset(token)
    token = correlation_id_var.set(None)
    try:
        with db.unit_of_work(actor="user:li") as unbound:
            pass
    finally:
        correlation_id_var.reset(token)

    assert (bound.correlation_id, given.correlation_id, unbound.correlation_id) == ("corr-bound", "corr-given", None)
