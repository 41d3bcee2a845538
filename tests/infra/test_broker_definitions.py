"""infra/rabbitmq/definitions.json agrees with what the code consumes and publishes."""

from __future__ import annotations

import inspect

from gateway.registry import PARTS, queue_bindings
from shared.bus import rabbit_consumer, topology
from shared.bus.rabbitmq import QUEUE_ARGUMENTS
from shared.bus.topology import load_definitions


def test_every_consumer_queue_and_its_bindings_are_in_the_broker_definitions() -> None:
    """A broker loaded from the file queues events for a consumer that has not started yet."""
    definitions = load_definitions()
    queues = {q["name"] for q in definitions["queues"]}
    bound = {(b["destination"], b["routing_key"]) for b in definitions["bindings"]
             if b["source"] == "duban.events"}
    for queue, patterns in queue_bindings().items():
        assert queue in queues
        assert f"{queue}.dead" in queues
        for pattern in patterns:
            assert (queue, pattern) in bound, f"add the binding {queue} ← {pattern} to definitions.json"
        stale = {key for destination, key in bound if destination == queue} - set(patterns)
        assert not stale, f"{queue} is bound to {sorted(stale)}, which its route table no longer handles"


def test_every_consumer_queue_has_a_dead_letter_policy() -> None:
    definitions = load_definitions()
    for queue in queue_bindings():
        [policy] = [p for p in definitions["policies"] if p["pattern"] == f"^{queue}$"]
        assert policy["definition"] == {
            "dead-letter-exchange": "duban.dead", "dead-letter-routing-key": queue,
            "delivery-limit": 10, "dead-letter-strategy": "at-least-once", "overflow": "reject-publish"}
        assert {"destination": f"{queue}.dead", "routing_key": queue} in [
            {"destination": b["destination"], "routing_key": b["routing_key"]}
            for b in definitions["bindings"] if b["source"] == "duban.dead"]


def test_every_producing_part_is_archived() -> None:
    """The archive binding keeps each producer's events routable before their consumers exist."""
    archived = {b["routing_key"] for b in load_definitions()["bindings"] if b["destination"] == "duban.archive"}
    for part in PARTS:
        assert f"{part}.#" in archived


def test_every_service_queue_and_its_dead_letters_are_quorum_queues_in_the_file_and_the_code() -> None:
    """The queue type is fixed at declaration: the file and every code path declare the same one."""
    assert QUEUE_ARGUMENTS == {"x-queue-type": "quorum"}
    queues = {q["name"]: q for q in load_definitions()["queues"]}
    for queue in queue_bindings():
        for name in (queue, f"{queue}.dead"):
            assert queues[name]["arguments"] == QUEUE_ARGUMENTS, name
            assert queues[name]["durable"] is True
    # the consumer and the topology helper declare with QUEUE_ARGUMENTS, never a bare queue_declare
    for module in (rabbit_consumer, topology):
        source = inspect.getsource(module)
        declares = source.count("queue_declare(")
        assert declares and declares == source.count("arguments=QUEUE_ARGUMENTS") + source.count(
            'arguments=queue["arguments"]'), module.__name__
