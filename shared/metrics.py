"""Prometheus metrics shared by every service (multiprocess-safe under gunicorn).

Under gunicorn set PROMETHEUS_MULTIPROC_DIR; ``metrics_response`` then aggregates all workers.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

HTTP_LATENCY = Histogram(
    "duban_http_request_duration_seconds", "HTTP request latency by route template",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_PUBLISHED = Counter("duban_outbox_published_total", "Events published from the outbox", ["service"])
PUBLISH_FAILURES = Counter("duban_outbox_publish_failures_total", "Failed publish attempts", ["service"])
OUTBOX_DEAD = Counter("duban_outbox_dead_total", "Events given up after the attempt limit", ["service"])
OUTBOX_BACKLOG = Gauge("duban_outbox_backlog", "Events waiting in the outbox", ["service"],
                       multiprocess_mode="max")
OUTBOX_AGE = Gauge("duban_outbox_oldest_age_seconds", "Age of the oldest pending event", ["service"],
                   multiprocess_mode="max")
UNROUTABLE = Counter("duban_bus_unroutable_total", "Events no queue was bound to", ["routing_key"])
CONSUMED = Counter("duban_bus_consumed_total", "Events applied by consumers", ["consumer", "routing_key"])
DUPLICATES = Counter("duban_bus_duplicates_total", "Redelivered events absorbed by the inbox", ["consumer"])
REDELIVERIES = Counter("duban_bus_redeliveries_total", "Messages delivered again by the broker", ["consumer"])
DEAD_LETTERS = Counter("duban_bus_dead_letters_total", "Messages rejected to the dead-letter exchange",
                       ["consumer"])
CALENDAR_PROVISIONAL = Counter(
    "duban_calendar_provisional_total",
    "Deadlines computed for a year the holiday calendar does not know (weekends only)", ["year"])
TICKETS_BY_STATUS = Gauge("duban_hotline_tickets", "Tickets by status", ["status"],
                          multiprocess_mode="livemax")
KNOWLEDGE_ARTICLES = Gauge("duban_hotline_knowledge_articles",
                           "Knowledge-base article versions by freshness (current, due_soon, overdue, drafts)",
                           ["freshness"], multiprocess_mode="livemax")
KNOWLEDGE_CORRECTIONS_OPEN = Gauge("duban_hotline_knowledge_corrections_open",
                                   "Correction tasks for wrong knowledge-base answers not yet completed",
                                   multiprocess_mode="livemax")


def serve_metrics(port: int, addr: str = "0.0.0.0") -> None:
    """A /metrics endpoint for processes without a web app (event workers, the sweeper).

    They keep their own registry even when PROMETHEUS_MULTIPROC_DIR is set for the web workers.
    """
    start_http_server(port, addr=addr)


def metrics_response() -> tuple[bytes, int, dict[str, str]]:
    """The /metrics body: this process's registry, or all gunicorn workers' in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST}
