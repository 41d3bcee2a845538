"""The ``duban`` command: run the embedded suite, migrate, seed, and the admin tools of every part."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from gateway.calendar_cli import calendar, entered_years
from gateway.cli_directory import directory
from gateway.cli_keys import keys
from gateway.local import local
from gateway.registry import PARTS, metadata_by_part, queue_bindings
from gateway.rules_cli import rules_group
from shared.audit_cli import audit, database_registry
from shared.calendar_cli import workdays
from shared.settings import Settings


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Duban (督办): supervision and complaint handling. 督办平台命令行。"""
    ctx.obj = {"databases": database_registry(metadata_by_part()), "calendar_years": entered_years}


main.add_command(workdays)
main.add_command(calendar)
main.add_command(rules_group)
main.add_command(directory)
main.add_command(audit)
main.add_command(local)
for _part in PARTS.values():  # each part's own commands, e.g. ``duban monitoring sweep``
    for _group in _part.command_groups():
        main.add_command(_group)
main.add_command(keys)


@main.command()
@click.option("--part", type=click.Choice(list(PARTS)), default=None,
              help="only this part (distributed mode: the one DATABASE_URL points at)")
def migrate(part: str | None) -> None:
    """Bring every service database to the newest schema (embedded mode: SQLite files in DUBAN_DATA).

    In the distributed mode each process has one DATABASE_URL: name the part with --part.
    """
    settings = Settings.from_env()
    names = [part] if part else list(PARTS)
    for name in names:
        PARTS[name].migrate(settings)
        click.echo(f"{name}: migrated")


@main.group("replicas")
def replicas() -> None:
    """What the services replicate from the gateway (departments, holiday years, rules)."""


@replicas.command("resync")
def replicas_resync() -> None:
    """Announce every department, entered year and rules version again (a service added later catches up)."""
    import getpass

    from gateway.calendar_cli import gateway_database
    from gateway.replicas import resync

    db = gateway_database()
    try:
        counts = resync(db=db, actor=f"cli:{getpass.getuser()}")
    finally:
        db.dispose()
    click.echo(", ".join(f"{n} {what}" for what, n in counts.items()) + " announced again")


@main.command("seed-demo")
def seed_demo() -> None:
    """Load the demo departments, users and tickets (embedded mode only; idempotent)."""
    from gateway.embedded import create_suite

    suite = create_suite(Settings.from_env(background_workers=False))
    try:
        _seed(suite)
    finally:
        suite.close()


