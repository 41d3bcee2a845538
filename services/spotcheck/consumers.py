"""Events the spot-check service consumes: the directory, the holiday years and the rules it replicates."""

from __future__ import annotations

from shared.bus.consumer import RouteHandler
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department
from shared.rules_store import PUBLISHED, apply_rules_published

ROUTES: dict[str, RouteHandler] = {
    # The replica of the department directory: plan departments must be known, active departments.
    "gateway.department.upserted": upsert_department,
    # The replicas of the published rules (sampling ratios) and of the entered holiday years.
    PUBLISHED: apply_rules_published,
    YEAR_SET: apply_year_set,
}
