"""The staff pages and the public portal: the gateway as the pages' backend (backend-for-frontend).

Each part's screens are one module here (``gateway/ui/<part>.py`` or a package of that name, with its
templates in ``templates/ui/<part>/``); ``SCREENS`` lists them. A module offers a Flask blueprint
``blueprint``, its navigation entries ``MENU`` and the start page of the roles it serves ``START``.
Importing this package loads nothing; ``init_ui`` wires it into the gateway's app.
"""

from __future__ import annotations

import hashlib
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from gateway import Directory
    from gateway.ui.client import Transport
    from shared.auth import TokenService
    from shared.bootstrap import Environment

# The account pages first: the others' navigation and start pages are gathered from this order.
SCREENS = ("gateway.ui.account", "gateway.ui.hotline", "gateway.ui.monitoring", "gateway.ui.rectification",
           "gateway.ui.search", "gateway.ui.knowledge", "gateway.ui.admin", "gateway.ui.portal",
           "gateway.ui.rectification.public")


def screen_modules() -> list[Any]:
    return [importlib.import_module(name) for name in SCREENS]


def init_ui(app: Flask, env: Environment, *, directory: Directory, tokens: TokenService) -> None:
    """Sessions, languages, CSRF, templates and every screen module, on the gateway's app."""
    from flask_wtf.csrf import CSRFProtect

    from gateway.ui import access
    from gateway.ui.i18n import init_i18n
    from gateway.ui.sessions import DatabaseSessions

    app.session_interface = DatabaseSessions(directory.db, env.clock)
    # The pages' stylesheet and vendored scripts, served by the app itself: no CDN on 政务外网.
    app.static_folder = str(access.STATIC)
    app.config["SECRET_KEY"] = _secret(tokens)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked by the pages' blueprints, not the JSON APIs
    app.config["WTF_CSRF_TIME_LIMIT"] = None      # a form lives as long as its session
    app.config["SESSION_COOKIE_SECURE"] = env.settings.secure_cookies
    app.extensions["duban.ui.clock"] = env.clock
    app.extensions["duban.ui.calendar"] = env.work_calendar(directory.db)  # countdowns in working days
    if env.settings.services_url:
        attach_services(app, _over_http(env.settings.services_url))
    CSRFProtect(app)
    init_i18n(app, env.settings.timezone)
    access.init_templates(app, env)
    for module in screen_modules():
        app.register_blueprint(module.blueprint)


def attach_services(app: Flask, transport: Transport) -> None:
    """How this app's pages reach the services (the embedded suite binds its in-process dispatcher)."""
    app.extensions["duban.ui.transport"] = transport


def _over_http(url: str) -> Transport:
    from gateway.ui.client import OverHttp

    return OverHttp(url)


def _secret(tokens: TokenService) -> bytes:
    """The key CSRF tokens are signed with, derived from the token signing key (no second secret to keep)."""
    from cryptography.hazmat.primitives import serialization

    signing = tokens.keys.signing
    if signing is None:
        raise RuntimeError("the pages need the gateway's signing key")
    raw = signing.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    return hashlib.sha256(b"duban-ui-csrf\0" + raw).digest()
