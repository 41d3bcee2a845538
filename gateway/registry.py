"""Every part of the suite, named once. This list is the composition root's only list of services.

The embedded suite, the ``duban`` CLI, the WSGI entry points, the event workers and ``duban local``
loop over ``PARTS``; the deployment files are checked against it (tests/infra). Adding a service is one
entry here plus its own folder (docs/adding-a-service.md).

A part's package follows one convention, so its entry names only what differs:

- ``open_context(env)`` builds the part's context (its database, calendar and rules) from a
  ``shared.bootstrap.Environment``; the app, the event worker and the periodic jobs all use it, so every
  process of a part computes with exactly the same calendar and rules;
- ``create_app(env, *, context, tokens)`` wires the Flask app around that context;
- ``<package>.store`` has the SQLAlchemy ``metadata``, ``<package>/migrations`` its Alembic history.

References to code are ``"module:attribute"`` strings, imported only when an entry point needs them,
so importing the registry loads no service.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click
    import sqlalchemy as sa
    from flask import Flask

    from shared.auth import TokenService
    from shared.bootstrap import Environment
    from shared.bus.consumer import Subscription
    from shared.settings import Settings


def resolve(reference: str) -> Any:
    """``"package.module:attribute"`` → the attribute."""
    module, _, attribute = reference.partition(":")
    value: Any = importlib.import_module(module)
    for name in attribute.split(".") if attribute else ():
        value = getattr(value, name)
    return value


@dataclass(frozen=True)
class Periodic:
    """A job run every ``interval`` seconds with the part's context.

    The embedded suite runs every job in its runtime thread; a distributed event worker runs those with
    ``in_worker`` (a job that has a process of its own there, like the sweep, sets it False).
    """

    name: str
    interval: float
    job: str                     # "module:function", called as function(context)
    in_worker: bool = True


@dataclass(frozen=True)
class Part:
    name: str
    package: str
    routes: str | None = None    # "module:ROUTES": routing-key pattern → handler(context, uow, event)
    periodic: tuple[Periodic, ...] = ()
    # "module:group": a click group added to the ``duban`` command, or several (a tuple of them)
    cli: str | tuple[str, ...] | None = None
    # Distributed mode: processes beyond web + event worker, as ``duban`` arguments (e.g. the sweeper).
    processes: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    demo: str | None = None      # "module:function": function(context) loads demo data, says what it did
    # "module:function": function(context, progress=…) republishes the part's cases as snapshot events
    # (``duban events replay-snapshots <part>``), so a consumer rebuilds its copy without calling the part.
    snapshots: str | None = None
    rules: str | None = None     # "module:RULE_SECTIONS": its sections of the rules document (shared.rules)
    # The edge (nginx, gateway/edge.py): anonymous paths rate-limited per client address, path → zone
    # ("public" lookups, "login" attempts, or "submit": anonymous writes, counted for POST/PUT/PATCH/DELETE
    # only); a path ending in "/" is a prefix, any other an exact path.
    limited: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Path prefixes this part serves besides its own /api/<name>/ (a standard's fixed URLs, e.g. /open311/);
    # the embedded dispatcher and the edge route them to it.
    mounts: tuple[str, ...] = ()

    # -- code ----------------------------------------------------------------------------------
    def module(self) -> Any:
        return importlib.import_module(self.package)

    def metadata(self) -> sa.MetaData:
        return importlib.import_module(f"{self.package}.store").metadata

    def migrate(self, settings: Settings) -> None:
        """Bring this part's database to the newest schema."""
        from shared.migrations import migrate_service

        migrate_service(self.package, self.name, settings)

    def open_context(self, env: Environment, **overrides: Any) -> Any:
        """The part's context (database, calendar, rules); ``overrides`` replace rules in tests."""
        return self.module().open_context(env, **overrides)

    def create_app(self, env: Environment, *, context: Any, tokens: TokenService) -> Flask:
        return self.module().create_app(env, context=context, tokens=tokens)

    # -- events --------------------------------------------------------------------------------
    def routes_table(self) -> Mapping[str, Callable[..., None]]:
        return resolve(self.routes) if self.routes else {}

    def patterns(self) -> list[str]:
        """The routing-key patterns this part's queue is bound to."""
        return list(self.routes_table())

    def subscriptions(self, context: Any) -> list[Subscription]:
        """This part's event handlers, bound to ``context``."""
        from shared.bus.consumer import bind_routes

        return bind_routes(self.routes_table(), context)

    # -- jobs, commands, demo data ------------------------------------------------------------------
    def jobs(self, context: Any, *, worker: bool) -> list[tuple[str, float, Callable[[], object]]]:
        """(name, interval, callable) of the periodic jobs to run: all of them, or a worker's."""
        return [(f"{self.name}.{p.name}", p.interval, _bound(resolve(p.job), context))
                for p in self.periodic if p.in_worker or not worker]

    def command_groups(self) -> list[click.Group]:
        references = (self.cli,) if isinstance(self.cli, str) else self.cli or ()
        return [resolve(reference) for reference in references]

    def rule_sections(self) -> dict[str, type]:
        return dict(resolve(self.rules)) if self.rules else {}

    def publish_snapshots(self, context: Any, progress: Callable[[int], object] | None = None) -> int:
        """Republish this part's cases as snapshot events (through its outbox); how many."""
        if not self.snapshots:
            raise LookupError(f"{self.name} publishes no snapshots")
        return int(resolve(self.snapshots)(context, progress=progress))

    def seed_demo(self, context: Any) -> Any:
        """Load this part's demo data (idempotent); returns what it did, or None without demo data."""
        return resolve(self.demo)(context) if self.demo else None


