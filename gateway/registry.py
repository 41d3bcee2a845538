"""Every part of the suite, named once: its package, tables and event subscriptions.

The CLI, the embedded composition and the distributed topology all read this list.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class Part:
    name: str
    package: str          # has create_app(settings, …) and migrate(settings)
    store: str            # module with ``metadata``
    consumers: str | None  # module with ``SUBSCRIPTIONS``, if the part consumes events
    gauges: str | None = None  # module with ``refresh_gauges(db)``: business gauges, refreshed periodically

    def module(self) -> Any:
        return importlib.import_module(self.package)

    def metadata(self) -> sa.MetaData:
        return importlib.import_module(self.store).metadata  # type: ignore[no-any-return]

    def gauge_refresher(self) -> Any:
        """``refresh_gauges(db)`` of this part, or None."""
        return importlib.import_module(self.gauges).refresh_gauges if self.gauges else None

    def subscriptions(self) -> list[Any]:
        if self.consumers is None:
            return []
        return list(importlib.import_module(self.consumers).SUBSCRIPTIONS)


PARTS: dict[str, Part] = {
    part.name: part for part in (
        Part("gateway", "gateway", "gateway.store", None),
        Part("hotline", "services.hotline", "services.hotline.store", "services.hotline.consumers",
             gauges="services.hotline.metrics"),
        Part("monitoring", "services.monitoring", "services.monitoring.store", "services.monitoring.consumers"),
    )
}


def queue_bindings() -> dict[str, list[str]]:
    """Each consuming part's queue and the routing-key patterns it handles (from consumers.py)."""
    return {name: [s.pattern for s in part.subscriptions()] for name, part in PARTS.items()
            if part.subscriptions()}


def metadata_by_part() -> dict[str, sa.MetaData]:
    return {name: part.metadata() for name, part in PARTS.items()}
