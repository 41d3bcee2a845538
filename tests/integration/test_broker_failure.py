"""The broker itself dies under load: a private RabbitMQ node is killed (SIGKILL) while the relay
publishes and the consumer consumes, then started again on the same data folder. Nothing is lost,
nothing is applied twice, and the relay and the consumer reconnect by themselves.

The node is this test's own (its own ports, node name and data folder); the shared broker is never
touched. It needs the `rabbitmq-server` scripts that come with Debian's package.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pika
import pytest

from shared.bus.consumer import Consumer, Subscription
from shared.bus.outbox import OutboxRelay
from shared.bus.rabbit_consumer import RabbitConsumerWorker
from shared.bus.rabbitmq import RabbitPublisher
from shared.bus.runtime import EmbeddedRuntime
from shared.bus.topology import apply_definitions, load_definitions
from shared.db import Database
from tests.backing import IN_CI, postgres_database
from tests.integration.test_rabbitmq_bus import applied, make_db, publish_events, record

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")  # the script itself, not the wrapper that su's


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateBroker:
    """A RabbitMQ node of this test's own, which it may kill and start again on the same data."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port, self.dist_port = free_port(), free_port()
        self.node = f"dubanfault{uuid.uuid4().hex[:6]}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        root.mkdir(parents=True, exist_ok=True)
        (root / "enabled_plugins").write_text("[].\n")
        (root / "rabbitmq.conf").write_text(f"listeners.tcp.1 = 127.0.0.1:{self.port}\nloopback_users = none\n")
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.root), "RABBITMQ_NODENAME": self.node,
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"), "RABBITMQ_LOG_BASE": str(self.root / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
                "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq.conf"),
                "RABBITMQ_PID_FILE": str(self.root / "rabbitmq.pid")}

    def start(self, timeout: float = 60) -> None:
        with (self.root / "server.log").open("ab") as log:
            self.process = subprocess.Popen([str(SERVER)], env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.root / "server.log").read_text()[-3000:]
            try:
                pika.BlockingConnection(pika.URLParameters(self.url + "?connection_attempts=1")).close()
                return
            except pika.exceptions.AMQPError:
                time.sleep(0.25)
        raise AssertionError(f"private RabbitMQ did not start: {(self.root / 'server.log').read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole node (the beam process and its helpers): no clean shutdown."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateBroker]:
    if not SERVER.exists() or (shutil.which("erl") is None and not Path("/usr/lib/erlang").exists()):
        if IN_CI:
            pytest.fail("rabbitmq-server is not installed; the broker-kill test needs it", pytrace=False)
        pytest.skip("rabbitmq-server is not installed")
    node = PrivateBroker(tmp_path / "rabbitmq")
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def databases(pg_server: str) -> Iterator[tuple[Database, Database]]:
    with postgres_database(pg_server) as producer_url, postgres_database(pg_server) as consumer_url:
        producer, consumer = make_db(producer_url, "producer"), make_db(consumer_url, "hotline")
        try:
            yield producer, consumer
        finally:
            producer.dispose()
            consumer.dispose()


def test_killing_the_broker_mid_load_loses_nothing_and_applies_nothing_twice(broker, databases):
    producer_db, consumer_db = databases
    prefix = f"kill{uuid.uuid4().hex[:6]}"
    # the topology from infra/ (quorum queues); the policies need rabbitmqctl on the shared node's
    # cookie, and dead-lettering plays no part here
    apply_definitions(broker.url, {**load_definitions(), "policies": []}, queue_bindings={"hotline": [f"{prefix}.#"]})

    publisher = RabbitPublisher(broker.url, confirm_timeout=5, connect_timeout=5)
    relay = OutboxRelay(producer_db, publisher, batch_size=50)
    runtime = EmbeddedRuntime(poll_interval=0.05)  # the worker's relay loop: drains, retries after errors
    runtime.add_relay(relay)
    consumer = RabbitConsumerWorker(broker.url, Consumer(consumer_db, "hotline", [Subscription(f"{prefix}.#", record)]),
                                    queue="hotline", batch_size=20)
    consumer_thread = threading.Thread(target=consumer.run, daemon=True)
    ids: list[str] = []
    stop_load = threading.Event()

    def load() -> None:  # a steady stream of state changes, as web requests would make
        n = 0
        while not stop_load.is_set() and n < 1200:
            ids.extend(publish_events(producer_db, prefix, 20, start=n))
            n += 20
            time.sleep(0.05)

    loader = threading.Thread(target=load, daemon=True)
    runtime.start()
    consumer_thread.start()
    loader.start()
    try:
        assert consumer.connected.wait(15)
        deadline = time.monotonic() + 30
        while len(applied(consumer_db)) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(applied(consumer_db)) >= 200, "no traffic before the kill"

        broker.kill()  # mid-load: batches in flight, unconfirmed publishes, unacked deliveries
        killed_at = len(applied(consumer_db))
        time.sleep(2)
        assert not consumer.connected.is_set()
        broker.start()

        loader.join(60)
        assert not loader.is_alive()
        total = len(ids)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if len(applied(consumer_db)) >= total and relay.status()["pending"] == 0:
                break
            time.sleep(0.2)
        done = applied(consumer_db)
        print(f"broker killed after {killed_at} applied; {total} events, {len(done)} applied in the end")
        assert relay.status() | {"oldest_age_seconds": 0.0} == {
            "service": "producer", "pending": 0, "oldest_age_seconds": 0.0, "dead": 0}
        assert sorted(set(done)) == sorted(ids), "events were lost"
        assert len(done) == len(set(done)), "an event was applied twice"
        assert consumer.connected.is_set(), "the consumer did not reconnect"
    finally:
        stop_load.set()
        consumer.stop()
        runtime.stop(10)
        consumer_thread.join(15)
        publisher.close()
