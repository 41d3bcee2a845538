"""gunicorn settings every Duban web process runs with (``gunicorn -c python:gateway.gunicorn_conf …``).

- The access log names the path, never the query string or the referrer: the public status page's
  query carries a citizen's query code (查询码), which must not end up in logs.
- Requests gunicorn refuses itself before the app sees them (request line over 8,190 bytes: 414; too
  many or too large headers: 431; a malformed request: 400) are answered with the JSON error envelope
  every other failure uses, not gunicorn's HTML page.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import gunicorn.util

# %(r)s (request line), %(q)s (query) and %(f)s (referrer) would carry the query code.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(L)ss'

# gunicorn's own ceilings, stated so that the limits are visible here rather than implicit.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


def envelope_bytes(status: int, reason: str) -> bytes:
    """A complete HTTP/1.1 response carrying the error envelope (what shared.errors.envelope builds)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = reason
    body = json.dumps({"code": status, "status": phrase, "message": f"{phrase} / 请求被拒绝", "errors": {}},
                      ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {phrase}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    return head + body


def write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """Replaces gunicorn.util.write_error: the envelope instead of an HTML page (``mesg`` may quote
    the request line, so it is not echoed)."""
    gunicorn.util.write_nonblock(sock, envelope_bytes(status_int, reason))


gunicorn.util.write_error = write_error
