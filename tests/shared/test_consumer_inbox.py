"""Idempotent consumers guarded by the inbox, and the embedded runtime delivering across services."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from shared.bus.consumer import Consumer, Subscription
from shared.bus.envelope import Event, UndecodableMessage
from shared.bus.inprocess import InProcessTransport
from shared.bus.outbox import OutboxRelay
from shared.bus.runtime import EmbeddedRuntime


def make_event(clock, type_: str = "alpha.thing.created", **data) -> Event:
    return Event(type=type_, data=data, occurred_at=clock.now(), producer="alpha",
                 correlation_id="corr-7")


def names(db) -> list[str]:
    things = db.metadata.tables["things"]
    with db.read() as conn:
        return list(conn.execute(sa.select(things.c.name).order_by(things.c.id)).scalars())


def store_name(uow, event: Event) -> None:
    """A handler that writes the event's name into ``things``."""
    uow.conn.execute(uow.table("things").insert().values(name=event.data["name"], created_at=uow.now))


def test_same_message_delivered_twice_is_applied_once(db, clock, count_rows):
    consumer = Consumer(db, "beta", [Subscription("alpha.thing.*", store_name)])
    event = make_event(clock, name="lamp")

    assert consumer.handle(event.id, event.type, event.to_json()) is True
    assert consumer.handle(event.id, event.type, event.to_json()) is False

    assert names(db) == ["lamp"]
    assert count_rows(db, "inbox") == 1


def test_handler_exception_rolls_back_its_writes_and_the_inbox_row(db, clock, count_rows):
    fail = [True]

    def flaky(uow, event: Event) -> None:
        store_name(uow, event)
        uow.audit("thing.created", "thing", event.data["name"], before=None, after=event.data)
        if fail[0]:
            raise RuntimeError("downstream rule failed")

    consumer = Consumer(db, "beta", [Subscription("alpha.#", flaky)])
    event = make_event(clock, name="lamp")

    with pytest.raises(RuntimeError, match="downstream"):
        consumer.handle(event.id, event.type, event.to_json())
    assert [count_rows(db, t) for t in ("things", "inbox", "audit_log")] == [0, 0, 0]

    fail[0] = False  # the redelivery succeeds, since nothing marked the message as done
    assert consumer.handle(event.id, event.type, event.to_json()) is True
    assert names(db) == ["lamp"]


def test_handler_unit_of_work_carries_correlation_and_causation_of_the_event(db, clock):
    seen = []
    consumer = Consumer(db, "beta", [Subscription("alpha.#", lambda uow, e: seen.append(
        (uow.actor, uow.correlation_id, uow.causation_id)))])
    event = make_event(clock, name="lamp")

    consumer.handle(event.id, event.type, event.to_json())

    assert seen == [("event:alpha", "corr-7", event.id)]


@pytest.mark.parametrize("body", [
    "", "not json", "[]", "null", '{"id": "x"}',
    '{"id": "1", "type": "a.b.c", "producer": "a", "data": {}, "occurred_at": "2025-03-03T09:00:00"}',
    b"\xff\xfe",
])
def test_garbage_body_raises_undecodable_message_and_writes_nothing(db, body, count_rows):
    consumer = Consumer(db, "beta", [Subscription("#", store_name)])

    with pytest.raises(UndecodableMessage):
        consumer.handle("m-1", "alpha.thing.created", body)

    assert count_rows(db, "inbox") == 0


def test_star_routes_one_word_and_hash_routes_any_number_of_words(db, clock):
    routed: list[str] = []

    def record(label):
        return lambda uow, event: routed.append(f"{label}:{event.type}")

    consumer = Consumer(db, "beta", [
        Subscription("alpha.*", record("star")),
        Subscription("alpha.#", record("hash")),
        Subscription("alpha.thing.*", record("thing")),
    ])
    for type_ in ("alpha.thing.created", "alpha.thing.state.changed"):
        event = make_event(clock, type_)
        consumer.handle(event.id, event.type, event.to_json())

    assert routed == ["hash:alpha.thing.created", "thing:alpha.thing.created",
                      "hash:alpha.thing.state.changed"]


def test_message_no_subscription_matches_is_still_recorded_as_processed(db, clock, count_rows):
    consumer = Consumer(db, "beta", [Subscription("gamma.#", store_name)])
    event = make_event(clock, name="lamp")

    assert consumer.handle(event.id, event.type, event.to_json()) is True
    assert count_rows(db, "inbox") == 1 and names(db) == []


def test_inbox_is_per_consumer_so_two_consumers_each_apply_the_message(db, clock):
    event = make_event(clock, name="lamp")
    first = Consumer(db, "beta", [Subscription("alpha.#", store_name)])
    second = Consumer(db, "gamma", [Subscription("alpha.#", lambda uow, e: store_name(
        uow, make_event(clock, name=e.data["name"] + " copy")))])

    assert first.handle(event.id, event.type, event.to_json())
    assert second.handle(event.id, event.type, event.to_json())
    assert names(db) == ["lamp", "lamp copy"]


def test_runtime_delivers_a_chain_of_events_across_two_databases(make_db, clock):
    """alpha publishes, beta reacts with its own event, and alpha handles that in turn."""
    alpha, beta = make_db("alpha"), make_db("beta")
    transport = InProcessTransport()

    def acknowledge(uow, event: Event) -> None:
        store_name(uow, event)
        uow.publish("beta.thing.acknowledged", {"name": event.data["name"]})

    def record_ack(uow, event: Event) -> None:
        uow.conn.execute(uow.table("things").insert().values(
            name=f"ack:{event.data['name']}", created_at=uow.now))

    for db, subscriptions in ((beta, [Subscription("alpha.thing.created", acknowledge)]),
                              (alpha, [Subscription("beta.thing.*", record_ack)])):
        consumer = Consumer(db, db.service, subscriptions)
        transport.bind(db.service, consumer.patterns, consumer.handle)
    runtime = EmbeddedRuntime()
    runtime.add_relay(OutboxRelay(alpha, transport))
    runtime.add_relay(OutboxRelay(beta, transport))

    with alpha.unit_of_work(correlation_id="corr-chain") as uow:
        store_name(uow, make_event(clock, name="lamp"))
        first = uow.publish("alpha.thing.created", {"name": "lamp"})
        uow.commit()

    assert runtime.run_until_idle() == 2
    assert names(alpha) == ["lamp", "ack:lamp"]
    assert names(beta) == ["lamp"]
    outbox = beta.metadata.tables["outbox"]
    with beta.read() as conn:
        reply = Event.from_json(conn.execute(sa.select(outbox.c.body)).scalar_one())
    assert (reply.causation_id, reply.correlation_id) == (first.id, "corr-chain")
    assert runtime.run_until_idle() == 0

