"""How the pages reach the services: their public HTTP APIs, with the signed-in user's token.

The gateway is the pages' backend: a view calls ``api.get``/``api.post`` and the token comes from
the server-side session. The transport is bound once when the app is built: in the embedded suite
the services' WSGI apps are called in-process (no socket, same code path as HTTP); in the distributed
mode requests go over HTTP through the edge (``DUBAN_SERVICES_URL``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from flask import current_app, g, request, session

Query = Mapping[str, Any]


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


class Transport(Protocol):
    def send(self, method: str, path: str, *, query: Query | None, body: Any, headers: dict[str, str],
             client_addr: str | None) -> Answer: ...


class InProcess:
    """Calls a WSGI app (the embedded suite's dispatcher) directly."""

    def __init__(self, wsgi: Any) -> None:
        from werkzeug.test import Client

        self.client = Client(wsgi, use_cookies=False)

    def send(self, method: str, path: str, *, query: Query | None, body: Any, headers: dict[str, str],
             client_addr: str | None) -> Answer:
        response = self.client.open(path, method=method, query_string=_query(query), json=body,
                                    headers=headers, environ_overrides={"REMOTE_ADDR": client_addr or "127.0.0.1"})
        try:
            data = response.get_data()
            return Answer(response.status_code, _decode(data, response.mimetype or ""))
        finally:
            response.close()


class OverHttp:
    """Calls the services through the edge (distributed mode)."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        import urllib3

        self.base_url = base_url.rstrip("/")
        self.pool = urllib3.PoolManager(timeout=urllib3.Timeout(total=timeout), retries=False)

    def send(self, method: str, path: str, *, query: Query | None, body: Any, headers: dict[str, str],
             client_addr: str | None) -> Answer:
        url = self.base_url + path + (f"?{_query(query)}" if query else "")
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        if client_addr:  # the edge's internal listener passes it on: the services' limits count the citizen
            headers = {**headers, "X-Forwarded-For": client_addr}
        response = self.pool.request(method, url, body=None if body is None else json.dumps(body).encode(),
                                     headers=headers)
        mimetype = (response.headers.get("Content-Type") or "").split(";")[0].strip()
        return Answer(response.status, _decode(response.data, mimetype))


def _decode(data: bytes, mimetype: str) -> Any:
    """JSON answers decoded; a page a service renders itself (a printable notice) as its text."""
    if not data:
        return None
    if mimetype == "text/html":
        return data.decode("utf-8")
    return json.loads(data)


def _query(query: Query | None) -> str:
    if not query:
        return ""
    pairs: list[tuple[str, Any]] = []
    for key, value in query.items():
        if value is None or value == "":
            continue
        pairs.extend((key, v) for v in value) if isinstance(value, list | tuple) else pairs.append((key, value))
    return urlencode(pairs)


@dataclass
class ServiceError(Exception):
    """A service answered with its error envelope ``{code, status, message, errors}``."""

    status: int
    code: str = "error"
    message: str = ""
    errors: dict[str, Any] = field(default_factory=dict)

    def field_errors(self) -> dict[str, list[str]]:
        """Messages by field name (``json`` / ``query`` locations flattened; nested fields dotted)."""
        found: dict[str, list[str]] = {}

        def walk(prefix: str, value: Any) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    name = key if prefix in ("", "json", "query") else f"{prefix}.{key}"
                    walk(name, inner)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                found.setdefault(prefix, []).extend(value)
            elif value is not None:
                found.setdefault(prefix, []).append(str(value))

        walk("", self.errors)
        return found


class SessionExpired(Exception):
    """The service refused the session's token (expired or revoked): the user must log in again."""


def _transport() -> Transport:
    transport: Transport = current_app.extensions["duban.ui.transport"]
    return transport


def call(method: str, path: str, *, query: Query | None = None, body: Any = None, anonymous: bool = False,
         idempotency_key: str | None = None) -> Any:
    """Call a service API as the signed-in user (or anonymously); the body of a 2xx, else an error."""
    headers = {"X-Request-Id": g.get("request_id") or uuid.uuid4().hex, "Accept": "application/json"}
    if not anonymous:
        user = session.get("user")
        if not user:
            raise SessionExpired()
        headers["Authorization"] = f"Bearer {user['token']}"
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    answer = _transport().send(method, path, query=query, body=body, headers=headers,
                               client_addr=request.remote_addr)
    if answer.status == 401 and not anonymous:
        raise SessionExpired()
    if answer.status >= 400:
        envelope = answer.body if isinstance(answer.body, dict) else {}
        raise ServiceError(answer.status, str(envelope.get("code", "error")), str(envelope.get("message", "")),
                           envelope.get("errors") or {})
    return answer.body


def get(path: str, **query: Any) -> Any:
    return call("GET", path, query=query)


def post(path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
    return call("POST", path, body=body if body is not None else {}, idempotency_key=idempotency_key)
