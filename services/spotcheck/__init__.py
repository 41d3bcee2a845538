"""Double-random spot checks (双随机、一公开): directories, plans, verifiable draws, publication.

Importing this package loads nothing but this file; see ``services.hotline`` for why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from services.spotcheck.handlers import Spotcheck
    from services.spotcheck.rules import SamplingPolicy
    from shared.auth import TokenService
    from shared.bootstrap import Environment

NAME = "spotcheck"


def open_context(env: Environment, *, policy: SamplingPolicy | None = None) -> Spotcheck:
    """The database, calendar and rules in force: the app and the event worker build it alike."""
    from services.spotcheck.handlers import Spotcheck
    from services.spotcheck.rules import RULE_SECTIONS
    from services.spotcheck.store import metadata

    db = env.database(NAME, metadata)
    return Spotcheck(db=db, calendar=env.work_calendar(db), rules=env.rules(db, RULE_SECTIONS, spotcheck=policy))


def create_app(env: Environment, *, tokens: TokenService, context: Spotcheck | None = None,
               run_migrations: bool | None = None, **overrides: Any) -> Flask:
    """Wire the spot-check API around its context. No I/O happens before this call."""
    from services.spotcheck import api
    from shared.web import create_service_app

    spotcheck = context or open_context(env, **overrides)
    app, smorest = create_service_app(
        NAME, env.settings, title="Duban 双随机、一公开 API", tokens=tokens, context=spotcheck,
        package=__name__, run_migrations=run_migrations,
        description="双随机、一公开：名录、抽查计划、可验证的随机抽取与结果公示。")
    smorest.register_blueprint(api.blp)
    smorest.register_blueprint(api.public)
    return app
