"""The broker topology from ``infra/rabbitmq/definitions.json``, and dead-letter administration.

Dead-lettering and the delivery limit are configured by policy (changeable at run time), never by
queue arguments (fixed at declaration); the one argument is the queue type, quorum for every service
queue (docs/events.md, "Quorum queues"). Policies are applied with ``rabbitmqctl`` when it is on
this machine, else through the management API.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pika

from shared.bus.rabbit_consumer import ROUTING_KEY_HEADER
from shared.bus.rabbitmq import DEAD_EXCHANGE, EXCHANGE, QUEUE_ARGUMENTS

log = logging.getLogger(__name__)

DEFINITIONS = Path(__file__).resolve().parents[2] / "infra" / "rabbitmq" / "definitions.json"


def load_definitions(path: Path = DEFINITIONS) -> dict[str, Any]:
    return json.loads(path.read_text())


def dead_queue(service: str) -> str:
    return f"{service}.dead"


def apply_definitions(url: str, definitions: dict[str, Any] | None = None, *,
                      queue_bindings: dict[str, list[str]] | None = None, management_port: int = 15672) -> None:
    """Declare exchanges, queues and bindings, and set the policies, on the vhost of ``url``.

    ``queue_bindings`` (queue → patterns, from the consumers' code) are declared too, so that events
    published before a consumer first starts are already queued for it.
    """
    definitions = definitions or load_definitions()
    params = pika.URLParameters(url)
    connection = pika.BlockingConnection(params)
    try:
        channel = connection.channel()
        for exchange in definitions["exchanges"]:
            channel.exchange_declare(exchange["name"], exchange_type=exchange["type"], durable=exchange["durable"])
        for queue in definitions["queues"]:
            channel.queue_declare(queue["name"], durable=queue["durable"], arguments=queue["arguments"] or None)
        for binding in definitions["bindings"]:
            channel.queue_bind(binding["destination"], binding["source"], routing_key=binding["routing_key"])
        for queue, patterns in (queue_bindings or {}).items():
            channel.queue_declare(queue, durable=True, arguments=QUEUE_ARGUMENTS)
            for pattern in patterns:
                channel.queue_bind(queue, EXCHANGE, routing_key=pattern)
    finally:
        connection.close()
    for policy in definitions.get("policies", []):
        set_policy(params, policy, management_port=management_port)


def set_policy(params: pika.URLParameters, policy: dict[str, Any], *, management_port: int = 15672) -> None:
    vhost = params.virtual_host
    definition = json.dumps(policy["definition"])
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl and params.host in ("localhost", "127.0.0.1", "::1"):
        subprocess.run([rabbitmqctl, "--quiet", "set_policy", "-p", vhost, "--apply-to", policy["apply-to"],
                        "--priority", str(policy.get("priority", 0)), policy["name"], policy["pattern"],
                        definition], check=True, capture_output=True, timeout=60)
        return
    body = json.dumps({"pattern": policy["pattern"], "definition": policy["definition"],
                       "apply-to": policy["apply-to"], "priority": policy.get("priority", 0)}).encode()
    url = (f"http://{params.host}:{management_port}/api/policies/"
           f"{urllib.parse.quote(vhost, safe='')}/{urllib.parse.quote(policy['name'], safe='')}")
    credentials = params.credentials
    token = base64.b64encode(f"{credentials.username}:{credentials.password}".encode()).decode()
    request = urllib.request.Request(url, data=body, method="PUT", headers={
        "content-type": "application/json", "authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=30):
        pass


def _death(headers: dict[str, Any] | None) -> dict[str, Any]:
    """The broker's most recent x-death record of a dead letter (empty if it has none)."""
    return dict(((headers or {}).get("x-death") or [{}])[0])


def _original_routing_key(properties: Any) -> str | None:
    """The routing key an event was published with: its type, else what the broker recorded."""
    return properties.type or (_death(properties.headers).get("routing-keys") or [None])[0]


def dead_letters(url: str, service: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Peek at a service's dead letters (they stay in the queue)."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    found: list[dict[str, Any]] = []
    try:
        channel = connection.channel()
        for _ in range(limit):
            method, properties, body = channel.basic_get(dead_queue(service), auto_ack=False)
            if method is None:
                break
            death = _death(properties.headers)
            found.append({
                "message_id": properties.message_id,
                "routing_key": _original_routing_key(properties),
                "reason": death.get("reason"), "queue": death.get("queue"), "count": death.get("count"),
                "body": body.decode("utf-8", errors="replace")[:2000],
            })
        # Closing without acking returns every peeked message to the dead queue.
    finally:
        connection.close()
    return found


def replay_dead(url: str, service: str, *, limit: int | None = None) -> int:
    """Send a service's dead letters back to its own queue (confirmed), then remove them."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    replayed = 0
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        while limit is None or replayed < limit:
            method, properties, body = channel.basic_get(dead_queue(service), auto_ack=False)
            if method is None:
                break
            headers = dict(properties.headers or {})
            headers[ROUTING_KEY_HEADER] = _original_routing_key(properties) or ""
            headers.pop("x-death", None)
            # The default exchange delivers to the service's queue only: other consumers had it already.
            channel.basic_publish("", service, body, pika.BasicProperties(
                message_id=properties.message_id, content_type=properties.content_type, delivery_mode=2,
                type=properties.type, headers=headers), mandatory=True)
            channel.basic_ack(method.delivery_tag)
            replayed += 1
    finally:
        connection.close()
    log.info("dead letters replayed", extra={"replayed": replayed, "service": service})
    return replayed


__all__ = ["DEAD_EXCHANGE", "apply_definitions", "dead_letters", "load_definitions", "replay_dead"]
