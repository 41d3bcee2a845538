"""``duban audit …``: verify a service's audit chain and read an entity's history from the shell.

``shared`` may not import the services, so this group does not know how to open their databases.
Whoever attaches it to the ``duban`` CLI supplies that as ``ctx.obj["databases"]``: a callable taking
a service name and returning its ``Database`` (with that service's metadata). ``database_registry``
builds such a callable from a mapping of service name to metadata, e.g.::

    @click.group()
    @click.pass_context
    def main(ctx):
        ctx.obj = {"databases": database_registry({"hotline": hotline_metadata, ...})}

    main.add_command(audit)

The commands dispose of the database they were given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click
import sqlalchemy as sa

from shared.audit import entity_history, verify_chain
from shared.audit_heads import AUDIT_HEADS, KEEPER, check_against_kept
from shared.db import Database, dumps
from shared.settings import Settings

DatabaseFactory = Callable[[str], Database]


def database_registry(metadata_by_service: Mapping[str, sa.MetaData],
                      settings: Settings | None = None) -> DatabaseFactory:
    """A ``ctx.obj["databases"]`` callable opening each service's database as configured."""

    def open_database(service: str) -> Database:
        if service not in metadata_by_service:
            known = ", ".join(sorted(metadata_by_service))
            raise click.BadParameter(f"unknown service {service!r} (known: {known})",
                                     param_hint="SERVICE")
        # Settings are read when a command runs, not when the CLI is imported (no I/O at import).
        active = settings or Settings.from_env()
        return Database(active.database_url_for(service), service=service,
                        metadata=metadata_by_service[service])

    return open_database


def _open(ctx: click.Context, service: str) -> Database:
    factory = (ctx.obj or {}).get("databases")
    if factory is None:
        raise click.UsageError('the audit commands need ctx.obj["databases"] (see shared.audit_cli)')
    database: Database = factory(service)
    return database


@click.group(name="audit")
def audit() -> None:
    """Audit trail (审计日志): verify the hash chain, read an entity's history."""


@audit.command("verify")
@click.argument("service")
@click.pass_context
def verify(ctx: click.Context, service: str) -> None:
    """Recompute SERVICE's audit chain and compare it with the head monitoring last kept of it;
    exit 1 if it is broken or truncated."""
    db = _open(ctx, service)
    try:
        report = verify_chain(db)
        kept = _kept_head(ctx, service)
        with db.read() as conn:
            against_kept = check_against_kept(conn, service, kept)
    finally:
        db.dispose()
    if not report.ok:
        click.echo(f"FAIL {service}: chain broken at seq {report.first_bad_seq} ({report.reason}); "
                   f"{report.checked} records intact before it", err=True)
        ctx.exit(1)
    if not against_kept.ok:
        click.echo(f"FAIL {service}: {against_kept.message}", err=True)
        ctx.exit(1)
    click.echo(f"OK {service}: {report.checked} audit records, chain intact; {against_kept.message}")


def _kept_head(ctx: click.Context, service: str) -> Any:
    """The head the keeper (monitoring) holds for ``service``, or None if it has none or is unreachable."""
    try:
        keeper = _open(ctx, KEEPER)
    except click.ClickException:
        return None
    try:
        with keeper.read() as conn:
            return conn.execute(sa.select(AUDIT_HEADS).where(AUDIT_HEADS.c.service == service)).first()
    except sa.exc.SQLAlchemyError:  # no keeper database here (yet): the chain alone is checked
        return None
    finally:
        keeper.dispose()


@audit.command("history")
@click.argument("service")
@click.argument("entity_type")
@click.argument("entity_id")
@click.pass_context
def history(ctx: click.Context, service: str, entity_type: str, entity_id: str) -> None:
    """Print every audit record of one entity of SERVICE as JSON lines, oldest first."""
    db = _open(ctx, service)
    try:
        with db.read() as conn:
            entries = entity_history(conn, entity_type, entity_id)
    finally:
        db.dispose()
    for entry in entries:
        click.echo(dumps(entry))
    if not entries:
        click.echo(f"no audit records for {entity_type} {entity_id}", err=True)
