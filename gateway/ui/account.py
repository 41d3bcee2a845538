"""Signing in and out of the staff pages (``/login``, ``/logout``) and the way to each role's start page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from gateway import handlers
from gateway.handlers import principal_of
from gateway.ui.access import current_user, safe_next, signed_in, start_page, ui_blueprint
from shared.appcontext import service_context
from shared.errors import RateLimited, Unauthorized

blueprint = ui_blueprint("ui_account", __name__)
MENU: tuple[Any, ...] = ()
START: dict[str, str] = {}


class LoginForm(FlaskForm):
    username = StringField(lazy_gettext("用户名"), validators=[
        DataRequired(lazy_gettext("请输入用户名")), Length(max=64)], render_kw={"autocomplete": "username"})
    password = PasswordField(lazy_gettext("密码"), validators=[
        DataRequired(lazy_gettext("请输入密码")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"})


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """登录: the form, and on success the session holds the user and their token."""
    if request.method == "GET" and current_user() is not None:
        return redirect(safe_next(request.args.get("next")) or start_page(current_user()))  # type: ignore[arg-type]
    form = LoginForm()
    if form.validate_on_submit():
        try:
            _limit(form.username.data or "")
            login = handlers.authenticate(service_context(), tokens=current_app.extensions["duban.tokens"],
                                          username=form.username.data or "", password=form.password.data or "")
        except Unauthorized:
            form.password.errors = [_("用户名或密码错误。")]
        except RateLimited:
            form.password.errors = [_("尝试次数过多，请稍后再试。")]
        else:
            now = current_app.extensions["duban.ui.clock"].now()
            principal = principal_of(login.user)
            session.regenerate()  # type: ignore[attr-defined]
            session["user"] = {
                "username": principal.username, "display_name": principal.display_name,
                "roles": sorted(principal.roles), "departments": sorted(principal.departments),
                "token": login.access_token,
                "expires_at": (now + timedelta(seconds=login.expires_in)).isoformat()}
            return redirect(safe_next(request.args.get("next")) or start_page(principal))
    return render_template("ui/login.html", form=form), 200 if not form.errors else 422


def _limit(username: str) -> None:
    """The same per-address-and-name throttle as the token endpoint."""
    limiter = current_app.extensions["duban.login_limiter"]
    limiter.hit(f"{request.remote_addr}|{username.lower()}")


@blueprint.post("/logout")
def logout() -> Any:
    """退出: the session row and its cookie go."""
    session.end()  # type: ignore[attr-defined]
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("ui_account.login"))


@blueprint.get("/home")
@signed_in()
def home() -> Any:
    """A signed-in user's start page: that of their role, or a list of what they may open."""
    target = start_page(current_user())  # type: ignore[arg-type]
    if target != request.path:
        return redirect(target)
    return render_template("ui/home.html")
