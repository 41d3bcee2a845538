"""Domain errors: what every expected failure is called. Pure Python, importable by any domain model.

How the API reports each one (the HTTP status in the one error envelope) is the web layer's business:
``shared.http_errors`` maps them in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base of every expected failure: a message for people and per-field errors for clients."""


    def __init__(self, message: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


class InvalidInput(DomainError):
    """The request is malformed or breaks a rule of the domain."""


class NotFound(DomainError):
    """No such record, or one the caller may not see."""


class Unauthorized(DomainError):
    """No valid credentials."""


class Forbidden(DomainError):
    """Valid credentials, but this caller may not do this."""


class Conflict(DomainError):
    """The request is valid but the state does not allow it (e.g. signing a closed ticket)."""



class InvalidTransition(Conflict):
    pass


class ConcurrentUpdate(Conflict):
    """Someone else changed the record between our read and our write; the client may retry."""


class RateLimited(DomainError):
    """Too many attempts; ``retry_after`` seconds until the next is allowed."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
