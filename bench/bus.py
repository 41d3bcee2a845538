"""Event bus benchmark on the local RabbitMQ and PostgreSQL.

Measures, in one run (the machine is noisy, so compare figures from the same run):
  1. raw pika publish with a confirm per message (BlockingConnection.confirm_delivery) — baseline;
  2. raw pipelined publish with confirms (RabbitPublisher, no database);
  3. sustained outbox → RabbitMQ → consumer throughput: events committed to a PostgreSQL outbox,
     relayed by a worker thread, applied by an idempotent consumer into another PostgreSQL database;
  4. end-to-end lag (commit of the ticket → consumer commit) at 200 tickets/s: once with a light
     producer committing each ticket's events on schedule (the pipeline alone), once with tickets
     filed through the hotline's real intake use case by 4 processes (as far as this machine gets).
Targets: (3) ≥ 1,000 events/s; (4) p99 < 500 ms.

Usage: .venv/bin/python bench/bus.py [--events 20000] [--rate 200] [--seconds 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pika
import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.bus.consumer import Consumer, Subscription
from shared.bus.envelope import Event
from shared.bus.outbox import OutboxRelay
from shared.bus.rabbit_consumer import RabbitConsumerWorker
from shared.bus.rabbitmq import RabbitPublisher
from shared.bus.topology import apply_definitions
from shared.bus.transport import OutgoingMessage
from shared.db import Database
from shared.migrations import upgrade
from shared.tables import add_common_tables

AMQP = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PG = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/").rstrip("/") + "/"


def progress(text: str) -> None:
    sys.stderr.write(f"\r\033[K{text}")
    sys.stderr.flush()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Environment:
    """A throw-away vhost and PostgreSQL databases, removed at the end."""

    def __init__(self) -> None:
        self.vhost = f"duban-bench-{uuid.uuid4().hex[:6]}"
        self.databases: list[str] = []

    def __enter__(self) -> Environment:
        for args in (["add_vhost", self.vhost], ["set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*"]):
            subprocess.run(["rabbitmqctl", "--quiet", *args], check=True, capture_output=True)
        self.amqp = AMQP.rstrip("/") + "/" + self.vhost
        apply_definitions(self.amqp)
        return self

    def database(self, label: str) -> str:
        name = f"duban_bench_{label}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(PG + "postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return PG + name

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["rabbitmqctl", "--quiet", "delete_vhost", self.vhost], capture_output=True)
        with psycopg.connect(PG + "postgres", autocommit=True) as conn:
            for name in self.databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def messages(count: int, key: str = "hotline.ticket.received") -> list[OutgoingMessage]:
    out = []
    for n in range(count):
        event = Event(type=key, data={"n": n, "title": "夜间施工噪音扰民"}, occurred_at=datetime.now(UTC),
                      producer="bench")
        out.append(OutgoingMessage(event.id, event.type, event.to_json()))
    return out


def bench_raw_blocking(url: str, count: int) -> float:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.confirm_delivery()
    batch = messages(count)
    started = time.perf_counter()
    for i, m in enumerate(batch):
        channel.basic_publish("duban.events", m.routing_key, m.body.encode(),
                              pika.BasicProperties(message_id=m.message_id, delivery_mode=2), mandatory=True)
        if i % 500 == 0:
            progress(f"raw pika, confirm per message: {i}/{count}")
    elapsed = time.perf_counter() - started
    connection.close()
    return count / elapsed


def bench_raw_pipelined(url: str, count: int, batch_size: int = 500) -> float:
    publisher = RabbitPublisher(url)
    batch = messages(count)
    publisher.publish(batch[:1])
    started = time.perf_counter()
    for i in range(0, count, batch_size):
        publisher.publish(batch[i:i + batch_size])
        progress(f"pipelined confirms: {i}/{count}")
    elapsed = time.perf_counter() - started
    publisher.close()
    return count / elapsed


def toy_db(url: str, service: str) -> Database:
    metadata = sa.MetaData()
    add_common_tables(metadata)
    sa.Table("applied", metadata, sa.Column("event_id", sa.String(36), primary_key=True),
             sa.Column("lag_ms", sa.Float))
    db = Database(url, service=service, metadata=metadata)
    metadata.create_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(metadata.tables["audit_head"].insert().values(id=1, seq=0, hash="0" * 64))
    return db


def apply_with_lag(uow, event: Event) -> None:  # type: ignore[no-untyped-def]
    lag = (datetime.now(UTC) - event.occurred_at).total_seconds() * 1000
    uow.conn.execute(uow.table("applied").insert().values(event_id=event.id, lag_ms=lag))


def applied_count(db: Database) -> int:
    with db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(db.metadata.tables["applied"])).scalar_one()


def lag_summary(consumer: Database, expected: int, achieved: float) -> dict[str, float]:
    """Wait (bounded) for every event to arrive, then the lag percentiles recorded by the consumer."""
    deadline = time.monotonic() + 30
    while applied_count(consumer) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    with consumer.read() as conn:
        lags = list(conn.execute(sa.select(consumer.metadata.tables["applied"].c.lag_ms)).scalars())
    return {"tickets": expected, "achieved_rate": round(achieved, 1), "applied": len(lags),
            "p50_ms": round(statistics.median(lags), 1), "p95_ms": round(percentile(lags, 0.95), 1),
            "p99_ms": round(percentile(lags, 0.99), 1), "max_ms": round(max(lags), 1)}


class Pipeline:
    """A relay thread (producer's outbox → RabbitMQ) and a consumer thread (RabbitMQ → consumer db)."""

    def __init__(self, amqp: str, producer: Database, consumer: Database, patterns: list[str]) -> None:
        self.publisher = RabbitPublisher(amqp)
        self.relay = OutboxRelay(producer, self.publisher, batch_size=500)
        self.worker = RabbitConsumerWorker(
            amqp, Consumer(consumer, "monitoring", [Subscription(p, apply_with_lag) for p in patterns]),
            queue="monitoring", prefetch=256)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._relay, daemon=True),
                        threading.Thread(target=self.worker.run, daemon=True)]

    def _relay(self) -> None:
        while not self.stop.is_set():
            if not self.relay.drain():
                self.stop.wait(0.02)

    def __enter__(self) -> Pipeline:
        for thread in self.threads:
            thread.start()
        self.worker.connected.wait(15)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.worker.stop()
        for thread in self.threads:
            thread.join(10)
        self.publisher.close()


