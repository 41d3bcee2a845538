"""Snapshots: every card and reminder republished through the outbox (``duban events replay-snapshots
monitoring``), so the case index can be rebuilt from monitoring without calling it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.monitoring import store
from services.monitoring.handlers import Monitoring


def publish_snapshots(monitoring: Monitoring, *, progress: Callable[[int], object] | None = None,
                      batch: int = 500) -> int:
    """Every card, then every reminder, a batch per transaction; returns how many were published."""
    published = 0
    repositories: tuple[type[Any], ...] = (store.CardRepository, store.WarningRepository)
    for repository in repositories:
        after = ""
        while True:
            with monitoring.db.unit_of_work(actor="system:snapshots") as uow:
                items = uow.repository(repository).batch_after(after, batch)
                for item in items:
                    item.republish()
                uow.commit()
            if not items:
                break
            after, published = items[-1].id, published + len(items)
            if progress is not None:
                progress(len(items))
    return published
