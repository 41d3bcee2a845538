"""The electronic monitoring service (电子监察): supervised clocks, reminders, yellow and red cards,
efficiency scores, and the ingest API for external approval systems."""

from __future__ import annotations

from flask import Flask

from services.monitoring import api
from services.monitoring.consumers import SUBSCRIPTIONS, bind
from services.monitoring.handlers import Monitoring
from services.monitoring.rules import ApprovalPolicy, MonitoringPolicy, ScorePolicy
from services.monitoring.store import metadata
from services.monitoring.sweep import register_periodic
from shared.auth import TokenService
from shared.bus.consumer import Consumer
from shared.calendar import WorkCalendar
from shared.clock import Clock
from shared.db import Database
from shared.migrations import migrate_service
from shared.settings import Settings
from shared.web import create_service_app

NAME = "monitoring"

__all__ = ["NAME", "create_app", "migrate", "open_monitoring", "register_periodic"]


def migrate(settings: Settings) -> None:
    migrate_service("services.monitoring", NAME, settings)


def open_monitoring(settings: Settings, *, clock: Clock | None = None, calendar: WorkCalendar | None = None,
                    policy: MonitoringPolicy | None = None, approval_limits: ApprovalPolicy | None = None,
                    scoring: ScorePolicy | None = None) -> Monitoring:
    """The service's database, calendar and rules without an app (the sweeper process uses this)."""
    db = Database(settings.database_url_for(NAME), service=NAME, metadata=metadata, clock=clock)
    monitoring = Monitoring(db=db, calendar=calendar or WorkCalendar.from_settings(settings),
                            policy=policy or MonitoringPolicy(), approval_limits=approval_limits or ApprovalPolicy(),
                            scoring=scoring or ScorePolicy())
    bind(monitoring)  # the consumer's handlers use this calendar and these rules for this database
    return monitoring


def create_app(settings: Settings, *, tokens: TokenService, clock: Clock | None = None,
               calendar: WorkCalendar | None = None, policy: MonitoringPolicy | None = None,
               approval_limits: ApprovalPolicy | None = None, scoring: ScorePolicy | None = None,
               run_migrations: bool | None = None) -> Flask:
    """Wire the monitoring service: its database, calendar, rules, consumer and API. No I/O before this.

    Embedded mode migrates on start; a distributed deployment migrates once in a release step.
    """
    if settings.embedded if run_migrations is None else run_migrations:
        migrate(settings)
    monitoring = open_monitoring(settings, clock=clock, calendar=calendar, policy=policy,
                                 approval_limits=approval_limits, scoring=scoring)
    app, smorest = create_service_app(
        NAME, settings, title="Duban 电子监察 API", tokens=tokens, db=monitoring.db,
        description="电子监察：监察时钟、预警、黄红牌、效能考核；外部行政审批系统接入。")
    app.extensions["duban.monitoring"] = monitoring
    app.extensions["duban.consumer"] = Consumer(monitoring.db, NAME, SUBSCRIPTIONS)
    smorest.register_blueprint(api.blp)
    return app
