"""The administrator's screens on the embedded suite: departments, users, holiday years, rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from shared.clock import ManualClock
from tests.uisuite import DEMO_PASSWORD, MONDAY_9AM, csrf, demo_suite, keyed_form


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    built = demo_suite(tmp_path_factory.mktemp("admin"), ManualClock(MONDAY_9AM))
    yield built
    built.close()


@pytest.fixture
def admin(suite: Any) -> Client:
    client = Client(suite.wsgi)
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": csrf(page), "username": "admin", "password": DEMO_PASSWORD})
    return client


def errors(response: Any) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]+)', response.get_data(as_text=True))


def test_an_admin_adds_a_department_and_switches_it_off(admin: Client, suite: Any) -> None:
    added = admin.post("/admin/departments", data=keyed_form(admin, "/admin/departments", code="xqjs",
                                                             name="新区建设局", kind="bureau"))
    assert added.status_code == 302
    page = admin.get("/admin/departments").get_data(as_text=True)
    assert "新区建设局" in page
    off = admin.post("/admin/departments/xqjs/active", data={"csrf_token": csrf(page), "active": "0"})
    assert off.status_code == 302
    row = re.search(r"<td>xqjs</td>.*?</tr>", admin.get("/admin/departments").get_data(as_text=True), re.S)
    assert row and "停用" in row.group(0) and "启用</button>" in row.group(0)


def test_a_taken_department_name_is_said_in_place(admin: Client) -> None:
    response = admin.post("/admin/departments", data=keyed_form(admin, "/admin/departments", code="dup",
                                                                name="市教育局", kind="bureau"))
    assert response.status_code == 422 and errors(response)


def test_an_admin_adds_a_department_user_who_then_logs_in(admin: Client, suite: Any) -> None:
    form = keyed_form(admin, "/admin/users", username="li-jyj", display_name="李老师", password="jiaoyu-2026-x",
                      roles="department", departments="jyj")
    assert admin.post("/admin/users", data=form).status_code == 302
    assert "li-jyj" in admin.get("/admin/users").get_data(as_text=True)
    user = Client(suite.wsgi)
    page = user.get("/login").get_data(as_text=True)
    login = user.post("/login", data={"csrf_token": csrf(page), "username": "li-jyj", "password": "jiaoyu-2026-x"})
    assert login.headers["Location"] == "/inbox"


def test_a_weak_password_is_refused_in_place(admin: Client) -> None:
    form = keyed_form(admin, "/admin/users", username="weak", display_name="弱密码", password="short",
                      roles="operator")
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 422 and "至少 10 位" in errors(response)


def test_an_admin_enters_a_year_and_sees_it_listed(admin: Client) -> None:
    page = admin.get("/admin/calendar").get_data(as_text=True)
    saved = admin.post("/admin/calendar", data={"csrf_token": csrf(page), "year": "2027",
                                                "days": "2027-02-06 放假 春节\n2027-02-14 调休上班 春节"})
    assert saved.status_code == 302
    again = admin.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "2027-02-06 holiday 春节" in again and ">2027</a>" in again
    bad = admin.post("/admin/calendar", data={"csrf_token": csrf(page), "year": "2027", "days": "2027-03-01 休息"})
    assert bad.status_code == 422 and "无法识别的一行" in errors(bad)[0]


def test_an_admin_publishes_rules_and_bad_json_is_refused_in_place(admin: Client) -> None:
    page = admin.get("/admin/rules").get_data(as_text=True)
    published = admin.post("/admin/rules", data={"csrf_token": csrf(page), "note": "测试",
                                                 "document": '{"monitoring": {"red_after_workdays": 4}}'})
    assert published.status_code == 302
    assert "现行第 1 版" in admin.get("/admin/rules").get_data(as_text=True)
    bad = admin.post("/admin/rules", data={"csrf_token": csrf(page), "document": "{oops"})
    assert bad.status_code == 422 and "不是有效的 JSON" in errors(bad)[0]
