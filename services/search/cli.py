"""``duban search …``: rebuild the case index from the stored case documents without stopping search."""

from __future__ import annotations

import sys
from typing import Any

import click

from shared.settings import Settings


@click.group(name="search")
def search() -> None:
    """案件检索：重建索引 / case search: rebuild the index."""


@search.command("reindex")
@click.option("--backend", type=click.Choice(["fts", "elasticsearch"]), default=None,
              help="the engine to rebuild (default: the one DUBAN_SEARCH_BACKEND names)")
@click.pass_obj
def reindex_command(obj: Any, backend: str | None) -> None:
    """重建检索索引 / rebuild the index into a new one and switch to it; search goes on meanwhile.

    To rebuild the case documents themselves from the owning services, run
    ``duban events replay-snapshots <service>`` first; the worker folds the snapshots in.
    """
    from services.search import default_backend, open_backend, open_context
    from services.search.handlers import documents_total, reindex
    from shared.bootstrap import Environment

    settings = obj if isinstance(obj, Settings) else Settings.from_env()
    context = open_context(Environment(settings))
    target = open_backend(backend or default_backend(settings), context.db, settings)
    try:
        with click.progressbar(length=documents_total(context), label=f"reindexing ({target.name})",
                               file=sys.stderr) as bar:
            name, total = reindex(context, backend=target, progress=bar.update)
    finally:
        context.db.dispose()
    click.echo(f"{total} cases indexed into {name}")
