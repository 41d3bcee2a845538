"""Domain errors and the one error envelope ``{code, status, message, errors}``.

Domain code raises these; ``register_error_handlers`` maps them to HTTP in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of every expected failure; ``http_status`` says how the API reports it."""

    http_status = HTTPStatus.CONFLICT

    def __init__(self, message: str, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


class InvalidInput(DomainError):
    http_status = HTTPStatus.UNPROCESSABLE_ENTITY


class NotFound(DomainError):
    http_status = HTTPStatus.NOT_FOUND


class Unauthorized(DomainError):
    http_status = HTTPStatus.UNAUTHORIZED


class Forbidden(DomainError):
    http_status = HTTPStatus.FORBIDDEN


class Conflict(DomainError):
    """The request is valid but the state does not allow it (e.g. signing a closed ticket)."""

    http_status = HTTPStatus.CONFLICT


class InvalidTransition(Conflict):
    pass


class ConcurrentUpdate(Conflict):
    """Someone else changed the record between our read and our write; the client may retry."""


class RateLimited(DomainError):
    http_status = HTTPStatus.TOO_MANY_REQUESTS

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def envelope(status: int, message: str, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The one error body every service returns."""
    return {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "message": message,
        "errors": dict(errors or {}),
    }


def http_exception_body(error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Envelope for werkzeug/webargs HTTP errors (webargs puts validation messages in ``data``)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    # webargs nests messages by location ("json", "query"); flatten one level for clients.
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "headers", "files", "view_args"}:
        flat: dict[str, Any] = {}
        for by_location in errors.values():
            if isinstance(by_location, dict):
                flat.update(by_location)
        errors = flat or errors
    message = data.get("message") or error.description or HTTPStatus(status).phrase
    if status == 422 and errors and not data.get("message"):
        message = "请求参数有误 / invalid input: " + ", ".join(sorted(str(k) for k in errors))
    headers = dict(data.get("headers") or {})
    return envelope(status, message, errors), status, headers


def register_error_handlers(app: Any) -> None:
    """Map domain errors, HTTP errors and crashes to the envelope (JSON, never HTML)."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        headers = {}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after)
        return envelope(int(error.http_status), error.message, error.errors), int(error.http_status), headers

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return http_exception_body(error)

    @app.errorhandler(Exception)
    def _crash(error: Exception):
        log.exception("unhandled error")
        return envelope(500, "内部错误 / internal error"), 500
