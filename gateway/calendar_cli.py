"""``duban calendar …``: enter a year's holiday schedule (节假日安排) from the shell, and read it back.

The year file has one line per day, ``YYYY-MM-DD holiday|workday 名称``; see docs/calendar.md and the
example in docs/examples/. The change is stored in the gateway database, audited and announced to every
service, exactly as the admin API does.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from gateway import calendar_years, open_database
from gateway.registry import PARTS
from shared.calendar_schedule import ScheduleError, format_year_file, parse_year_file
from shared.calendar_store import DatabaseYears
from shared.db import Database
from shared.errors import DomainError
from shared.settings import Settings


def _settings() -> Settings:
    found = click.get_current_context().find_object(Settings)
    return found if found is not None else Settings.from_env()


def gateway_database() -> Database:
    settings = _settings()
    if settings.embedded:  # the SQLite file may be new; a distributed release step migrates instead
        PARTS["gateway"].migrate(settings)
    return open_database(settings)


def entered_years() -> DatabaseYears:
    """The entered years as ``duban workdays`` reads them: the gateway's table (embedded mode), or the
    replica in whichever service database DATABASE_URL names (distributed mode; same table)."""
    return DatabaseYears(gateway_database())


@click.group("calendar")
def calendar() -> None:
    """工作日历：年度节假日安排 / the holiday schedule of each year."""


@calendar.command("set-year")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def set_year(file: Path) -> None:
    """录入一年的节假日安排 / enter (or replace) a year from FILE: lines of 'YYYY-MM-DD holiday|workday 名称'."""
    try:
        schedule = parse_year_file(file.read_text(encoding="utf-8"))
    except (ScheduleError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file}: {exc}; nothing was entered") from exc
    db = gateway_database()
    try:
        entered, changed = calendar_years.set_year(db=db, actor=f"cli:{getpass.getuser()}", schedule=schedule)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        db.dispose()
    if not changed:
        click.echo(f"{entered.year}: 与已录入的第{entered.version}版相同，未改动 / "
                   f"unchanged (version {entered.version})")
        return
    click.echo(f"{entered.year}: 已录入第{entered.version}版 / entered as version {entered.version}: "
               f"{entered.holidays} 天放假 holidays, {entered.workdays} 天调休上班 make-up working days")


@calendar.command("show")
@click.argument("year", type=click.IntRange(min=1900, max=9998))
def show(year: int) -> None:
    """打印某年已录入的安排（可再次录入的格式） / print an entered year as a year file."""
    db = gateway_database()
    try:
        entered = calendar_years.get_year(db=db, year=year)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        db.dispose()
    click.echo(format_year_file(entered.schedule), nl=False)


@calendar.command("years")
def years() -> None:
    """列出已录入的年份 / list the entered years."""
    db = gateway_database()
    try:
        found = calendar_years.list_years(db=db)
    finally:
        db.dispose()
    for entered in found:
        click.echo(f"{entered.year} v{entered.version} {entered.updated_at.isoformat()} {entered.updated_by} "
                   f"holidays={entered.holidays} workdays={entered.workdays}")
