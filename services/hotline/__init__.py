"""The 12345 citizen hotline service (12345 热线).

Importing this package loads nothing but this file: the web stack and the database come in with
``create_app`` and ``open_context``, so the domain (``model``, ``rules``) stays importable alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from services.hotline.handlers import Hotline
    from services.hotline.rules import DeadlinePolicy
    from shared.auth import TokenService
    from shared.bootstrap import Environment

NAME = "hotline"
PUBLIC_INTAKE_PER_MINUTE = 5  # anonymous online filings per client address


def open_context(env: Environment, *, policy: DeadlinePolicy | None = None) -> Hotline:
    """The hotline's database, calendar and time rules: what every use case and event handler needs."""
    from services.hotline.handlers import Hotline
    from services.hotline.rules import RULE_SECTIONS
    from services.hotline.store import metadata
    from shared.keys import caller_hash_key

    db = env.database(NAME, metadata)
    return Hotline(db=db, calendar=env.work_calendar(db), rules=env.rules(db, RULE_SECTIONS, hotline=policy),
                   caller_key=caller_hash_key(env.settings))


def create_app(env: Environment, *, tokens: TokenService, context: Hotline | None = None,
               run_migrations: bool | None = None, **overrides: Any) -> Flask:
    """Wire the hotline's API around its context. No I/O happens before this call."""
    from services.hotline import api, category_api, knowledge_api
    from services.hotline.open311_api import init_open311
    from shared.ratelimit import rate_limiter
    from shared.web import create_service_app

    hotline = context or open_context(env, **overrides)
    app, smorest = create_service_app(
        NAME, env.settings, title="Duban 12345 热线 API", tokens=tokens, context=hotline,
        package=__name__, run_migrations=run_migrations,
        description="12345 政务服务便民热线：工单受理、派单、签收、答复、回访、公众查询。")
    app.extensions["duban.public_limiter"] = rate_limiter(app, env.settings, env.settings.public_rate_limit,
                                                          scope="public-status")
    # 网上诉求: a person files a few at most; more from one address in a minute is a script.
    app.extensions["duban.public_intake_limiter"] = rate_limiter(app, env.settings, PUBLIC_INTAKE_PER_MINUTE,
                                                                 scope="public-intake")
    smorest.register_blueprint(api.blp)
    smorest.register_blueprint(api.public)
    smorest.register_blueprint(category_api.blp)
    init_open311(app)  # GeoReport v2 under /open311/, with the spec's own error format
    smorest.register_blueprint(knowledge_api.blp)
    smorest.register_blueprint(knowledge_api.public)
    return app
