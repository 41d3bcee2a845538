"""The embedded suite: the gateway and every service in one process, one SQLite file per service,
and the in-process transport relaying each service's outbox to the others' consumers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask

import gateway
from gateway.registry import PARTS, mounts
from gateway.ui import attach_services
from gateway.ui.client import InProcess
from shared.audit_heads import publish_head
from shared.audit_heads import register_publishing as register_audit_head_publishing
from shared.auth import TokenService
from shared.bootstrap import Environment
from shared.bus.consumer import Consumer
from shared.bus.inprocess import InProcessTransport
from shared.bus.outbox import OutboxRelay
from shared.bus.runtime import EmbeddedRuntime
from shared.calendar import WorkCalendar
from shared.clock import Clock, SystemClock
from shared.db import Database
from shared.idempotency import register_purge as register_idempotency_purge
from shared.logs import configure_logging
from shared.settings import Settings


class PrefixDispatcher:
    """Route ``/api/<service>/…`` (and a part's other mounts) to that service's app, the rest to the gateway.

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
    contexts: dict[str, Any] = field(default_factory=dict)
    databases: dict[str, Database] = field(default_factory=dict)

    def close(self) -> None:
        self.runtime.stop()
        for db in self.databases.values():  # the last head of each chain, delivered before the process ends
            publish_head(db)
        self.runtime.run_until_idle()
        for db in self.databases.values():
            db.dispose()


def create_suite(settings: Settings | None = None, *, clock: Clock | None = None,
                 calendar: WorkCalendar | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> Suite:
    """Build (and migrate) every part of ``PARTS``; start background delivery unless settings say not to.

    Every part shares one clock, and the calendar if one is given (tests); otherwise each part builds its
    own on its replica of the entered holiday years, as in the distributed mode. ``overrides`` maps a
    part to rules its ``open_context`` takes instead of the defaults (tests).
    """
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    env = Environment(settings, clock or SystemClock(), calendar)
    tokens = gateway.token_service(settings, clock=clock)
    transport = InProcessTransport()
    runtime = EmbeddedRuntime()
    contexts: dict[str, Any] = {}
    apps: dict[str, Flask] = {}
    for name, part in PARTS.items():
        context = contexts[name] = part.open_context(env, **(overrides or {}).get(name, {}))
        apps[name] = part.create_app(env, context=context, tokens=tokens)
        subscriptions = part.subscriptions(context)
        if subscriptions:
            consumer = Consumer(context.db, name, subscriptions)
            transport.bind(name, consumer.patterns, consumer.handle)
        runtime.add_relay(OutboxRelay(context.db, transport))
        for job_name, interval, job in part.jobs(context, worker=False):
            runtime.add_periodic(job_name, interval, job)
    register_idempotency_purge(runtime, {name: context.db for name, context in contexts.items()}, settings)
    register_audit_head_publishing(runtime, {name: context.db for name, context in contexts.items()})
    wsgi = PrefixDispatcher(apps["gateway"], {prefix: apps[name] for prefix, name in mounts().items()})
    attach_services(apps["gateway"], InProcess(wsgi))  # the pages call the services' APIs in-process
    suite = Suite(wsgi=wsgi, apps=apps, runtime=runtime, transport=transport, tokens=tokens, contexts=contexts,
                  databases={name: context.db for name, context in contexts.items()})
    runtime.run_until_idle()  # deliver whatever an earlier run left in the outboxes
    if settings.background_workers:
        runtime.start()
    return suite


def wsgi() -> PrefixDispatcher:
    """Entry point for ``gunicorn 'gateway.embedded:wsgi()'`` (one worker: the bus is in-process)."""
    return create_suite().wsgi
