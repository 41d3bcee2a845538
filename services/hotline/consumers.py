"""Events the hotline consumes, and what it does with each: routing-key pattern → handler(context, uow, event)."""

from __future__ import annotations

from shared.bus.consumer import RouteHandler
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department
from shared.rules_store import PUBLISHED, apply_rules_published

ROUTES: dict[str, RouteHandler] = {
    # The replica of the department directory: dispatch targets must be known, active departments.
    "gateway.department.*": upsert_department,
    # The replica of the published rules: new tickets' time limits come from the newest version.
    PUBLISHED: apply_rules_published,
    # The replica of the entered holiday years: deadlines are computed with them.
    YEAR_SET: apply_year_set,
}
