"""``/open311/v2/``: the GeoReport v2 endpoints, each in ``.json`` and ``.xml`` (docs/open311.md).

The documented exception to the one error envelope (DESIGN §4): everything under ``/open311/``, routing
misses and crashes included, fails as the spec says — a list of ``code`` + ``description``, as JSON or
as ``<errors><error>``, in the format the path asked for.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from services.hotline import open311 as o
from services.hotline import open311_keys
from services.hotline.handlers import Hotline
from services.hotline.open311_xml import render
from shared.appcontext import service_context
from shared.errors import DomainError, RateLimited
from shared.http_errors import status_of
from shared.input_guard import text_problem
from shared.ratelimit import Limiter, rate_limiter

bp = Blueprint("open311", __name__, url_prefix="/open311")
FMT = "<any(json, xml):fmt>"
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,40})\](\[\])?$")
_LIMITER = "duban.open311_limiter"
log = logging.getLogger(__name__)


def init_open311(app: Flask) -> None:
    """Mount the GeoReport v2 endpoints on the hotline's app."""
    settings = app.config["DUBAN_SETTINGS"]
    app.extensions[_LIMITER] = rate_limiter(app, settings, settings.open311_rate_limit, scope="open311-post")
    app.register_blueprint(bp)


def _endpoint() -> o.Endpoint:
    hotline: Hotline = service_context()
    return o.Endpoint(hotline, current_app.config["DUBAN_SETTINGS"].open311_jurisdiction)


def _respond(fmt: str, root: str, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body, content_type = render(fmt, root, data)
    return Response(body, status=status, content_type=content_type, headers=headers)


def _checked(fmt: str, jurisdiction: str | None) -> o.Endpoint:
    endpoint = _endpoint()
    endpoint.check_jurisdiction(jurisdiction)
    return endpoint


# -- endpoints ------------------------------------------------------------------------------------
@bp.get(f"/discovery.{FMT}")
@bp.get(f"/v2/discovery.{FMT}")
def discovery(fmt: str) -> Response:
    """Service discovery: where the GeoReport v2 endpoint is and what it speaks."""
    root = request.url_root.rstrip("/")
    return _respond(fmt, "discovery", {
        "changeset": o.CHANGESET,
        "contact": "12345 政务服务便民热线 / the 12345 citizen hotline office",
        "key_service": "API 密钥由热线管理员签发 / API keys are issued by the hotline's administrator",
        "endpoints": [{"specification": o.SPECIFICATION, "url": f"{root}/open311/v2", "changeset": o.CHANGESET,
                       "type": "production", "formats": list(o.FORMATS)}]})


@bp.get(f"/v2/services.{FMT}")
def services(fmt: str) -> Response:
    """GET services: every active category."""
    return _respond(fmt, "services", o.services(_checked(fmt, request.args.get("jurisdiction_id"))))


@bp.get(f"/v2/services/<service_code>.{FMT}")
def service_definition(service_code: str, fmt: str) -> Response:
    """GET service definition: the category's extra questions."""
    endpoint = _checked(fmt, request.args.get("jurisdiction_id"))
    return _respond(fmt, "service_definition", o.service_definition(endpoint, service_code))


@bp.post(f"/v2/requests.{FMT}")
def post_request(fmt: str) -> Response:
    """POST service request (form-encoded, with api_key): files a hotline ticket in channel open311."""
    form = request.form
    endpoint = _checked(fmt, form.get("jurisdiction_id") or request.args.get("jurisdiction_id"))
    key = form.get("api_key") or request.args.get("api_key") or ""
    client = open311_keys.client_of(endpoint.hotline.db, key) if key else None
    if client is None:
        raise o.Open311Error(403, "api_key is missing, unknown or revoked")
    limiter: Limiter = current_app.extensions[_LIMITER]
    limiter.hit(client)
    for name, value in form.items(multi=True):  # the input guard reads JSON bodies; this one is a form
        problem = text_problem(name) or text_problem(value)
        if problem:
            raise o.Open311Error(400, f"{name[:60]} {problem}")
    answers: dict[str, list[str]] = {}
    for name in form:
        match = _ATTRIBUTE.match(name)
        if match:
            answers.setdefault(match.group(1), []).extend(form.getlist(name))
        elif name.startswith("attribute"):
            raise o.Open311Error(400, f"{name[:60]} is no attribute[<code>] field")
    fields = {name: form.get(name, "") for name in form if not name.startswith("attribute")}
    return _respond(fmt, "service_requests", [o.post_request(endpoint, client=client, form=fields, answers=answers)])


@bp.get(f"/v2/requests.{FMT}")
def requests(fmt: str) -> Response:
    """GET service requests: the spec's filters; the last 90 days and at most 1,000 by default."""
    endpoint = _checked(fmt, request.args.get("jurisdiction_id"))
    return _respond(fmt, "service_requests", o.get_requests(endpoint, request.args.to_dict()))


@bp.get(f"/v2/requests/<service_request_id>.{FMT}")
def service_request(service_request_id: str, fmt: str) -> Response:
    endpoint = _checked(fmt, request.args.get("jurisdiction_id"))
    return _respond(fmt, "service_requests", [o.get_request(endpoint, service_request_id)])


@bp.get(f"/v2/tokens/<token>.{FMT}")
def token(token: str, fmt: str) -> Response:
    endpoint = _checked(fmt, request.args.get("jurisdiction_id"))
    return _respond(fmt, "service_requests", [o.token(endpoint, token)])


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def unknown(rest: str) -> Response:
    """Any other path, format or method under /open311/: the spec's 404."""
    raise o.Open311Error(404, f"no such Open311 endpoint: {request.method} {request.path[:200]}")


# -- errors in the spec's shape -------------------------------------------------------------------
def _format() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


def _error(status: int, description: str, headers: dict[str, str] | None = None) -> Response:
    return _respond(_format(), "errors", [{"code": status, "description": description}], status, headers)


@bp.errorhandler(o.Open311Error)
def _open311_error(error: o.Open311Error) -> Response:
    return _error(error.status, error.description)


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Response:
    """Checks every request passes before its view (input guard, tokens, rate limits)."""
    status = status_of(error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    # The spec knows 400, 403 and 404; a refused input is its 400, not the envelope's 422.
    return _error(400 if status == 422 else status, error.message, headers)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return _error(error.code or 400, error.description or "bad request")


@bp.errorhandler(Exception)
def _crash(error: Exception) -> Response:
    log.exception("open311 crash")
    return _error(500, "internal error")
