"""Snapshots (``duban events replay-snapshots <part>``): a part republishes its cases through its outbox, a
batch per transaction, so a consumer (the case index) can rebuild its copy without calling the part."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from shared.db import Database

Progress = Callable[[int], object] | None


class Republishable(Protocol):
    id: str

    def republish(self, now: datetime) -> None: ...


def republish_by_id(db: Database, repository: type[Any], *, batch: int = 500, progress: Progress = None,
                    republish: Callable[[Any, datetime], None] | None = None) -> int:
    """Every record ``repository.batch_after(after, size)`` yields, in id order, republished (by ``republish``
    when the record needs more than the time, else by its own ``republish(now)``); returns how many."""
    after, published = "", 0
    while True:
        with db.unit_of_work(actor="system:snapshots") as uow:
            items: list[Republishable] = uow.repository(repository).batch_after(after, batch)
            for item in items:
                if republish is None:
                    item.republish(uow.now)
                else:
                    republish(item, uow.now)
            uow.commit()
        if not items:
            return published
        after, published = items[-1].id, published + len(items)
        if progress is not None:
            progress(len(items))
