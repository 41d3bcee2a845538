"""``workdays``: ask the working-day calendar from the command line (工作日查询).

Attached to the ``duban`` console script; reads the same settings as the services, so it answers
with the override file they use. ``shared`` cannot open the gateway's database, so whoever attaches
the group supplies the entered holiday years as ``ctx.obj["calendar_years"]``: a callable returning an
``EnteredYears`` (without it, only the package and the override file count).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import click

from shared.calendar import WorkCalendar
from shared.settings import Settings

_WEEKDAYS = "一二三四五六日"


def _parse_date(ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", ctx, param) from None


def _calendar() -> WorkCalendar:
    # Built per invocation, never at import, so the environment of the run is what counts.
    obj = click.get_current_context().find_object(dict)
    entered_years = obj.get("calendar_years") if obj else None
    try:
        return WorkCalendar.from_settings(Settings.from_env(), entered=entered_years() if entered_years else None)
    except (ValueError, OSError) as exc:
        raise click.ClickException(f"cannot load the working-day calendar: {exc}") from exc


@contextmanager
def _one_summary_instead_of_yearly_warnings() -> Iterator[None]:
    """The calendar warns once per unknown year (right for a service's log); a command prints one line."""
    calendar_log = logging.getLogger("shared.calendar")
    quiet = logging.Filter("no record passes")  # a filter whose name no record of this logger has
    calendar_log.addFilter(quiet)
    try:
        yield
    finally:
        calendar_log.removeFilter(quiet)


def _years(years: list[int]) -> str:
    """``2027`` or ``2027–2410 (384 years)`` for a run; a short list otherwise."""
    if len(years) == 1:
        return f"year {years[0]}"
    if years == list(range(years[0], years[-1] + 1)):
        return f"years {years[0]}–{years[-1]} ({len(years)} years)"
    shown = ", ".join(map(str, years[:5]))
    return f"years {shown}{', …' if len(years) > 5 else ''} ({len(years)} years)"


@click.group()
def workdays() -> None:
    """Working-day calendar (工作日历): holidays and make-up working days (调休)."""


# Lets "-1" reach the range check (a clear message) instead of being taken for an unknown option.
@workdays.command("add", context_settings={"ignore_unknown_options": True})
@click.argument("day", metavar="DATE", callback=_parse_date)
@click.argument("n", type=click.IntRange(min=0))
def add(day: date, n: int) -> None:
    """Print the date N working days after DATE (DATE itself never counts)."""
    calendar = _calendar()
    try:
        with _one_summary_instead_of_yearly_warnings():
            result, provisional = calendar.add_workdays(day, n)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.isoformat())
    if provisional:
        first = day + timedelta(days=1)
        unknown = [y for y in range(first.year, result.year + 1) if not calendar.is_known_year(y)]
        click.echo(f"(provisional: {_years(unknown)} not in the holiday calendar)", err=True)


@workdays.command("check")
@click.argument("day", metavar="DATE", callback=_parse_date)
def check(day: date) -> None:
    """Say whether DATE is a working day (工作日) or a rest day (休息日)."""
    calendar = _calendar()
    kind = "工作日" if calendar.is_workday(day) else "休息日"
    click.echo(f"{day.isoformat()} 星期{_WEEKDAYS[day.weekday()]}: {kind}")
    if calendar.is_known_year(day.year):
        click.echo(f"year {day.year}: in the holiday calendar")
    else:
        click.echo(f"year {day.year}: not in the holiday calendar (weekends only, provisional)")
