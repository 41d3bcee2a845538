"""``duban open311 keys create|list|revoke``: the API keys of Open311 clients (docs/open311.md)."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from shared.settings import Settings

T = TypeVar("T")


@click.group(name="open311")
def open311() -> None:
    """Open311 GeoReport v2 接口 / the Open311 GeoReport v2 endpoint of the hotline."""


@open311.group("keys")
def keys() -> None:
    """API 密钥：签发、列出、吊销 / API keys: issue, list, revoke."""


@contextmanager
def _hotline_db(obj: Any) -> Iterator[Any]:
    from services.hotline import open_context
    from shared.bootstrap import Environment

    settings = obj if isinstance(obj, Settings) else Settings.from_env()
    context = open_context(Environment(settings))
    try:
        yield context.db
    finally:
        context.db.dispose()


def _run(obj: Any, work: Callable[[Any], T]) -> T:
    from shared.errors import DomainError

    with _hotline_db(obj) as db:
        try:
            return work(db)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@keys.command("create")
@click.argument("name")
@click.pass_obj
def create(obj: Any, name: str) -> None:
    """Issue a key to client NAME; the key is printed once, on the last line."""
    from services.hotline.open311_keys import create_key

    record, key = _run(obj, lambda db: create_key(db, name=name, actor=_actor()))
    click.echo(f"issued Open311 key {record.name} ({record.hint}…); it is shown only now:")
    click.echo(key)


@keys.command("list")
@click.pass_obj
def list_command(obj: Any) -> None:
    """Every key: name, hint, created, revoked (never the key)."""
    from services.hotline.open311_keys import list_keys

    for key in _run(obj, list_keys):
        revoked = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
        click.echo(f"{key.name}\t{key.hint}…\tcreated {key.created_at.isoformat()} by {key.created_by}\t{revoked}")


@keys.command("revoke")
@click.argument("name")
@click.pass_obj
def revoke(obj: Any, name: str) -> None:
    """Revoke client NAME's key; its requests are refused from now on."""
    from services.hotline.open311_keys import revoke_key

    key = _run(obj, lambda db: revoke_key(db, name=name, actor=_actor()))
    click.echo(f"{key.name}: revoked")
