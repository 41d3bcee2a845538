"""Snapshots: every published plan with its draw, and every result, republished through the outbox (``duban
events replay-snapshots spotcheck``), so the case index can be rebuilt from spot checks without calling them."""

from __future__ import annotations

from services.spotcheck import store
from services.spotcheck.handlers import Spotcheck
from shared.snapshots import Progress, republish_by_id

PLAN_BATCH = 20   # a plan carries its frozen population: keep a batch's memory small


def publish_snapshots(spotcheck: Spotcheck, *, progress: Progress = None, batch: int = 500) -> int:
    """Plans (and their draws), then results; returns how many records were republished."""
    plans = republish_by_id(spotcheck.db, store.PlanRepository, batch=PLAN_BATCH, progress=progress)
    return plans + republish_by_id(spotcheck.db, store.ResultRepository, batch=batch, progress=progress)
