"""The gateway's reverse proxy for the distributed mode: ``/api/<service>/…`` goes to that service.

Small on purpose: one keep-alive connection per upstream per thread, hop-by-hop headers dropped,
the client address passed on in X-Forwarded-For, and a 502/504 envelope when an upstream fails.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import urllib.parse
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from shared.http_errors import envelope

log = logging.getLogger(__name__)

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host", "content-length"}


def parse_upstreams(text: str) -> dict[str, str]:
    """``hotline=http://127.0.0.1:8101,monitoring=http://…`` → {name: base URL}."""
    upstreams = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, url = item.partition("=")
        if not sep or not url.startswith("http://"):
            raise ValueError(f"DUBAN_UPSTREAMS entry {item!r} must look like name=http://host:port")
        upstreams[name.strip()] = url.strip().rstrip("/")
    return upstreams


class ReverseProxy:
    def __init__(self, default: Any, upstreams: Mapping[str, str], *, timeout: float = 30.0) -> None:
        self.default = default
        self.upstreams = {f"/api/{name}": urllib.parse.urlsplit(url) for name, url in upstreams.items()}
        self.timeout = timeout
        self._local = threading.local()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for prefix, target in self.upstreams.items():
            if path == prefix or path.startswith(prefix + "/"):
                return self._forward(target, environ, start_response)
        return self.default(environ, start_response)

    def _connection(self, target: urllib.parse.SplitResult) -> http.client.HTTPConnection:
        pool = self._local.__dict__.setdefault("pool", {})
        key = target.netloc
        if key not in pool:
            pool[key] = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port or 80,
                                                   timeout=self.timeout)
        return pool[key]

    def _forward(self, target: urllib.parse.SplitResult, environ: dict[str, Any], start_response: Any
                 ) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        url = urllib.parse.quote(environ.get("PATH_INFO", "")) + (
            "?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in HOP_BY_HOP}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        forwarded = headers.get("X-Forwarded-For")
        client = environ.get("REMOTE_ADDR", "")
        headers["X-Forwarded-For"] = f"{forwarded}, {client}" if forwarded else client
        headers.setdefault("X-Request-Id", uuid.uuid4().hex)
        for attempt in (1, 2):  # a kept-alive connection the upstream closed is retried once, fresh
            connection = self._connection(target)
            try:
                connection.request(environ["REQUEST_METHOD"], url, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                break
            except TimeoutError:
                connection.close()
                return self._error(start_response, 504, "上游服务超时 / upstream timed out")
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                connection.close()
                self._local.pool.pop(target.netloc, None)
                if attempt == 2:
                    log.warning("upstream failed", extra={"upstream": target.netloc, "error": str(exc)})
                    return self._error(start_response, 502, "上游服务不可用 / upstream unavailable")
        out = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        out.append(("Content-Length", str(len(payload))))
        start_response(f"{response.status} {response.reason}", out)
        return [payload]

    @staticmethod
    def _error(start_response: Any, status: int, message: str) -> Iterable[bytes]:
        body = json.dumps(envelope(status, message), ensure_ascii=False).encode()
        start_response(f"{status} {'Bad Gateway' if status == 502 else 'Gateway Timeout'}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