def bench_sustained(env: Environment, count: int) -> dict[str, float]:
    producer, consumer = toy_db(env.database("p"), "producer"), toy_db(env.database("c"), "monitoring")
    with Pipeline(env.amqp, producer, consumer, ["bench.#"]):
        started = time.perf_counter()
        for i in range(0, count, 200):  # commits of 200 events, as busy intake would produce
            with producer.unit_of_work() as uow:
                for n in range(i, min(count, i + 200)):
                    uow.publish("bench.event.happened", {"n": n})
                uow.commit()
        committed = time.perf_counter() - started
        while (done := applied_count(consumer)) < count:
            progress(f"sustained: {done}/{count} applied")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    producer.dispose()
    consumer.dispose()
    return {"events": count, "seconds": round(elapsed, 2), "events_per_second": round(count / elapsed, 1),
            "commit_seconds": round(committed, 2)}


def _intake_desk(url: str, rate: float, seconds: float, start_at: float, offset: int, step: int) -> int:
    """One intake process (like one gunicorn worker): files every ``step``-th ticket of the schedule."""
    from services.hotline.handlers import Hotline, file_ticket
    from services.hotline.store import metadata as hotline_metadata
    from shared.auth import OPERATOR, Principal
    from shared.calendar import WorkCalendar

    db = Database(url, service="hotline", metadata=hotline_metadata)
    hotline = Hotline(db=db, calendar=WorkCalendar())
    operator = Principal("operator", frozenset({OPERATOR}))
    titles = ["夜间施工噪音", "小区停水", "餐馆油烟扰民", "道路积水", "占道经营", "垃圾清运不及时"]
    filed = 0
    n = offset
    while n / rate < seconds:
        time.sleep(max(0.0, start_at + n / rate - time.time()))
        file_ticket(hotline, principal=operator, type="complaint", urgency="general", channel="phone",
                    title=f"{titles[n % len(titles)]}{n}", content="市民反映情况，请求处理。",
                    caller={"name": "市民", "phone": f"139{n:08d}"}, address="东城区")
        filed += 1
        n += step
    db.dispose()
    return filed


