"""The embedded suite: the gateway and every service in one process, one SQLite file per service,
and the in-process transport relaying each service's outbox to the others' consumers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask

import gateway
import services.hotline
import services.monitoring
from gateway.registry import PARTS
from shared.auth import TokenService
from shared.bus.inprocess import InProcessTransport
from shared.bus.outbox import OutboxRelay
from shared.bus.runtime import EmbeddedRuntime
from shared.calendar import WorkCalendar
from shared.clock import Clock
from shared.db import Database
from shared.logs import configure_logging
from shared.settings import Settings


class PrefixDispatcher:
    """Route ``/api/<service>/…`` to that service's app, everything else to the gateway.

    Paths are passed on unchanged, so a service answers the same URLs mounted here or standalone.
    """

    def __init__(self, default: Any, mounts: dict[str, Any]) -> None:
        self.default = default
        self.mounts = {prefix.rstrip("/"): app for prefix, app in mounts.items()}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        for prefix, app in self.mounts.items():
            if path == prefix or path.startswith(prefix + "/"):
                return app(environ, start_response)
        return self.default(environ, start_response)


@dataclass
class Suite:
    wsgi: PrefixDispatcher
    apps: dict[str, Flask]
    runtime: EmbeddedRuntime
    transport: InProcessTransport
    tokens: TokenService
    databases: dict[str, Database] = field(default_factory=dict)

    def close(self) -> None:
        self.runtime.stop()
        for db in self.databases.values():
            db.dispose()


def create_suite(settings: Settings | None = None, *, clock: Clock | None = None,
                 calendar: WorkCalendar | None = None) -> Suite:
    """Build (and migrate) every service; start background delivery unless settings say not to."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    tokens = gateway.token_service(settings, clock=clock)
    calendar = calendar or WorkCalendar.from_settings(settings)
    apps: dict[str, Flask] = {
        "gateway": gateway.create_app(settings, clock=clock, tokens=tokens),
        "hotline": services.hotline.create_app(settings, tokens=tokens, clock=clock, calendar=calendar),
        "monitoring": services.monitoring.create_app(settings, tokens=tokens, clock=clock, calendar=calendar),
    }
    transport = InProcessTransport()
    runtime = EmbeddedRuntime()
    databases: dict[str, Database] = {}
    for name, app in apps.items():
        db: Database = app.extensions["duban.db"]
        databases[name] = db
        consumer = app.extensions.get("duban.consumer")
        if consumer is not None:
            transport.bind(name, consumer.patterns, consumer.handle)
        runtime.add_relay(OutboxRelay(db, transport))
    services.monitoring.register_periodic(runtime, apps["monitoring"])  # the sweep, every few seconds
    for name, part in PARTS.items():
        refresh = part.gauge_refresher()
        if refresh is not None:
            runtime.add_periodic(f"{name}.gauges", 15.0, lambda refresh=refresh, db=databases[name]: refresh(db))
    wsgi = PrefixDispatcher(apps["gateway"], {f"/api/{name}": app for name, app in apps.items()
                                              if name != "gateway"})
    suite = Suite(wsgi=wsgi, apps=apps, runtime=runtime, transport=transport, tokens=tokens,
                  databases=databases)
    runtime.run_until_idle()  # deliver whatever an earlier run left in the outboxes
    if settings.background_workers:
        runtime.start()
    return suite


def wsgi() -> PrefixDispatcher:
    """Entry point for ``gunicorn 'gateway.embedded:wsgi()'`` (one worker: the bus is in-process)."""
    return create_suite().wsgi
