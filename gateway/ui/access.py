"""Who is signed in, what they may open, and the frame every page shares (navigation, filters).

A page says which roles may open it with ``@signed_in(*roles)``; the navigation shows each user only
the entries of their roles, gathered from every screen module's ``MENU``.
"""

from __future__ import annotations

import functools
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from gateway.ui.client import ServiceError, SessionExpired
from shared.bootstrap import Environment
from shared.clock import Clock
from shared.roles import ADMIN, ROLES, Principal

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"


@dataclass(frozen=True)
class MenuEntry:
    """One navigation link, shown to users holding any of ``roles`` (admin sees every entry)."""

    label: Any               # a lazy gettext string
    endpoint: str
    roles: tuple[str, ...]


ROLE_NAMES = {"operator": lazy_gettext("话务员"), "dispatcher": lazy_gettext("派单员"),
              "department": lazy_gettext("承办单位"), "inspector": lazy_gettext("纪检监察"),
              "admin": lazy_gettext("管理员")}


def _clock() -> Clock:
    clock: Clock = current_app.extensions["duban.ui.clock"]
    return clock


def current_user() -> Principal | None:
    """The signed-in user, while their token is valid; an expired one is signed out here."""
    user = session.get("user")
    if not user:
        return None
    if datetime.fromisoformat(user["expires_at"]) <= _clock().now():
        session.end()  # type: ignore[attr-defined]
        session.expired = True  # type: ignore[attr-defined]
        return None
    return Principal(username=user["username"], roles=frozenset(user["roles"]),
                     departments=frozenset(user["departments"]), display_name=user["display_name"])


def signed_in(*roles: str) -> Callable[[F], F]:
    """The page needs a signed-in user holding one of ``roles`` (any role when none is named)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return to_login()
            if roles and not user.has_any(*roles):
                return refused(_("您的角色无权打开此页面。"))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def to_login() -> Any:
    """Back to the login form, saying why when the session ran out."""
    if getattr(session, "expired", False):
        flash(_("登录已过期，请重新登录。"), "warning")
    target = request.full_path if request.method == "GET" else request.referrer
    return redirect(url_for("ui_account.login", next=safe_next(target)))


def refused(message: str) -> Any:
    return render_template("ui/refused.html", message=message), 403


def safe_next(target: str | None) -> str | None:
    """Only a path on this site is a place to return to after login (no open redirect)."""
    if not target:
        return None
    if "://" in target:
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        if parts.netloc != request.host:
            return None
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target.rstrip("?")


def menu_for(user: Principal | None) -> list[MenuEntry]:
    from gateway.ui import screen_modules

    if user is None:
        return []
    return [entry for module in screen_modules() for entry in getattr(module, "MENU", ())
            if user.has_any(*entry.roles)]


def start_page(user: Principal) -> str:
    """The first page of the user's first role, in the order of ``ROLES`` (admin: the admin's own)."""
    from gateway.ui import screen_modules

    starts: dict[str, str] = {}
    for module in screen_modules():
        for role, endpoint in getattr(module, "START", {}).items():
            starts.setdefault(role, endpoint)
    for role in ((ADMIN,) if ADMIN in user.roles else ()) + ROLES:
        if role in user.roles and role in starts:
            return url_for(starts[role])
    return url_for("ui_account.home")


# Scripts only from the app itself (htmx, ECharts, board.js; the board's figures ride in a JSON data block,
# which is not executed); inline style attributes are ECharts' own. No framing (clickjacking), no
# sniffing, no referrer to other sites (a lookup link carries a query code).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def ui_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A screen module's blueprint: CSRF on every form it receives, and its failures as pages."""
    from flask_wtf.csrf import CSRFError

    options.setdefault("template_folder", str(TEMPLATES))
    blueprint = Blueprint(name, import_name, **options)

    @blueprint.before_request
    def _csrf() -> None:
        current_app.extensions["csrf"].protect()

    @blueprint.after_request
    def _headers(response: Any) -> Any:
        response.headers.update(SECURITY_HEADERS)
        if "user" in session:  # a signed-in page is nobody else's: not kept by shared caches or the back button
            response.headers["Cache-Control"] = "no-store"
        return response

    @blueprint.errorhandler(SessionExpired)
    def _expired(_error: SessionExpired) -> Any:
        session.end()  # type: ignore[attr-defined]
        session.expired = True  # type: ignore[attr-defined]
        return to_login()

    @blueprint.errorhandler(CSRFError)
    def _stale_form(_error: CSRFError) -> Any:
        flash(_("表单已失效，请重新提交。"), "warning")
        return redirect(safe_next(request.referrer) or url_for("ui_account.login"))

    @blueprint.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Any:
        if error.status == 403:
            return refused(error.message)
        return render_template("ui/error.html", error=error), error.status if error.status < 500 else 502

    @blueprint.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        failure = ServiceError(error.code or 500, "http", error.description or "")
        return render_template("ui/error.html", error=failure), error.code or 500

    @blueprint.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        # A page, not the API's JSON envelope; the details stay in the log.
        log.exception("page failed", extra={"endpoint": request.endpoint})
        failure = ServiceError(500, "internal", _("系统出现错误，请稍后再试。"))
        return render_template("ui/error.html", error=failure), 500

    return blueprint


def init_templates(app: Flask, env: Environment) -> None:
    """Globals and filters every template uses."""
    zone = ZoneInfo(env.settings.timezone)

    def local_time(value: Any, pattern: str = "%Y-%m-%d %H:%M") -> str:
        if not value:
            return "—"
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.astimezone(zone).strftime(pattern)

    def urlencode_without(args: Any, *names: str) -> str:
        from urllib.parse import urlencode

        return urlencode([(k, v) for k, v in args.items(multi=True) if k not in names and v])

    def highlight(value: str) -> Markup:
        """Search's highlight (escaped text, <em> around matches) with nothing but <em> let through."""
        parts = re.split(r"(</?em>)", value or "")
        return Markup("".join(part if part in ("<em>", "</em>") else str(escape(html.unescape(part)))
                              for part in parts))

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["urlencode_without"] = urlencode_without

    @app.context_processor
    def _frame() -> dict[str, Any]:
        user = current_user() if request.blueprint and request.blueprint.startswith("ui_") else None
        return {"ui_user": user, "ui_menu": menu_for(user), "role_names": ROLE_NAMES,
                "ui_lang": str(get_locale() or "zh_CN")}
