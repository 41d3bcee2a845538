"""Events the hotline consumes, and what it does with each."""

from __future__ import annotations

from shared.bus.consumer import Subscription
from shared.directory import upsert_department

SUBSCRIPTIONS = [
    # The replica of the department directory: dispatch targets must be known, active departments.
    Subscription("gateway.department.*", upsert_department),
]
