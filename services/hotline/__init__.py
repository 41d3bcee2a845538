"""The 12345 citizen hotline service (12345 热线)."""

from __future__ import annotations

from flask import Flask

from services.hotline import api
from services.hotline.consumers import SUBSCRIPTIONS
from services.hotline.handlers import Hotline
from services.hotline.rules import DeadlinePolicy
from services.hotline.store import metadata
from shared.auth import TokenService
from shared.bus.consumer import Consumer
from shared.calendar import WorkCalendar
from shared.clock import Clock
from shared.db import Database
from shared.migrations import migrate_service
from shared.ratelimit import RateLimiter
from shared.settings import Settings
from shared.web import create_service_app

NAME = "hotline"


def migrate(settings: Settings) -> None:
    migrate_service("services.hotline", NAME, settings)


def create_app(settings: Settings, *, tokens: TokenService, clock: Clock | None = None,
               calendar: WorkCalendar | None = None, policy: DeadlinePolicy | None = None,
               run_migrations: bool | None = None) -> Flask:
    """Wire the hotline: its database, calendar, consumer and API. No I/O happens before this call.

    Embedded mode migrates on start; a distributed deployment migrates once in a release step.
    """
    if settings.embedded if run_migrations is None else run_migrations:
        migrate(settings)
    db = Database(settings.database_url_for(NAME), service=NAME, metadata=metadata, clock=clock)
    app, smorest = create_service_app(
        NAME, settings, title="Duban 12345 热线 API", tokens=tokens, db=db,
        description="12345 政务服务便民热线：工单受理、派单、签收、答复、回访、公众查询。")
    app.extensions["duban.hotline"] = Hotline(db=db, calendar=calendar or WorkCalendar.from_settings(settings),
                                              policy=policy or DeadlinePolicy())
    app.extensions["duban.consumer"] = Consumer(db, NAME, SUBSCRIPTIONS)
    app.extensions["duban.public_limiter"] = RateLimiter(settings.public_rate_limit)
    smorest.register_blueprint(api.blp)
    smorest.register_blueprint(api.public)
    return app
