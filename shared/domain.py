"""Pieces every service's pure domain core uses: who acts, and the check on free-text reasons.

No I/O and no web framework here, so the domain models stay importable and testable on their own.
"""

from __future__ import annotations

from typing import Protocol

from shared.errors import InvalidInput

# The 12345 hotline office (热线办) as a pseudo-department: it owns the callback (回访) deadlines.
HOTLINE_OFFICE = "12345"


class Actor(Protocol):
    """Whoever acts (satisfied by shared.auth.Principal)."""

    @property
    def username(self) -> str: ...

    @property
    def departments(self) -> frozenset[str]: ...


def require_text(value: str, field_name: str, *, minimum: int) -> None:
    """Refuse (422) a reason, note or reply shorter than ``minimum`` characters once trimmed."""
    if len((value or "").strip()) < minimum:
        raise InvalidInput(f"{field_name} 至少 {minimum} 个字 / {field_name} needs at least {minimum} characters",
                           {field_name: [f"at least {minimum} characters"]})
