"""The event bus over real RabbitMQ and PostgreSQL: outbox → broker → idempotent consumer."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pika
import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from shared.bus.consumer import Consumer, Subscription
from shared.bus.envelope import Event
from shared.bus.outbox import OutboxRelay
from shared.bus.rabbit_consumer import RabbitConsumerWorker
from shared.bus.rabbitmq import RabbitPublisher
from shared.bus.topology import dead_letters, replay_dead
from shared.bus.transport import OutgoingMessage, PublishError
from shared.db import Database
from shared.tables import add_common_tables
from shared.uow import UnitOfWork
from tests.backing import postgres_database

pytestmark = pytest.mark.integration


def toy_metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    add_common_tables(metadata)
    sa.Table("applied", metadata, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("event_id", sa.String(36), nullable=False), sa.Column("n", sa.Integer))
    return metadata


def make_db(url: str, service: str) -> Database:
    metadata = toy_metadata()
    db = Database(url, service=service, metadata=metadata)
    metadata.create_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(metadata.tables["audit_head"].insert().values(id=1, seq=0, hash="0" * 64))
    return db


def record(uow: UnitOfWork, event: Event) -> None:
    """The consumer's side effect: one row per applied event."""
    uow.conn.execute(uow.table("applied").insert().values(event_id=event.id, n=event.data.get("n")))


def applied(db: Database) -> list[str]:
    with db.read() as conn:
        return list(conn.execute(sa.select(db.metadata.tables["applied"].c.event_id)).scalars())


