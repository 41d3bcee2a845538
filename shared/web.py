"""The common shape of every service's Flask app: API docs, error envelope, auth, request ids,
metrics, and health endpoints. Services call ``create_service_app`` from their own factory."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser, abort

from shared.auth import TokenService, init_auth
from shared.http_errors import envelope, http_exception_body, register_error_handlers
from shared.idempotency import idempotent
from shared.input_guard import init_input_guard
from shared.logs import correlation_id_var, request_id_var
from shared.metrics import HTTP_LATENCY, metrics_response
from shared.settings import Settings

ReadyCheck = Callable[[], None]
log = logging.getLogger(__name__)


class JsonProvider(DefaultJSONProvider):
    ensure_ascii = False  # Chinese stays readable in responses and logs
    sort_keys = False


class _Parser(FlaskParser):
    """Unreadable JSON is invalid input like any other: a 422 envelope with a bilingual message."""

    def _handle_invalid_json_error(self, error: Exception, req: Any, *args: Any, **kwargs: Any) -> NoReturn:
        abort(422, exc=error, messages={"json": ["不是有效的 JSON / invalid JSON body"]},
              message="请求体不是有效的 JSON / the request body is not valid JSON")


class Blueprint(SmorestBlueprint):
    """Every service's blueprint: flask-smorest's, with the parser above."""

    ARGUMENTS_PARSER = _Parser()


class DubanApi(Api):
    """flask-smorest's Api with our envelope for its own HTTP errors (e.g. 422 from webargs)."""

    def handle_http_exception(self, error: Any) -> Any:
        return http_exception_body(error)

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        # flask-smorest's own Blueprint would answer a malformed JSON body with its English 400 instead of
        # the envelope's 422, so a service cannot register one by mistake.
        if not isinstance(blp, Blueprint):
            raise TypeError(f"blueprint {blp.name!r} must be a shared.web.Blueprint")
        super().register_blueprint(blp, parameters=parameters, **options)


def create_service_app(name: str, settings: Settings, *, title: str, tokens: TokenService,
                       context: Any = None, package: str | None = None, run_migrations: bool | None = None,
                       ready_checks: list[ReadyCheck] | None = None,
                       description: str = "") -> tuple[Flask, DubanApi]:
    """A Flask app for service ``name`` serving ``/api/<name>/…`` and its OpenAPI document.

    ``context`` is the part's context (it has ``db``); views reach it through ``service_context()``.
    The embedded mode migrates ``package``'s database on start (one command to run); a distributed
    deployment migrates once in a release step instead of in every gunicorn worker.
    """
    if package is not None and (settings.embedded if run_migrations is None else run_migrations):
        from shared.migrations import migrate_service

        migrate_service(package, name, settings)
    app = Flask(f"duban.{name}")
    app.json = JsonProvider(app)
    app.config.update(
        API_TITLE=title, API_VERSION="v1", OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=f"/api/{name}", OPENAPI_JSON_PATH="openapi.json",
        # Every service verifies the gateway's bearer tokens itself; anonymous endpoints check nothing.
        API_SPEC_OPTIONS={"info": {"description": description}, "security": [{"bearerAuth": []}, {}]},
        DUBAN_SETTINGS=settings, DUBAN_SERVICE=name,
    )
    api = DubanApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    register_error_handlers(app)
    init_auth(app, tokens)
    _init_request_context(app, name)
    init_input_guard(app, settings)
    checks = list(ready_checks or [])
    if context is not None:
        app.extensions["duban.context"] = context
        app.extensions["duban.db"] = context.db
        checks.insert(0, context.db.ping)
    _init_health(app, name, checks)
    return app, api


_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _safe_id(value: str | None) -> str | None:
    """A client-supplied id is kept only if it fits the audit column and logs safely."""
    return value if value and _SAFE_ID.match(value) else None


def _init_request_context(app: Flask, service: str) -> None:
    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        rid = _safe_id(request.headers.get("X-Request-Id")) or uuid.uuid4().hex
        g.request_id = rid
        g.correlation_id = _safe_id(request.headers.get("X-Correlation-Id")) or rid
        # Kept with this request, not in g: a request served inside another one's app context (same
        # app, same thread) shares g, and would otherwise leave the outer request's ids bound.
        request.environ["duban.ctx_tokens"] = (request_id_var.set(rid), correlation_id_var.set(g.correlation_id))

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if "started" in g:
            route = request.url_rule.rule if request.url_rule else "unmatched"
            HTTP_LATENCY.labels(service, request.method, route, str(response.status_code)).observe(
                time.perf_counter() - g.started)
        return response

    @app.teardown_request
    def _reset(_exc: BaseException | None) -> None:
        tokens = request.environ.pop("duban.ctx_tokens", None)
        if tokens:
            request_id_var.reset(tokens[0])
            correlation_id_var.reset(tokens[1])


def _init_health(app: Flask, name: str, checks: list[ReadyCheck]) -> None:
    def healthz() -> Any:
        return {"status": "ok", "service": name}

    def readyz() -> Any:
        failures = {}
        for check in checks:
            try:
                check()
            except Exception as exc:  # readiness reports, it does not crash
                check_name = getattr(check, "__qualname__", repr(check))
                # The detail (hosts, users) goes to the log, not to whoever can reach /readyz.
                log.warning("readiness check failed", extra={"check": check_name, "error": str(exc)})
                failures[check_name] = type(exc).__name__
        if failures:
            return envelope(503, "依赖不可用 / not ready", failures), 503
        return {"status": "ready", "service": name}

    for prefix in ("", f"/api/{name}"):
        app.add_url_rule(f"{prefix}/healthz", f"healthz{prefix}", healthz)
        app.add_url_rule(f"{prefix}/readyz", f"readyz{prefix}", readyz)
    app.add_url_rule("/metrics", "metrics", metrics_response)


def action_endpoint(blp: Blueprint, rule: str, *, name: str, schema: type | None, response_schema: Any,
                    run: Callable[..., Any], doc: str) -> None:
    """Register ``POST <rule>`` for one state transition, answering 200 with ``response_schema``.

    ``run(data, **url_parts)`` does the work (checks the caller, calls the handler, presents the
    result). Retries are safe: the endpoint honours ``Idempotency-Key``.
    """
    def view(*parsed: dict[str, Any], **url_parts: Any) -> Any:
        # flask-smorest passes the parsed body positionally and the URL parts as keywords.
        return run(parsed[0] if parsed else {}, **url_parts)

    view.__name__ = name
    view.__doc__ = doc
    decorated: Any = blp.response(200, response_schema)(view)
    if schema is not None:
        decorated = blp.arguments(schema)(decorated)
    blp.route(rule, methods=["POST"])(idempotent(decorated))
