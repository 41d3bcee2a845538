"""Snapshots: every notice and review republished through the outbox (``duban events replay-snapshots
rectification``), so the case index can be rebuilt from its owner without calling it."""

from __future__ import annotations

from services.rectification import review_store, store
from services.rectification.handlers import Rectification
from shared.snapshots import Progress, republish_by_id


def publish_snapshots(r: Rectification, *, progress: Progress = None, batch: int = 500) -> int:
    """Every notice, then every review; returns how many were published."""
    return sum(republish_by_id(r.db, repository, batch=batch, progress=progress)
               for repository in (store.NoticeRepository, review_store.ReviewRepository))
