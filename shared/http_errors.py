"""The one error envelope ``{code, status, message, errors}`` and the mapping of domain errors to HTTP.

Domain code raises ``shared.errors``; this module, part of the web layer, decides the status codes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import HTTPException

from shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthorized,
)

log = logging.getLogger(__name__)

STATUS_OF: dict[type[DomainError], HTTPStatus] = {
    InvalidInput: HTTPStatus.UNPROCESSABLE_ENTITY,
    NotFound: HTTPStatus.NOT_FOUND,
    Unauthorized: HTTPStatus.UNAUTHORIZED,
    Forbidden: HTTPStatus.FORBIDDEN,
    Conflict: HTTPStatus.CONFLICT,  # also InvalidTransition, ConcurrentUpdate
    RateLimited: HTTPStatus.TOO_MANY_REQUESTS,
}


def status_of(error: DomainError) -> int:
    """The HTTP status the API answers ``error`` with: its nearest mapped class (409 if none is)."""
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return int(STATUS_OF[cls])
    return int(HTTPStatus.CONFLICT)


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
        status = status_of(error)
        return envelope(status, error.message, error.errors), status, headers

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return http_exception_body(error)

    @app.errorhandler(Exception)
    def _crash(error: Exception):
        log.exception("unhandled error")
        return envelope(500, "内部错误 / internal error"), 500