def publish_events(db: Database, prefix: str, count: int, *, start: int = 0) -> list[str]:
    ids = []
    with db.unit_of_work(actor="test") as uow:
        for n in range(start, start + count):
            ids.append(uow.publish(f"{prefix}.thing.happened", {"n": n}).id)
        uow.commit()
    return ids


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll a condition on real infrastructure (the broker delivers on its own schedule)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def purge(url: str, *queues: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    for queue in queues:
        channel.queue_purge(queue)
    connection.close()


@pytest.fixture
def producer_db(pg_url: str) -> Iterator[Database]:
    db = make_db(pg_url, "producer")
    yield db
    db.dispose()


@pytest.fixture
def consumer_db(pg_server: str) -> Iterator[Database]:
    """A second database, for the consuming side (the producing side has ``pg_url``'s)."""
    with postgres_database(pg_server) as url:
        db = make_db(url, "hotline")
        yield db
        db.dispose()


@pytest.fixture
def prefix() -> str:
    """A routing-key prefix of this test only, so tests never receive each other's events."""
    return f"it{uuid.uuid4().hex[:8]}"


@pytest.fixture
def publisher(amqp_url: str) -> Iterator[RabbitPublisher]:
    publisher = RabbitPublisher(amqp_url)
    yield publisher
    publisher.close()


class RunningWorker:
    def __init__(self, worker: RabbitConsumerWorker) -> None:
        self.worker = worker
        self.thread = threading.Thread(target=worker.run, daemon=True)

    def __enter__(self) -> RabbitConsumerWorker:
        self.thread.start()
        assert self.worker.connected.wait(15), "consumer did not connect"
        return self.worker

    def __exit__(self, *exc: object) -> None:
        self.worker.stop()
        self.thread.join(10)


def worker_for(amqp_url: str, db: Database, prefix: str, handler=record, **kwargs) -> RunningWorker:
    consumer = Consumer(db, "hotline", [Subscription(f"{prefix}.#", handler)])
    return RunningWorker(RabbitConsumerWorker(amqp_url, consumer, queue="hotline", **kwargs))


def test_events_travel_from_the_outbox_through_rabbitmq_to_the_consumer_exactly_once(
        amqp_url, producer_db, consumer_db, publisher, prefix):
    purge(amqp_url, "hotline")
    ids = publish_events(producer_db, prefix, 300)
    relay = OutboxRelay(producer_db, publisher, batch_size=100)
    with worker_for(amqp_url, consumer_db, prefix):
        assert relay.drain() == 300
        assert wait_for(lambda: len(applied(consumer_db)) == 300)
    assert sorted(applied(consumer_db)) == sorted(ids)
    assert relay.status()["pending"] == 0


def test_publisher_confirms_report_unroutable_messages_as_failed_and_keep_them_in_the_outbox(
        amqp_url, producer_db, publisher):
    routable = Event(type="hotline.ticket.dispatched", data={}, occurred_at=datetime.now(UTC), producer="t")
    lost = Event(type="nobody.listens.here", data={}, occurred_at=datetime.now(UTC), producer="t")
    purge(amqp_url, "hotline")
    # bind "hotline" to the routable key for this test so only the other one has no route
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    connection.channel().queue_bind("hotline", "duban.events", routing_key="hotline.ticket.dispatched")
    connection.close()
    with pytest.raises(PublishError) as raised:
        publisher.publish([OutgoingMessage(routable.id, routable.type, routable.to_json()),
                           OutgoingMessage(lost.id, lost.type, lost.to_json())])
    assert raised.value.failed_ids == [lost.id]
    assert raised.value.confirmed_ids == [routable.id]
    assert "unroutable" in str(raised.value)

    with producer_db.unit_of_work() as uow:
        uow.publish("nobody.listens.here", {})
        uow.commit()
    relay = OutboxRelay(producer_db, publisher)
    assert relay.drain() == 0
    status = relay.status()
    assert status["pending"] == 1 and status["dead"] == 0  # kept, retried later with backoff
    purge(amqp_url, "hotline")


CRASHING_CONSUMER = r"""
import os, sys, sqlalchemy as sa
sys.path.insert(0, os.getcwd())
from tests.integration.test_rabbitmq_bus import make_db, record
from shared.bus.consumer import Consumer, Subscription
from shared.bus.rabbit_consumer import RabbitConsumerWorker
from shared.db import Database
from tests.integration.test_rabbitmq_bus import toy_metadata
db = Database(sys.argv[2], service="hotline", metadata=toy_metadata())
consumer = Consumer(db, "hotline", [Subscription(sys.argv[3] + ".#", record)])

class DiesBeforeAck(RabbitConsumerWorker):
    def on_message(self, channel, method, properties, body):
        self.consumer.handle(properties.message_id, method.routing_key, body.decode())
        os._exit(9)  # the handler committed; the process dies before basic.ack

DiesBeforeAck(sys.argv[1], consumer, queue="hotline", batch_size=1).run()
"""


def test_a_message_redelivered_after_the_consumer_died_before_its_ack_is_applied_once(
        amqp_url, producer_db, consumer_db, publisher, prefix, tmp_path):
    purge(amqp_url, "hotline")
    [event_id] = publish_events(producer_db, prefix, 1)
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_CONSUMER)
    process = subprocess.Popen([sys.executable, str(script), amqp_url, consumer_db.url, prefix],
                               cwd=os.getcwd())
    try:
        # the queue exists (definitions); bind it now so the event is queued even before the
        # dying consumer has connected
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        connection.channel().queue_bind("hotline", "duban.events", routing_key=f"{prefix}.#")
        connection.close()
        OutboxRelay(producer_db, publisher).drain()
        assert process.wait(30) == 9
    finally:
        if process.poll() is None:
            process.kill()
    assert applied(consumer_db) == [event_id]  # committed once before the crash

    duplicates_before = duplicates_absorbed()
    with worker_for(amqp_url, consumer_db, prefix):
        assert wait_for(lambda: queue_drained(amqp_url))
    assert applied(consumer_db) == [event_id]  # the redelivery was absorbed by the inbox
    assert duplicates_absorbed() == duplicates_before + 1


def duplicates_absorbed() -> float:
    return REGISTRY.get_sample_value("duban_bus_duplicates_total", {"consumer": "hotline"}) or 0.0


def queue_drained(amqp_url: str) -> bool:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        queue = connection.channel().queue_declare("hotline", durable=True, passive=True)
        return queue.method.message_count == 0
    finally:
        connection.close()


def test_a_poison_message_ends_in_the_dead_queue_and_is_applied_when_replayed(
        amqp_url, producer_db, consumer_db, publisher, prefix):
    purge(amqp_url, "hotline", "hotline.dead")
    broken = {"on": True}

    def fragile(uow: UnitOfWork, event: Event) -> None:
        if broken["on"]:
            raise ValueError("handler cannot apply this event yet")
        record(uow, event)

    [event_id] = publish_events(producer_db, prefix, 1)
    with worker_for(amqp_url, consumer_db, prefix, handler=fragile, max_failures=3, sleep=lambda _s: None):
        OutboxRelay(producer_db, publisher).drain()
        assert wait_for(lambda: len(dead_letters(amqp_url, "hotline")) == 1)
    [letter] = dead_letters(amqp_url, "hotline")
    assert letter["message_id"] == event_id
    assert letter["routing_key"] == f"{prefix}.thing.happened"
    assert letter["reason"] == "rejected"
    assert applied(consumer_db) == []

    # garbage that is not an envelope goes straight to the dead queue
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    connection.channel().basic_publish("duban.events", f"{prefix}.thing.garbled", b"\xff not json",
                                       pika.BasicProperties(message_id=str(uuid.uuid4())))
    connection.close()
    broken["on"] = False
    with worker_for(amqp_url, consumer_db, prefix, handler=fragile):
        assert wait_for(lambda: len(dead_letters(amqp_url, "hotline")) == 2)
        assert replay_dead(amqp_url, "hotline", limit=1) == 1
        assert wait_for(lambda: applied(consumer_db) == [event_id])
    purge(amqp_url, "hotline.dead")


