"""Signing in and out of the pages: server-side sessions, CSRF, expiry, refusals, languages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from shared.roles import ADMIN, INSPECTOR, OPERATOR
from tests.gateway.conftest import PASSWORD
from tests.uisuite import csrf


def log_in(client: Any, username: str, password: str = PASSWORD, **extra: str) -> Any:
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"csrf_token": csrf(page), "username": username, "password": password},
                       **extra)


def test_the_login_form_is_in_chinese_with_labelled_fields(client: Any) -> None:
    response = client.get("/login")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in page
    assert re.search(r'<label for="username">用户名</label>', page)
    assert re.search(r'<label for="password">密码</label>', page)
    assert 'type="password"' in page


def test_the_pages_speak_english_when_asked_and_remember_it(client: Any) -> None:
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Staff login" in page
    assert "Staff login" in client.get("/login").get_data(as_text=True)  # the session keeps the choice


def test_a_form_without_its_csrf_token_is_refused(client: Any, make_user: Any) -> None:
    user = make_user(roles=(OPERATOR,))
    client.get("/login")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert "表单已失效" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/home").status_code == 302  # still not signed in


def test_a_wrong_password_is_said_in_place_and_signs_no_one_in(client: Any, make_user: Any) -> None:
    user = make_user(roles=(OPERATOR,))
    response = log_in(client, user.username, "wrong password")
    assert response.status_code == 422
    assert re.search(r'id="password-error"[^>]*>用户名或密码错误', response.get_data(as_text=True))
    assert client.get("/home").status_code == 302


def test_the_browser_holds_a_random_id_and_the_token_stays_on_the_server(client: Any, make_user: Any,
                                                                          table_rows: Any) -> None:
    user = make_user(roles=(OPERATOR,))
    response = log_in(client, user.username)
    assert response.status_code == 302 and response.headers["Location"] == "/operator/new"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("duban_session=")
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    sid = cookies[0].split(";")[0].split("=", 1)[1]
    assert "." not in sid and len(sid) >= 40  # no JWT, no signed payload: an opaque id
    rows = table_rows("ui_sessions")
    signed_in = [r for r in rows if '"token"' in r.data]
    assert len(signed_in) == 1 and sid not in signed_in[0].id_hash  # stored by its hash only


def test_logging_in_replaces_the_id_the_visitor_had_before(client: Any, make_user: Any) -> None:
    user = make_user(roles=(OPERATOR,))
    client.get("/login?lang=en")  # an anonymous session, as a fixation attack would plant
    before = client.get_cookie("duban_session").value
    log_in(client, user.username)
    assert client.get_cookie("duban_session").value != before


def test_each_role_lands_on_its_own_start_page(client: Any, make_user: Any, app: Any) -> None:
    for roles, start in (((INSPECTOR,), "/board"), ((OPERATOR,), "/operator/new"), ((ADMIN,), "/admin/departments")):
        fresh = app.test_client()
        assert log_in(fresh, make_user(roles=roles).username).headers["Location"] == start


def test_the_login_returns_to_the_page_asked_for_but_never_off_site(client: Any, make_user: Any, app: Any) -> None:
    user = make_user(roles=(INSPECTOR,))
    assert log_in(client, user.username, query_string={"next": "/board/cards"}).headers["Location"] == "/board/cards"
    other = app.test_client()
    assert log_in(other, user.username, query_string={"next": "//evil.example/x"}).headers["Location"] == "/board"


def test_an_expired_session_sends_the_user_to_log_in_again_and_says_why(client: Any, make_user: Any,
                                                                        clock: Any) -> None:
    log_in(client, make_user(roles=(OPERATOR,)).username)
    assert client.get("/board").status_code == 403  # signed in (and refused: the page needs no service)
    clock.advance(timedelta(minutes=481))  # one shift (DUBAN_TOKEN_TTL_MINUTES) and a minute
    response = client.get("/board")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/board")
    assert "登录已过期，请重新登录。" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_page_the_role_may_not_open_is_refused_with_a_page(client: Any, make_user: Any) -> None:
    log_in(client, make_user(roles=(OPERATOR,)).username)
    response = client.get("/board")
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)


def test_logging_out_ends_the_session_on_the_server(client: Any, make_user: Any, db: Any) -> None:
    log_in(client, make_user(roles=(OPERATOR,)).username)
    page = client.get("/board").get_data(as_text=True)  # any page: its header has the logout form
    response = client.post("/logout", data={"csrf_token": csrf(page)})
    assert response.status_code == 302
    with db.read() as conn:
        tokens = conn.execute(sa.text("SELECT count(*) FROM ui_sessions WHERE data LIKE '%token%'")).scalar_one()
    assert tokens == 0
    after = client.get("/board")
    assert after.status_code == 302
    assert "登录已过期" not in client.get(after.headers["Location"]).get_data(as_text=True)


def test_the_navigation_shows_only_what_the_role_may_open(client: Any, make_user: Any) -> None:
    log_in(client, make_user(roles=(OPERATOR,)).username)
    page = client.get("/board").get_data(as_text=True)
    nav = page[page.index('<nav aria-label="主导航">'):page.index("</nav>")]
    assert "新建工单" in nav and "工单查询" in nav
    assert "监察看板" not in nav and "待派单" not in nav and "单位管理" not in nav


def test_pages_forbid_framing_and_foreign_scripts_and_signed_in_pages_are_not_cached(client: Any,
                                                                                   make_user: Any) -> None:
    public = client.get("/login")
    assert "script-src 'self'" in public.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in public.headers["Content-Security-Policy"]
    assert public.headers["X-Frame-Options"] == "DENY" and public.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" not in public.headers.get("Cache-Control", "")
    log_in(client, make_user(roles=(OPERATOR,)).username)
    assert client.get("/board").headers["Cache-Control"] == "no-store"
