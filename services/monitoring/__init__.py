"""The electronic monitoring service (电子监察): supervised clocks, reminders, yellow and red cards,
efficiency scores, and the ingest API for external approval systems.

Importing this package loads nothing but this file; see ``services.hotline`` for why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from services.monitoring.handlers import Monitoring
    from services.monitoring.rules import ApprovalPolicy, MonitoringPolicy, ScorePolicy
    from shared.auth import TokenService
    from shared.bootstrap import Environment

NAME = "monitoring"


def open_context(env: Environment, *, policy: MonitoringPolicy | None = None,
                 approval_limits: ApprovalPolicy | None = None, scoring: ScorePolicy | None = None) -> Monitoring:
    """The database, calendar and rules in force: the app, the event worker and the sweeper all use this."""
    from services.monitoring.handlers import Monitoring
    from services.monitoring.rules import RULE_SECTIONS
    from services.monitoring.store import metadata

    db = env.database(NAME, metadata)
    return Monitoring(db=db, calendar=env.work_calendar(db), rules=env.rules(
        db, RULE_SECTIONS, monitoring=policy, approvals=approval_limits, scoring=scoring))


def create_app(env: Environment, *, tokens: TokenService, context: Monitoring | None = None,
               run_migrations: bool | None = None, **overrides: Any) -> Flask:
    """Wire the monitoring API around its context. No I/O happens before this call."""
    from services.monitoring import api
    from services.monitoring.calendar_status import calendar_blp
    from shared.ratelimit import rate_limiter
    from shared.web import create_service_app

    monitoring = context or open_context(env, **overrides)
    app, smorest = create_service_app(
        NAME, env.settings, title="Duban 电子监察 API", tokens=tokens, context=monitoring,
        package=__name__, run_migrations=run_migrations,
        description="电子监察：监察时钟、预警、黄红牌、效能考核；外部行政审批系统接入。")
    app.extensions["duban.public_limiter"] = rate_limiter(app, env.settings, env.settings.public_rate_limit,
                                                          scope="public-ranking")
    smorest.register_blueprint(api.blp)
    smorest.register_blueprint(api.public)
    smorest.register_blueprint(calendar_blp)
    return app
