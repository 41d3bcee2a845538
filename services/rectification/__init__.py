"""Rectification (整改) and 好差评: notices raised from cards, spot checks and callbacks, answered by departments
and verified by inspectors.

Importing this package loads nothing but this file; see ``services.hotline`` for why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from services.rectification.handlers import Rectification
    from services.rectification.rules import NoticePolicy
    from shared.auth import TokenService
    from shared.bootstrap import Environment

NAME = "rectification"


def open_context(env: Environment, *, policy: NoticePolicy | None = None) -> Rectification:
    """The database, calendar and rules in force: the app and the event worker build it alike."""
    from services.rectification.handlers import Rectification
    from services.rectification.rules import RULE_SECTIONS
    from services.rectification.store import metadata

    db = env.database(NAME, metadata)
    return Rectification(db=db, calendar=env.work_calendar(db),
                         rules=env.rules(db, RULE_SECTIONS, rectification=policy))


def create_app(env: Environment, *, tokens: TokenService, context: Rectification | None = None,
               run_migrations: bool | None = None, **overrides: Any) -> Flask:
    """Wire the rectification API around its context. No I/O happens before this call."""
    from services.rectification import api, review_api
    from shared.ratelimit import install_public_limiter
    from shared.web import create_service_app

    rectification = context or open_context(env, **overrides)
    app, smorest = create_service_app(
        NAME, env.settings, title="Duban 整改与好差评 API", tokens=tokens, context=rectification,
        package=__name__, run_migrations=run_migrations,
        description="整改通知书：下发、签收、报告、验收销号；好差评。")
    install_public_limiter(app, env.settings, scope="public-reviews")
    smorest.register_blueprint(api.blp)
    smorest.register_blueprint(api.public)
    smorest.register_blueprint(review_api.blp)
    return app
