"""Snapshots: every notice and review republished through the outbox (``duban events replay-snapshots
rectification``), so the case index can be rebuilt from its owner without calling it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.rectification import review_store, store
from services.rectification.handlers import Rectification


def publish_snapshots(r: Rectification, *, progress: Callable[[int], object] | None = None,
                      batch: int = 500) -> int:
    """Every notice, then every review, a batch per transaction; returns how many were published."""
    published = 0
    repositories: tuple[type[Any], ...] = (store.NoticeRepository, review_store.ReviewRepository)
    for repository in repositories:
        after = ""
        while True:
            with r.db.unit_of_work(actor="system:snapshots") as uow:
                items = uow.repository(repository).batch_after(after, batch)
                for item in items:
                    item.snapshot(uow.now)
                uow.commit()
            if not items:
                break
            after, published = items[-1].id, published + len(items)
            if progress is not None:
                progress(len(items))
    return published
