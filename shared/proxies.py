"""Which peer may say who the client is.

Behind nginx every request's ``X-Forwarded-For`` is set by nginx to the address it saw. A process
takes its client address from that header (``DUBAN_TRUSTED_PROXIES`` hops, werkzeug's ProxyFix) only
when the request comes from a trusted proxy address (``DUBAN_TRUSTED_PROXY_NETWORKS``: loopback by
default; 127.0.0.2, the address the local topology's nginx connects from; the internal network in
compose). A peer anywhere else is the client itself, whatever header it sends.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """``127.0.0.0/8,::1/128`` → networks (a bare address is a network of one)."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in text.split(",") if item.strip())


class TrustedProxyFix:
    """ProxyFix for requests from a trusted proxy; every other request is passed on untouched."""

    def __init__(self, app: Callable[..., Iterable[bytes]], *, hops: int, networks: tuple[Network, ...]) -> None:
        self.app = app
        self.fixed = ProxyFix(app, x_for=hops)
        self.networks = networks

    def trusted(self, peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