def test_a_relay_killed_between_publish_and_mark_sent_loses_nothing_and_the_duplicate_is_absorbed(
        amqp_url, producer_db, consumer_db, publisher, prefix):
    purge(amqp_url, "hotline")
    ids = publish_events(producer_db, prefix, 50)

    class CrashAfterPublish(OutboxRelay):
        def _mark(self, *args, **kwargs):
            raise SystemExit("relay killed before marking the batch sent")

    with worker_for(amqp_url, consumer_db, prefix):
        with pytest.raises(SystemExit):
            CrashAfterPublish(producer_db, publisher).drain()
        assert OutboxRelay(producer_db, publisher).status()["pending"] == 50  # nothing marked sent
        assert wait_for(lambda: len(applied(consumer_db)) == 50)
        # the restarted relay publishes the same 50 again; the consumer's inbox absorbs them
        assert OutboxRelay(producer_db, publisher).drain() == 50
        assert wait_for(lambda: queue_drained(amqp_url))
    assert sorted(applied(consumer_db)) == sorted(ids)


def test_delivery_survives_the_broker_dropping_every_connection_under_load(
        amqp_url, producer_db, consumer_db, prefix):
    purge(amqp_url, "hotline")
    vhost = pika.URLParameters(amqp_url).virtual_host
    publisher = RabbitPublisher(amqp_url, confirm_timeout=5)
    relay = OutboxRelay(producer_db, publisher, batch_size=50)
    total = 0
    try:
        with worker_for(amqp_url, consumer_db, prefix):
            for round_ in range(6):
                publish_events(producer_db, prefix, 100, start=round_ * 100)
                total += 100
                if round_ in (2, 4):
                    subprocess.run(["rabbitmqctl", "--quiet", "close_all_connections", "-p", vhost,
                                    "test: connection drop"], check=True, capture_output=True, timeout=60)
                deadline = time.monotonic() + 30
                while relay.status()["pending"] and time.monotonic() < deadline:
                    try:
                        relay.drain()
                    except Exception:  # the relay process would log and retry on its next tick
                        time.sleep(0.1)
                    if relay.status()["pending"]:
                        time.sleep(0.1)  # failed events wait for their backoff
                        producer_db.engine.dispose()
                        with producer_db.engine.begin() as conn:  # let the test skip the backoff wait
                            conn.execute(producer_db.metadata.tables["outbox"].update().values(
                                next_attempt_at=None))
            assert wait_for(lambda: len(applied(consumer_db)) == total, timeout=60)
    finally:
        publisher.close()
    assert len(set(applied(consumer_db))) == total
    assert relay.status()["dead"] == 0


def test_the_broker_dead_letters_a_message_requeued_past_the_delivery_limit(amqp_url, prefix):
    """A consumer that never acks (it crashes, or requeues forever) cannot keep a message circling."""
    purge(amqp_url, "hotline", "hotline.dead")
    message_id = str(uuid.uuid4())
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        declared = channel.queue_declare("hotline", durable=True, arguments={"x-queue-type": "quorum"})
        assert declared.method.queue == "hotline"  # an equivalent declaration: it is a quorum queue
        channel.basic_publish("", "hotline", b"{}", pika.BasicProperties(message_id=message_id, delivery_mode=2))
        deliveries = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            method, _properties, _body = channel.basic_get("hotline", auto_ack=False)
            if method is None:
                if dead_letters(amqp_url, "hotline"):
                    break
                time.sleep(0.05)
                continue
            deliveries += 1
            channel.basic_nack(method.delivery_tag, requeue=True)
    finally:
        connection.close()
    [letter] = dead_letters(amqp_url, "hotline")
    assert letter["message_id"] == message_id
    assert letter["reason"] == "delivery_limit"
    assert deliveries == 11  # the first delivery and ten redeliveries (delivery-limit 10)
    purge(amqp_url, "hotline.dead")
