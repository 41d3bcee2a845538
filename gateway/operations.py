"""What the admin commands need to know about where each part keeps its state.

In embedded mode every part's database is a file in the data folder and events never reach a broker;
in distributed mode each part has its own database (``DATABASE_URL`` names one part's, so commands
that loop over parts need ``DUBAN_DATABASE_URLS``) and its dead letters on RabbitMQ.
"""

from __future__ import annotations

import click
import sqlalchemy as sa

from gateway.registry import PARTS, queue_bindings
from shared.settings import Settings

EMBEDDED_DEAD_LETTERS = (
    "embedded mode: events travel in-process, not through RabbitMQ, so there are no dead-letter queues. "
    "An event a consumer cannot apply stays in its producer's outbox, retried with backoff and finally "
    "marked dead there: see `duban events outbox status` (column dead) and "
    "`duban events outbox replay-dead <part>`.")


def outbox_databases(settings: Settings, part: str | None) -> dict[str, str]:
    """Part → the URL of that part's own database, for the parts an outbox command reads."""
    parts = [part] if part else list(PARTS)
    if settings.embedded:
        return {name: settings.database_url_for(name) for name in parts}
    missing = [name for name in parts if name not in settings.database_urls]
    if not missing:
        return {name: settings.database_urls[name] for name in parts}
    if part and settings.database_url:
        return {part: settings.database_url}  # the operator says whose DATABASE_URL it is
    if settings.database_url and len(parts) > 1:
        raise click.UsageError(
            "DATABASE_URL is one part's database; name the part with --part, or set "
            "DUBAN_DATABASE_URLS=part=url,… to read every part's own database "
            "(`eval \"$(duban local env)\"` does for the local topology)")
    raise click.UsageError(f"no database for {', '.join(missing)}: set DUBAN_DATABASE_URLS=part=url,…")


def shown(url: str) -> str:
    """A database URL without its password, to say which database a line was read from."""
    return sa.make_url(url).render_as_string(hide_password=True)


def dead_letter_service(service: str) -> str:
    """A part that consumes events (and so has a dead-letter queue), else a usage error."""
    consuming = sorted(queue_bindings())
    if service not in consuming:
        raise click.BadParameter(f"{service!r} has no dead-letter queue (parts that consume events: "
                                 f"{', '.join(consuming)})", param_hint="SERVICE")
    return service
