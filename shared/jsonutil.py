"""Canonical JSON for events, audit hashes and stored bodies. Pure: standard library only."""

from __future__ import annotations

import json
from datetime import date
from typing import Any


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, dates and datetimes as ISO-8601 (hash chains rely on it)."""
    return _CANONICAL.encode(value)


def json_default(value: Any) -> Any:
    """What JSON encoders here call for values json cannot encode itself."""
    if isinstance(value, date):  # datetimes too (a subclass)
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "value"):  # enums
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")



# One encoder for the process: json.dumps() with options builds a new encoder on every call, a quarter of
# the cost of encoding an event.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=json_default)
