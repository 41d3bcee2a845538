"""A throwaway part for tests: the smallest service in the shape every Duban service has.

It files notes (``POST /api/echo/v1/notes``), announces each as ``echo.note.created`` and consumes its
own announcements into ``echoes``, so one request shows a part that migrates, serves, publishes and
consumes. Registered only by the tests that need it (``PARTS["echo"] = ECHO``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gateway.registry import Part

if TYPE_CHECKING:
    from flask import Flask

    from shared.auth import TokenService
    from shared.bootstrap import Environment
    from shared.db import Database

NAME = "echo"
ECHO = Part(NAME, __name__, routes=f"{__name__}.consumers:ROUTES")


@dataclass(frozen=True)
class Echo:
    db: Database


def open_context(env: Environment) -> Echo:
    from tests.parts.echo.store import metadata

    return Echo(db=env.database(NAME, metadata))


def create_app(env: Environment, *, tokens: TokenService, context: Echo | None = None,
               run_migrations: bool | None = None, **overrides: Any) -> Flask:
    from shared.web import create_service_app
    from tests.parts.echo import api

    echo = context or open_context(env, **overrides)
    app, smorest = create_service_app(NAME, env.settings, title="echo", tokens=tokens, context=echo,
                                      package=__name__, run_migrations=run_migrations)
    smorest.register_blueprint(api.blp)
    return app
