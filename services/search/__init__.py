"""Case search (案件检索): one index of every service's cases, fed only by their events, searched by staff
with Chinese segmentation on SQLite FTS5 (embedded) or Elasticsearch (distributed).

Importing this package loads nothing but this file; see ``services.hotline`` for why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from services.search.backend import SearchBackend
    from services.search.handlers import Search
    from shared.auth import TokenService
    from shared.bootstrap import Environment
    from shared.db import Database
    from shared.settings import Settings

NAME = "search"
FTS, ELASTICSEARCH = "fts", "elasticsearch"
BACKENDS = (FTS, ELASTICSEARCH)


def open_backend(name: str, db: Database, settings: Settings) -> SearchBackend:
    """The backend called ``name``: FTS5 in the service's SQLite file, or Elasticsearch at its URL."""
    if name == FTS:
        from services.search.fts import FtsBackend

        return FtsBackend(db)
    if name == ELASTICSEARCH:
        from services.search.elastic import ElasticBackend

        return ElasticBackend.connect(settings.elasticsearch_url, alias=settings.search_index)
    raise ValueError(f"DUBAN_SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")


def default_backend(settings: Settings) -> str:
    return settings.search_backend or (FTS if settings.embedded else ELASTICSEARCH)


def open_context(env: Environment, *, backend: SearchBackend | None = None) -> Search:
    """The database of case documents and the backend that indexes them: app and worker build it alike."""
    from zoneinfo import ZoneInfo

    from services.search.handlers import Search
    from services.search.store import metadata
    from shared.keys import caller_hash_key

    db = env.database(NAME, metadata)
    return Search(db=db, backend=backend or open_backend(default_backend(env.settings), db, env.settings),
                  timezone=ZoneInfo(env.settings.timezone), caller_key=caller_hash_key(env.settings))


def create_app(env: Environment, *, tokens: TokenService, context: Search | None = None,
               run_migrations: bool | None = None, **overrides: Any) -> Flask:
    """Wire the search API around its context. No I/O happens before this call."""
    from services.search import api
    from shared.web import create_service_app

    search = context or open_context(env, **overrides)
    app, smorest = create_service_app(
        NAME, env.settings, title="Duban 案件检索 API", tokens=tokens, context=search, package=__name__,
        run_migrations=run_migrations, ready_checks=[search.backend.ping],
        description="工单、黄红牌、预警、整改通知书、抽查计划与检查结果的全文检索（中文分词）。仅限工作人员。")
    smorest.register_blueprint(api.blp)
    return app
