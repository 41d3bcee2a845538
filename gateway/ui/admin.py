"""The administrator's screens: departments, users, the year's holiday schedule and the rules.

They read and write the gateway's own APIs (``/api/directory/v1``, ``/api/calendar/v1``, ``/api/rules/v1``)
with the admin's token, like every other screen.
"""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, Regexp

from gateway.ui import client
from gateway.ui.access import MenuEntry, signed_in, ui_blueprint
from gateway.ui.client import ServiceError
from gateway.ui.forms import KeyedForm, apply_errors, required, send
from gateway.ui.hotline.vocab import choices
from shared.roles import ADMIN

blueprint = ui_blueprint("ui_admin", __name__)
MENU = (
    MenuEntry(_l("单位管理"), "ui_admin.departments", (ADMIN,)),
    MenuEntry(_l("用户管理"), "ui_admin.users", (ADMIN,)),
    MenuEntry(_l("节假日安排"), "ui_admin.calendar", (ADMIN,)),
    MenuEntry(_l("规则配置"), "ui_admin.rules", (ADMIN,)),
)
START = {ADMIN: "ui_admin.departments"}

DIRECTORY, CALENDAR, RULES = "/api/directory/v1", "/api/calendar/v1", "/api/rules/v1"
KINDS = {"bureau": _l("委办局"), "district": _l("区县"), "utility": _l("公用企业"), "other": _l("其他")}
ROLE_CHOICES = {"operator": _l("话务员"), "dispatcher": _l("派单员"), "department": _l("承办单位"),
                "inspector": _l("纪检监察"), "admin": _l("管理员")}
DAY_KINDS = {"holiday": _l("放假"), "workday": _l("调休上班")}


class DepartmentForm(KeyedForm):
    code = StringField(_l("编码"), validators=[required(), Regexp(r"^[a-z][a-z0-9_-]{1,31}$", message=_l(
        "小写字母开头，2–32 位小写字母、数字、-、_"))])
    name = StringField(_l("名称"), validators=[required(), Length(max=100)])
    kind = SelectField(_l("类别"), choices=choices(KINDS))
    utility = BooleanField(_l("水电气热单位"))


class UserForm(KeyedForm):
    username = StringField(_l("用户名"), validators=[required(), Length(max=64)])
    display_name = StringField(_l("姓名"), validators=[required(), Length(max=100)])
    password = PasswordField(_l("初始密码"), validators=[required(), Length(min=10, max=1024, message=_l(
        "至少 10 位"))], render_kw={"autocomplete": "new-password"})
    roles = SelectMultipleField(_l("角色"), choices=choices(ROLE_CHOICES), validators=[required()])
    departments = SelectMultipleField(_l("所属单位（承办单位角色）"), choices=[], validate_choice=False)


class YearForm(FlaskForm):
    year = IntegerField(_l("年份"), validators=[required(), NumberRange(min=2000, max=2100)])
    days = TextAreaField(_l("安排（每行：日期 放假或调休上班 节日名称）"), validators=[required()],
                         render_kw={"rows": 16, "spellcheck": "false"})


class RulesForm(FlaskForm):
    document = TextAreaField(_l("与默认值不同的规则（JSON）"), validators=[required()],
                             render_kw={"rows": 14, "spellcheck": "false"})
    note = StringField(_l("依据或说明"), validators=[Optional(), Length(max=200)])


def _all_departments() -> list[dict[str, Any]]:
    return client.get(f"{DIRECTORY}/departments", page_size=200)["items"]


