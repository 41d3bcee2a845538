"""Snapshots: every card and reminder republished through the outbox (``duban events replay-snapshots
monitoring``), so the case index can be rebuilt from monitoring without calling it."""

from __future__ import annotations

from services.monitoring import store
from services.monitoring.handlers import Monitoring
from shared.snapshots import Progress, republish_by_id


def publish_snapshots(monitoring: Monitoring, *, progress: Progress = None, batch: int = 500) -> int:
    """Every card, then every reminder; returns how many were published."""
    return sum(republish_by_id(monitoring.db, repository, batch=batch, progress=progress)
               for repository in (store.CardRepository, store.WarningRepository))
