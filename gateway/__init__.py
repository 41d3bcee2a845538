"""The gateway's own service: login (tokens) and the directory of departments and users.

``create_app`` is the only place that wires it; nothing touches a database at import time, and importing
the package loads nothing but this file (the web stack comes in with ``create_app``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from gateway.passwords import Passwords
    from shared.auth import TokenService
    from shared.bootstrap import Environment
    from shared.clock import Clock
    from shared.db import Database
    from shared.settings import Settings

SERVICE = "gateway"
LOGIN_ATTEMPTS_PER_MINUTE = 10


@dataclass(frozen=True)
class Directory:
    """The gateway's context: its database (departments, users), password hashing and settings."""

    db: Database
    settings: Settings
    passwords: Passwords = field(default_factory=lambda: _passwords())


def _passwords() -> Passwords:
    from gateway.passwords import Passwords

    return Passwords()


def open_context(env: Environment, *, passwords: Passwords | None = None) -> Directory:
    from gateway.store import metadata

    return Directory(db=env.database(SERVICE, metadata), settings=env.settings, passwords=passwords or _passwords())


def open_database(settings: Settings, *, clock: Clock | None = None) -> Database:
    """The gateway database, without an app (the CLI and ``duban local`` use it)."""
    from shared.bootstrap import Environment

    env = Environment(settings) if clock is None else Environment(settings, clock)
    return open_context(env).db


def token_service(settings: Settings, *, clock: Clock | None = None, signing: bool = True) -> TokenService:
    """Tokens of this process: the gateway signs and verifies; a service (``signing=False``) only verifies."""
    from shared.auth import TokenService
    from shared.keys import keys_for

    return TokenService(keys_for(settings, signing=signing), ttl=timedelta(minutes=settings.token_ttl_minutes),
                        clock=clock)


def create_app(env: Environment, *, context: Directory | None = None, tokens: TokenService | None = None,
               run_migrations: bool | None = None, **overrides: Any) -> Flask:
    """The gateway service app: ``/api/auth/v1``, ``/api/directory/v1``, the staff pages and the portal."""
    from gateway.api import auth_blp, directory_blp
    from gateway.calendar_api import calendar_blp
    from gateway.rules_api import rules_blp
    from gateway.ui import init_ui
    from shared.ratelimit import rate_limiter
    from shared.web import create_service_app

    directory = context or open_context(env, **overrides)
    app, api = create_service_app(
        SERVICE, env.settings, title="Duban 网关 / gateway",
        tokens=tokens or token_service(env.settings, clock=env.clock), context=directory,
        package=__name__, run_migrations=run_migrations,
        description="登录与单位目录 / login and the directory of departments and users")
    # Password guessing: attempts per client address and username per minute.
    app.extensions["duban.login_limiter"] = rate_limiter(app, env.settings, LOGIN_ATTEMPTS_PER_MINUTE,
                                                          scope="login")
    api.register_blueprint(auth_blp)
    api.register_blueprint(directory_blp)
    api.register_blueprint(calendar_blp)
    api.register_blueprint(rules_blp)
    init_ui(app, env, directory=directory, tokens=app.extensions["duban.tokens"])
    return app
