"""Snapshots: every published plan with its draw, and every result, republished through the outbox (``duban
events replay-snapshots spotcheck``), so the case index can be rebuilt from spot checks without calling them."""

from __future__ import annotations

from collections.abc import Callable

from services.spotcheck import store
from services.spotcheck.handlers import Spotcheck

PLAN_BATCH = 20   # a plan carries its frozen population: keep a batch's memory small


def publish_snapshots(spotcheck: Spotcheck, *, progress: Callable[[int], object] | None = None,
                      batch: int = 500) -> int:
    """Plans (and their draws), then results, a batch per transaction; returns how many records were read."""
    published, after = 0, ""
    while True:
        with spotcheck.db.unit_of_work(actor="system:snapshots") as uow:
            plans = uow.repository(store.PlanRepository).batch_after(after, PLAN_BATCH)
            for plan in plans:
                plan.republish()
            uow.commit()
        if not plans:
            break
        after, published = plans[-1].id, published + len(plans)
        if progress is not None:
            progress(len(plans))
    offset = 0
    while True:
        with spotcheck.db.unit_of_work(actor="system:snapshots") as uow:
            results = uow.repository(store.ResultRepository).batch(offset, batch)
            for result in results:
                result.republish()
            uow.commit()
        if not results:
            return published
        offset, published = offset + len(results), published + len(results)
        if progress is not None:
            progress(len(results))
