"""Events the case index consumes: every event that creates or changes a case, from every service that
owns cases (model.PROJECTIONS), plus the replicas every consuming service keeps."""

from __future__ import annotations

from services.search.handlers import index_event
from services.search.model import PROJECTIONS
from shared.bus.consumer import RouteHandler
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department

ROUTES: dict[str, RouteHandler] = {
    "gateway.department.upserted": upsert_department,   # department names for the facets
    YEAR_SET: apply_year_set,
    **{event_type: index_event for event_type in PROJECTIONS},
}
