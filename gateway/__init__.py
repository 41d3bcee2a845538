"""The gateway's own service: login (tokens) and the directory of departments and users.

``create_app`` is the only place that wires it; nothing touches a database at import time.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from gateway.api import auth_blp, directory_blp
from gateway.passwords import Passwords
from gateway.portal import portal
from gateway.store import metadata
from shared.auth import TokenService
from shared.clock import Clock
from shared.db import Database
from shared.migrations import migrate_service
from shared.ratelimit import RateLimiter
from shared.settings import Settings
from shared.web import create_service_app

SERVICE = "gateway"
LOGIN_ATTEMPTS_PER_MINUTE = 10


def migrate(settings: Settings) -> None:
    """Bring the gateway database to the newest schema."""
    migrate_service("gateway", SERVICE, settings)


def open_database(settings: Settings, *, clock: Clock | None = None) -> Database:
    """The gateway database, without an app (the CLI and the embedded composition use it)."""
    return Database(settings.database_url_for(SERVICE), service=SERVICE, metadata=metadata, clock=clock)


def token_service(settings: Settings, *, clock: Clock | None = None) -> TokenService:
    return TokenService(settings.resolved_jwt_secret(), ttl=timedelta(minutes=settings.token_ttl_minutes),
                        clock=clock)


def create_app(settings: Settings, *, clock: Clock | None = None, tokens: TokenService | None = None,
               passwords: Passwords | None = None, run_migrations: bool | None = None) -> Flask:
    """The gateway service app serving ``/api/auth/v1`` and ``/api/directory/v1``.

    Embedded mode migrates its SQLite file on start (one command to run); a distributed deployment
    migrates once in a release step instead of in every gunicorn worker, unless told otherwise.
    """
    if run_migrations if run_migrations is not None else settings.embedded:
        migrate(settings)
    db = open_database(settings, clock=clock)
    app, api = create_service_app(
        SERVICE, settings, title="Duban 网关 / gateway", tokens=tokens or token_service(settings, clock=clock), db=db,
        description="登录与单位目录 / login and the directory of departments and users")
    app.extensions["duban.passwords"] = passwords or Passwords()
    # Password guessing: attempts per client address and username per minute.
    app.extensions["duban.login_limiter"] = RateLimiter(LOGIN_ATTEMPTS_PER_MINUTE)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    api.register_blueprint(auth_blp)
    api.register_blueprint(directory_blp)
    app.register_blueprint(portal)
    return app
