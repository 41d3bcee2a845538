"""Business gauges of the hotline (DESIGN §9), refreshed periodically rather than on every scrape."""

from __future__ import annotations

import sqlalchemy as sa

from services.hotline import knowledge_reports, store
from services.hotline.handlers import Hotline
from services.hotline.model import OPEN_STATUS_VALUES
from shared.metrics import TICKETS_BY_STATUS


def refresh_gauges(hotline: Hotline) -> None:
    """Open tickets by status: counts over the open statuses only (index on status, created_at),
    so the cost follows the open workload, not the years of closed tickets; and the knowledge base's
    articles by freshness and open corrections."""
    t = store.tickets
    with hotline.db.read() as conn:
        query = sa.select(t.c.status, sa.func.count()).where(t.c.status.in_(OPEN_STATUS_VALUES)).group_by(t.c.status)
        counts: dict[str, int] = {status: int(n) for status, n in conn.execute(query)}
    for status in OPEN_STATUS_VALUES:
        TICKETS_BY_STATUS.labels(status).set(counts.get(status, 0))
    knowledge_reports.refresh_gauges(hotline)
