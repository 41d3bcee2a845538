"""``duban spotcheck …``: import the two directories, and verify a published draw."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from shared.settings import Settings


@click.group(name="spotcheck")
def spotcheck() -> None:
    """双随机、一公开：名录导入与抽取复核 / spot checks: directory imports and draw verification."""


@spotcheck.command("import")
@click.argument("kind", type=click.Choice(["targets", "inspectors"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="import the good rows even if some are bad (they are listed)")
@click.pass_obj
def import_command(obj: Any, kind: str, file: Path, skip_bad: bool) -> None:
    """导入检查对象或执法人员名录（CSV 或 XLSX） / import targets or inspectors from CSV or XLSX.

    targets: uscc,name,region,industry,risk_class,abnormal,complaints[,active];
    inspectors: name,department,certificate_no,region,qualifications,conflicts,previous_targets
    (lists separated by ';'). A file with a bad row imports nothing unless --skip-bad.
    """
    from services.spotcheck import imports, open_context
    from shared.bootstrap import Environment
    from shared.errors import DomainError
    from shared.tabular import read_rows, refuse_bad_rows

    parsed = imports.parse(read_rows(file), kind)
    refuse_bad_rows(file, parsed.bad, skip_bad=skip_bad)
    settings = obj if isinstance(obj, Settings) else Settings.from_env()
    context = open_context(Environment(settings))
    store = imports.store_targets if kind == "targets" else imports.store_inspectors
    try:
        with click.progressbar(length=len(parsed.entries), label=f"importing {kind}", file=sys.stderr) as bar:
            stored = store(context.db, parsed.entries, actor="cli:import", progress=bar.update)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        context.db.dispose()
    click.echo(f"{kind}: {stored} imported, {len(parsed.bad)} bad rows skipped")


@spotcheck.command("verify")
@click.argument("record", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("population", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(record: Path, population: Path) -> None:
    """复核一次公开的抽取 / check a published draw: MATCH, or the first difference (exit 1)."""
    from services.spotcheck import verify_draw

    difference = verify_draw.verify(json.loads(record.read_text(encoding="utf-8")),
                                    json.loads(population.read_text(encoding="utf-8")))
    if difference is not None:
        click.echo(f"DIFFERENT: {difference}")
        raise SystemExit(1)
    click.echo("MATCH")