def _bound(job: Callable[[Any], object], context: Any) -> Callable[[], object]:
    return lambda: job(context)


PARTS: dict[str, Part] = {part.name: part for part in (
    Part("gateway", "gateway", demo="gateway.handlers:seed_demo_directory",
         # the token API (password guessing; the login page counts its attempts itself, in Redis, like the
         # token API); the portal's form and lookup pages (the FAQ is a search)
         limited={"/api/auth/v1/token": "login", "/file": "public", "/status": "public", "/faq": "public"}),
    Part("hotline", "services.hotline", routes="services.hotline.consumers:ROUTES",
         rules="services.hotline.rules:RULE_SECTIONS",
         periodic=(Periodic("gauges", 15.0, "services.hotline.metrics:refresh_gauges"),),
         demo="services.hotline.cli:seed_demo",
         cli=("services.hotline.open311_cli:open311", "services.hotline.knowledge_cli:hotline"),
         limited={"/api/hotline/v1/public/": "public", "/open311/": "submit"}, mounts=("/open311/",),
         snapshots="services.hotline.handlers:publish_snapshots"),
    Part("monitoring", "services.monitoring", routes="services.monitoring.consumers:ROUTES",
         rules="services.monitoring.rules:RULE_SECTIONS",
         periodic=(Periodic("sweep", 5.0, "services.monitoring.sweep:sweep", in_worker=False),
                   Periodic("purge", 3600.0, "services.monitoring.clock_commands:purge")),
         cli="services.monitoring.cli:monitoring",
         snapshots="services.monitoring.snapshots:publish_snapshots",
         processes={"sweeper": ("monitoring", "sweep", "--loop")},
         limited={"/api/monitoring/v1/public/": "public"}),
    Part("spotcheck", "services.spotcheck", routes="services.spotcheck.consumers:ROUTES",
         rules="services.spotcheck.rules:RULE_SECTIONS", cli="services.spotcheck.cli:spotcheck",
         demo="services.spotcheck.demo:seed_demo",
         snapshots="services.spotcheck.snapshots:publish_snapshots", limited={"/api/spotcheck/v1/public/": "public"}),
    Part("rectification", "services.rectification", routes="services.rectification.consumers:ROUTES",
         rules="services.rectification.rules:RULE_SECTIONS", demo="services.rectification.demo:seed_demo",
         snapshots="services.rectification.snapshots:publish_snapshots",
         limited={"/api/rectification/v1/public/": "public", "/api/rectification/v1/reviews": "public"}),
    Part("search", "services.search", routes="services.search.consumers:ROUTES", cli="services.search.cli:search"),
)}


def queue_bindings() -> dict[str, list[str]]:
    """Each consuming part's queue and the routing-key patterns it handles (from its route table)."""
    return {name: part.patterns() for name, part in PARTS.items() if part.routes}


def mounts() -> dict[str, str]:
    """Every path prefix a part serves (its /api/<name>/ and its ``mounts``) → the part; not the gateway's."""
    return {prefix: name for name, part in PARTS.items() if name != "gateway"
            for prefix in (f"/api/{name}/", *part.mounts)}


def rule_sections() -> dict[str, type]:
    """Every section of the rules document, from every part (what the gateway validates a version by)."""
    return {name: cls for part in PARTS.values() for name, cls in part.rule_sections().items()}


def metadata_by_part() -> dict[str, sa.MetaData]:
    return {name: part.metadata() for name, part in PARTS.items()}


def extra_processes() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Distributed mode: ``<part>-<process>`` → (part, ``duban`` arguments)."""
    return {f"{name}-{process}": (name, argv) for name, part in PARTS.items()
            for process, argv in part.processes.items()}
