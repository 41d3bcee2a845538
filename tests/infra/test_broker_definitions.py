"""infra/rabbitmq/definitions.json agrees with what the code consumes and publishes."""

from __future__ import annotations

from gateway.registry import PARTS, queue_bindings
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
        assert policy["definition"] == {"dead-letter-exchange": "duban.dead", "dead-letter-routing-key": queue}
        assert {"destination": f"{queue}.dead", "routing_key": queue} in [
            {"destination": b["destination"], "routing_key": b["routing_key"]}
            for b in definitions["bindings"] if b["source"] == "duban.dead"]


def test_every_producing_part_is_archived() -> None:
    """The archive binding keeps each producer's events routable before their consumers exist."""
    archived = {b["routing_key"] for b in load_definitions()["bindings"] if b["destination"] == "duban.archive"}
    for part in PARTS:
        assert f"{part}.#" in archived
