"""``duban hotline knowledge import|export``: move a knowledge base (知识库) in or out as CSV or XLSX."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from shared.settings import Settings

if TYPE_CHECKING:
    from services.hotline.handlers import Hotline


@click.group(name="hotline")
def hotline() -> None:
    """12345 热线 / the hotline."""


@hotline.group(name="knowledge")
def knowledge_group() -> None:
    """知识库导入导出 / knowledge base import and export."""


@contextmanager
def _context(obj: Any) -> Iterator[Hotline]:
    from services.hotline import open_context
    from shared.bootstrap import Environment

    settings = obj if isinstance(obj, Settings) else Settings.from_env()
    context = open_context(Environment(settings))
    try:
        yield context
    finally:
        context.db.dispose()


@knowledge_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="publish every imported article at once (as the hotline office)")
@click.option("--skip-bad", is_flag=True, help="import the good rows even if some are bad (they are listed)")
@click.pass_obj
def import_command(obj: Any, file: Path, publish: bool, skip_bad: bool) -> None:
    """导入知识条目（CSV 或 XLSX） / import articles from CSV or XLSX.

    Columns: department, question, answer, review_by (YYYY-MM-DD) required; id, category, legal_basis,
    document_number, effective_from, keywords (separated by ';'), public (是/否) optional. A row with the
    id of an existing article updates it (a new draft version). A file with a bad row imports nothing
    unless --skip-bad.
    """
    from services.hotline import knowledge_io
    from shared.errors import DomainError
    from shared.tabular import refuse_bad_rows

    with _context(obj) as context:
        parsed = knowledge_io.read(context, file)
        refuse_bad_rows(file, parsed.bad, skip_bad=skip_bad)
        try:
            with click.progressbar(length=len(parsed.rows), label="importing articles", file=sys.stderr) as bar:
                done = knowledge_io.store_rows(context, parsed.rows, publish=publish, progress=bar.update)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
    click.echo(f"articles: {done['created']} created, {done['updated']} updated, {done['unchanged']} unchanged, "
               f"{done['published']} published, {len(parsed.bad)} bad rows skipped")


@knowledge_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--status", type=click.Choice(["published", "draft", "retired", "all"]), default="published",
              show_default=True, help="which versions to export")
@click.pass_obj
def export_command(obj: Any, file: Path, status: str) -> None:
    """导出知识条目（CSV 或 XLSX，按文件后缀） / export articles to CSV or XLSX (by the file's suffix)."""
    from services.hotline import knowledge_io

    with _context(obj) as context:
        rows = knowledge_io.export_rows(context, status=None if status == "all" else status)
    with click.progressbar(rows, label="exporting articles", file=sys.stderr) as bar:
        written = knowledge_io.export(file, bar)
    click.echo(f"articles: {written} rows written to {file}")