@blueprint.route("/admin/departments", methods=["GET", "POST"])
@signed_in(ADMIN)
def departments() -> Any:
    """单位管理: every department, a form to add one, and switching one on or off."""
    form = DepartmentForm()
    body = {k: form[k].data for k in ("code", "name", "kind")} | {"utility": bool(form.utility.data)}
    if request.method == "POST" and form.validate() and send(form, f"{DIRECTORY}/departments", body):
        flash(_("已新增单位 %(name)s。", name=body["name"]), "success")
        return redirect(url_for("ui_admin.departments"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("ui/admin/departments.html", form=form, departments=_all_departments(),
                           kinds=KINDS), status


@blueprint.post("/admin/departments/<code>/active")
@signed_in(ADMIN)
def toggle_department(code: str) -> Any:
    """停用或启用 a department (its tickets stay; it is no longer offered for dispatch)."""
    active = request.form.get("active") == "1"
    client.call("PATCH", f"{DIRECTORY}/departments/{code}", body={"active": active})
    flash(_("已启用。") if active else _("已停用。"), "success")
    return redirect(url_for("ui_admin.departments"))


@blueprint.route("/admin/users", methods=["GET", "POST"])
@signed_in(ADMIN)
def users() -> Any:
    """用户管理: the logins, and a form to add one (department staff name their department)."""
    form = UserForm()
    form.departments.choices = choices([(d["code"], d["name"]) for d in _all_departments()])
    body = {"username": form.username.data, "display_name": form.display_name.data,
            "password": form.password.data, "roles": form.roles.data, "departments": form.departments.data}
    if request.method == "POST" and form.validate() and send(form, f"{DIRECTORY}/users", body):
        flash(_("已新增用户 %(name)s。", name=body["username"]), "success")
        return redirect(url_for("ui_admin.users"))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = client.get(f"{DIRECTORY}/users", page=page, page_size=50)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("ui/admin/users.html", form=form, found=found, roles=ROLE_CHOICES), status


def _parse_days(text: str) -> list[dict[str, str]]:
    """``2027-02-06 holiday 春节`` lines (放假/调休上班 accepted too) → the calendar API's days."""
    words = {"holiday": "holiday", "放假": "holiday", "workday": "workday", "调休上班": "workday", "上班": "workday"}
    days = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        parts = line.split(maxsplit=2)
        if len(parts) < 2 or parts[1] not in words:
            raise ValueError(line)
        days.append({"date": parts[0], "kind": words[parts[1]], "name": parts[2] if len(parts) > 2 else ""})
    return days


@blueprint.route("/admin/calendar", methods=["GET", "POST"])
@signed_in(ADMIN)
def calendar() -> Any:
    """节假日安排: the years entered and the package's coverage; enter or correct a year's schedule."""
    form = YearForm()
    if request.method == "GET" and request.args.get("year", "").isdigit():
        year = int(request.args["year"])
        try:
            entered = client.get(f"{CALENDAR}/years/{year}")
        except ServiceError as error:
            if error.status != 404:
                raise
        else:
            form.year.data = year
            form.days.data = "\n".join(f"{d['date']} {d['kind']} {d.get('name', '')}".strip() for d in entered["days"])
    if request.method == "POST" and form.validate():
        try:
            days = _parse_days(form.days.data or "")
            client.call("PUT", f"{CALENDAR}/years/{form.year.data}", body={"days": days})
        except ValueError as error:
            form.days.errors = [_("无法识别的一行：%(line)s", line=str(error))]
        except ServiceError as error:
            if error.status != 422:
                raise
            apply_errors(form, error)
        else:
            flash(_("%(year)s 年节假日安排已保存。", year=form.year.data), "success")
            return redirect(url_for("ui_admin.calendar", year=form.year.data))
    years = client.get(f"{CALENDAR}/years")
    status = 422 if form.errors or form.form_errors else 200
    return render_template("ui/admin/calendar.html", form=form, years=years, day_kinds=DAY_KINDS), status


@blueprint.route("/admin/rules", methods=["GET", "POST"])
@signed_in(ADMIN)
def rules() -> Any:
    """规则配置: the rules in force, the versions published, and publishing a new one."""
    form = RulesForm()
    current = client.get(RULES)
    if request.method == "GET":
        form.document.data = json.dumps(current.get("document") or {}, ensure_ascii=False, indent=2)
    if request.method == "POST" and form.validate():
        try:
            document = json.loads(form.document.data or "")
            client.call("PUT", RULES, body={"document": document, "note": form.note.data or ""})
        except json.JSONDecodeError as error:
            form.document.errors = [_("不是有效的 JSON：%(e)s", e=str(error))]
        except ServiceError as error:
            if error.status != 422:
                raise
            apply_errors(form, error)
        else:
            flash(_("已发布新版本规则。"), "success")
            return redirect(url_for("ui_admin.rules"))
    versions = client.get(f"{RULES}/versions", page_size=20)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("ui/admin/rules.html", form=form, current=current, versions=versions,
                           effective=json.dumps(current.get("effective") or {}, ensure_ascii=False, indent=2)), status
