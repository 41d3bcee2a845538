"""Every service that consumes events keeps the replica of the entered holiday years, so its deadlines
use the schedule an admin entered (docs/calendar.md); a new service that forgets it fails here."""

from __future__ import annotations

from gateway.registry import PARTS
from shared.calendar_store import TABLE, YEAR_SET, apply_year_set


def test_every_consuming_service_replicates_the_entered_holiday_years() -> None:
    consuming = {name: part for name, part in PARTS.items() if part.routes}
    assert consuming, "no consuming part found"
    for name, part in consuming.items():
        assert part.routes_table().get(YEAR_SET) is apply_year_set, f"{name}: route {YEAR_SET} in consumers.py"
        assert TABLE in part.metadata().tables, f"{name}: add_calendar_years(metadata) in its store"


def test_the_gateway_owns_the_entered_years_table() -> None:
    assert TABLE in PARTS["gateway"].metadata().tables