def _seed(suite: Any) -> None:
    """Every part's demo data, in the order of ``PARTS`` (the directory first: services learn its
    departments from its events before their own demo data uses them)."""
    for name, part in PARTS.items():
        if part.demo:
            click.echo(f"{name}: loading demo data…")  # the directory hashes every demo password: slow
        result = part.seed_demo(suite.contexts[name])
        suite.runtime.run_until_idle()
        if result is not None:
            click.echo(f"{name}: {result}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="default: $PORT or 8000")
@click.option("--threads", type=int, default=8, show_default=True)
def run(host: str, port: int | None, threads: int) -> None:
    """Serve the embedded suite (gateway + all services in one process) with demo data."""
    from gunicorn.app.base import BaseApplication

    from gateway.embedded import create_suite

    settings = Settings.from_env()
    port = port or settings.port
    marker = settings.data_dir / ".demo-seeded"
    click.echo(f"Duban: migrating the databases in {settings.data_dir.resolve()}…")
    if settings.embedded and not marker.exists():
        click.echo("first start: the demo data is loaded once (about half a minute)")
        suite = create_suite(Settings.from_env(background_workers=False))
        try:
            _seed(suite)
        finally:
            suite.close()
        marker.write_text("demo data loaded; delete this file to load it again\n")
    else:
        for part in PARTS.values():
            part.migrate(settings)

    class Embedded(BaseApplication):
        def load_config(self) -> None:
            from gateway import gunicorn_conf  # the envelope for gunicorn's own refusals; a query-free access log

            # One worker: the embedded event bus lives in the process. Threads serve concurrency.
            for key, value in {"bind": f"{host}:{port}", "workers": 1, "threads": threads,
                               "worker_class": "gthread", "accesslog": "-", "timeout": 60,
                               "access_log_format": gunicorn_conf.access_log_format,
                               "limit_request_line": gunicorn_conf.limit_request_line,
                               "limit_request_fields": gunicorn_conf.limit_request_fields,
                               "limit_request_field_size": gunicorn_conf.limit_request_field_size,
                               # one per data folder, not gunicorn's one-per-user default path
                               "control_socket": str(settings.data_dir.resolve() / "gunicorn.ctl")}.items():
                self.cfg.set(key, value)

        def load(self) -> Any:  # runs in the worker, so the delivery thread lives there
            import logging

            # The databases were migrated (and that was logged) before serving: say it once, not twice.
            logging.getLogger("alembic").setLevel(logging.WARNING)
            return create_suite().wsgi

    click.echo(f"Duban embedded suite on http://{host}:{port}/  (data in {settings.data_dir.resolve()})")
    Embedded().run()


@main.group()
def events() -> None:
    """Event bus administration (outbox, dead letters)."""


@events.group()
def outbox() -> None:
    """The transactional outbox of each service."""


@outbox.command("status")
@click.option("--part", type=click.Choice(list(PARTS)), default=None, help="only this part")
@click.pass_context
def outbox_status(ctx: click.Context, part: str | None) -> None:
    """Backlog, age of the oldest pending event and dead events, per part's own database (JSON lines)."""
    from gateway.operations import outbox_databases, shown
    from shared.bus.outbox import OutboxRelay
    from shared.db import Database

    for service, url in outbox_databases(Settings.from_env(), part).items():
        db = Database(url, service=service, metadata=PARTS[service].metadata())
        try:
            status = OutboxRelay(db, transport=None).status()  # type: ignore[arg-type]
            click.echo(json.dumps({**status, "database": shown(url)}))
        finally:
            db.dispose()


@outbox.command("replay-dead")
@click.argument("part")
@click.pass_context
def outbox_replay_dead(ctx: click.Context, part: str) -> None:
    """Give a part's dead outbox events (publish gave up) a new round of attempts."""
    from shared.bus.outbox import OutboxRelay

    db = ctx.obj["databases"](part)
    try:
        click.echo(f"{part}: {OutboxRelay(db, transport=None).replay_dead()} events revived")  # type: ignore[arg-type]
    finally:
        db.dispose()


@events.group()
def dead() -> None:
    """Dead letters on RabbitMQ: messages a consumer could not apply."""


@dead.command("list")
@click.argument("service")
@click.option("--limit", default=50, show_default=True)
def dead_list(service: str, limit: int) -> None:
    """Show a service's dead letters (JSON lines); they stay where they are."""
    from gateway.operations import EMBEDDED_DEAD_LETTERS, dead_letter_service
    from shared.bus.topology import dead_letters

    settings = Settings.from_env()
    dead_letter_service(service)
    if settings.embedded:
        click.echo(EMBEDDED_DEAD_LETTERS, err=True)
        return
    for letter in dead_letters(settings.amqp_url, service, limit=limit):
        click.echo(json.dumps(letter, ensure_ascii=False))


@dead.command("replay")
@click.argument("service")
@click.option("--limit", type=int, default=None, help="at most this many")
def dead_replay(service: str, limit: int | None) -> None:
    """Send a service's dead letters back to its queue (after fixing the cause)."""
    from gateway.operations import EMBEDDED_DEAD_LETTERS, dead_letter_service
    from shared.bus.topology import replay_dead

    dead_letter_service(service)
    if Settings.from_env().embedded:
        raise click.ClickException(EMBEDDED_DEAD_LETTERS)
    click.echo(f"{service}: {replay_dead(Settings.from_env().amqp_url, service, limit=limit)} replayed")


@events.command("replay-snapshots")
@click.argument("part", type=click.Choice([name for name, p in PARTS.items() if p.snapshots]))
def events_replay_snapshots(part: str) -> None:
    """Republish a part's cases as snapshot events (its outbox relays them), so consumers such as the case
    index rebuild their copy without calling the part; then ``duban search reindex``."""
    from shared.bootstrap import Environment

    settings = Settings.from_env()
    context = PARTS[part].open_context(Environment(settings))
    try:
        with click.progressbar(label=f"{part} snapshots", length=0, file=sys.stderr) as bar:
            published = PARTS[part].publish_snapshots(context, progress=bar.update)
    finally:
        context.db.dispose()
    click.echo(f"{part}: {published} snapshots in the outbox")


@events.command("setup")
def events_setup() -> None:
    """Declare the exchanges, queues, bindings and dead-letter policies of infra/rabbitmq/definitions.json."""
    from shared.bus.topology import apply_definitions

    apply_definitions(Settings.from_env().amqp_url, queue_bindings=queue_bindings())
    click.echo("RabbitMQ topology applied")


@events.command("worker")
@click.argument("part")
@click.option("--no-relay", is_flag=True, help="consume only")
@click.option("--no-consume", is_flag=True, help="relay the outbox only")
@click.option("--metrics-port", type=int, default=None,
              help="serve this worker's Prometheus metrics (outbox backlog, redeliveries, dead letters)")
def events_worker(part: str, no_relay: bool, no_consume: bool, metrics_port: int | None) -> None:
    """Run a part's outbox relay and its consumer against RabbitMQ until stopped (distributed mode)."""
    from gateway.worker import ServiceWorker
    from shared.logs import configure_logging
    from shared.metrics import serve_metrics

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    if metrics_port:
        serve_metrics(metrics_port)
    ServiceWorker(part, settings, relay=not no_relay, consume=not no_consume).run_forever()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
