"""``duban rules …``: publish the rules (time limits, card thresholds …) from a JSON file, and read them.

The file is the rules document (docs/rules.md): a section per policy, only what differs from the
defaults. Publishing stores the next version in the gateway database, audits it and announces it to
every service, exactly as the admin API does.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from gateway import rules_versions as rules
from gateway.calendar_cli import gateway_database
from shared.errors import DomainError, InvalidInput


@click.group("rules")
def rules_group() -> None:
    """规则配置：办理时限、黄红牌阈值 / the rules in force and their versions."""


@rules_group.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="依据或说明 / the basis, e.g. a notice's number")
def publish(file: Path, note: str) -> None:
    """发布新版本规则 / publish FILE (a JSON rules document) as the next version."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file}: not a JSON document ({exc}); nothing was published") from exc
    db = gateway_database()
    try:
        version, changed = rules.publish_version(db=db, actor=f"cli:{getpass.getuser()}", document=document, note=note)
    except InvalidInput as exc:
        faults = "; ".join(f"{path}: {', '.join(map(str, why))}" for path, why in sorted(exc.errors.items()))
        raise click.ClickException(f"{file}: {faults}; nothing was published") from exc
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        db.dispose()
    if not changed:
        click.echo(f"与第{version.version}版相同，未发布 / unchanged (version {version.version})")
        return
    click.echo(f"已发布第{version.version}版 / published as version {version.version}")


@rules_group.command("show")
@click.option("--version", "number", type=click.IntRange(min=0), default=None, help="default: the newest")
@click.option("--effective", is_flag=True, help="every rule in force, defaults included")
def show(number: int | None, effective: bool) -> None:
    """打印规则（JSON） / print the rules of a version as JSON."""
    db = gateway_database()
    try:
        version = rules.current(db=db) if number is None else rules.get_version(db=db, version=number)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        db.dispose()
    click.echo(json.dumps(version.effective() if effective else version.document, ensure_ascii=False, indent=2))
