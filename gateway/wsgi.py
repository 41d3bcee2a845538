"""WSGI entry points for gunicorn.

- embedded: ``gunicorn 'gateway.embedded:wsgi()'`` (one worker; see ``duban run``)
- distributed: ``gunicorn 'gateway.wsgi:part("hotline")'`` for a service, ``part("gateway")`` for the
  gateway; nginx in front routes ``/api/<service>/…`` to each (gateway/edge.py).
"""

from __future__ import annotations

from typing import Any

from gateway.registry import PARTS
from shared.bootstrap import Environment
from shared.logs import configure_logging
from shared.proxies import TrustedProxyFix, parse_networks
from shared.settings import Settings


def part(name: str) -> Any:
    """The WSGI app of one part, configured from the environment."""
    import gateway

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    spec, env = PARTS[name], Environment(settings)
    signs = name == gateway.SERVICE  # only the gateway holds the token signing key
    app = spec.create_app(env, context=spec.open_context(env),
                          tokens=gateway.token_service(settings, signing=signs))
    if settings.trusted_proxies:
        # Behind nginx the client address comes from X-Forwarded-For, which nginx sets (never appends
        # to), and only a request from nginx's own address may carry it (shared.proxies).
        app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, hops=settings.trusted_proxies, networks=parse_networks(settings.trusted_proxy_networks))
    return app