def bench_lag(env: Environment, rate: float, seconds: float, desks: int = 4) -> dict[str, float]:
    """Tickets filed on a fixed schedule by ``desks`` processes; lag = ticket commit → consumer commit."""
    from concurrent.futures import ProcessPoolExecutor

    url = env.database("hotline")
    upgrade("services.hotline", url)
    from services.hotline.store import metadata as hotline_metadata

    hotline_db = Database(url, service="hotline", metadata=hotline_metadata)
    consumer = toy_db(env.database("lag"), "monitoring")
    with Pipeline(env.amqp, hotline_db, consumer, ["hotline.ticket.received"]), \
            ProcessPoolExecutor(desks) as pool:
        start_at = time.time() + 2.0  # let every desk import and connect first
        futures = [pool.submit(_intake_desk, url, rate, seconds, start_at, k, desks) for k in range(desks)]
        while not all(f.done() for f in futures):
            progress(f"lag at {rate:.0f}/s: {applied_count(consumer)} tickets applied")
            time.sleep(0.2)
        filed = sum(f.result() for f in futures)
        achieved = filed / (time.time() - start_at)
        result = lag_summary(consumer, filed, achieved)
    hotline_db.dispose()
    consumer.dispose()
    return result


def bench_lag_events(env: Environment, rate: float, seconds: float) -> dict[str, float]:
    """The pipeline alone at exactly ``rate`` tickets/s: each commit carries one ticket's events
    (received + dispatched), so the producer's own cost cannot hold the rate down."""
    producer, consumer = toy_db(env.database("lp"), "hotline"), toy_db(env.database("lc"), "monitoring")
    with Pipeline(env.amqp, producer, consumer, ["hotline.ticket.dispatched"]):
        started = time.perf_counter()
        n = 0
        while n / rate < seconds:
            time.sleep(max(0.0, started + n / rate - time.perf_counter()))
            with producer.unit_of_work() as uow:
                uow.publish("hotline.ticket.received", {"n": n})
                uow.publish("hotline.ticket.dispatched", {"n": n, "lead_department": "zjj"})
                uow.commit()
            n += 1
            if n % 50 == 0:
                progress(f"pipeline lag at {rate:.0f}/s: {n} tickets")
        achieved = n / (time.perf_counter() - started)
        result = lag_summary(consumer, n, achieved)
    producer.dispose()
    consumer.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--raw", type=int, default=5000, help="messages per raw publish measurement")
    parser.add_argument("--rate", type=float, default=200.0, help="tickets per second for the lag run")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the lag run")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    with Environment() as env:
        raw_blocking = bench_raw_blocking(env.amqp, args.raw)
        raw_pipelined = bench_raw_pipelined(env.amqp, args.raw)
        sustained = bench_sustained(env, args.events)
        pipeline_lag = bench_lag_events(env, args.rate, args.seconds)
        lag = bench_lag(env, args.rate, args.seconds)
    progress("")
    result = {
        "raw_pika_confirm_per_message_per_s": round(raw_blocking, 1),
        "raw_pipelined_confirms_per_s": round(raw_pipelined, 1),
        "pipelined_vs_per_message": round(raw_pipelined / raw_blocking, 2),
        "outbox_to_consumer": sustained,
        "outbox_to_consumer_vs_raw_per_message": round(sustained["events_per_second"] / raw_blocking, 2),
        "pipeline_lag_at_rate": pipeline_lag,
        "intake_lag": lag,
    }
    print(f"raw pika, one confirm per message : {raw_blocking:9.0f} msg/s")
    print(f"raw pipelined confirms            : {raw_pipelined:9.0f} msg/s  ({result['pipelined_vs_per_message']}×)")
    print(f"outbox → RabbitMQ → consumer      : {sustained['events_per_second']:9.0f} events/s "
          f"({sustained['events']} events in {sustained['seconds']} s; target ≥ 1000)")
    pl = pipeline_lag
    print(f"pipeline lag at {args.rate:.0f} tickets/s (achieved {pl['achieved_rate']}): p50 {pl['p50_ms']} ms, "
          f"p95 {pl['p95_ms']} ms, p99 {pl['p99_ms']} ms (target p99 < 500 ms)")
    print(f"real intake ({args.rate:.0f}/s asked, {lag['achieved_rate']}/s achieved by 4 processes): "
          f"p50 {lag['p50_ms']} ms, p95 {lag['p95_ms']} ms, p99 {lag['p99_ms']} ms")
    print(json.dumps(result, ensure_ascii=False))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
