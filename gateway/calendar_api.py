"""``/api/calendar/v1``: the holiday years an admin enters (节假日安排), for the admin screens.

GET the years (entered ones and the package's coverage), GET one year's days, PUT a year. Admin only.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from gateway import calendar_years
from gateway.calendar_years import EnteredYear
from shared.appcontext import service_db
from shared.auth import ADMIN, require_principal
from shared.calendar import package_years
from shared.calendar_schedule import NAME_MAX, DayKind, ScheduleError, YearSchedule
from shared.errors import InvalidInput
from shared.web import Blueprint

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
MAX_DAYS = 366

calendar_blp = Blueprint("calendar", __name__, url_prefix="/api/calendar/v1",
                         description="工作日历：录入年度节假日安排（放假与调休上班） / the holiday schedule of a year")


class DaySchema(Schema):
    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in DayKind]),
                         metadata={"description": "holiday 放假 / workday 调休上班"})
    kind_label = fields.String(dump_only=True)
    name = fields.String(load_default="", validate=validate.Length(max=NAME_MAX),
                         metadata={"description": "节日名称，如 春节"})


class YearUpdateSchema(Schema):
    days = fields.List(fields.Nested(DaySchema), required=True, validate=validate.Length(min=1, max=MAX_DAYS))


class YearSummarySchema(Schema):
    year = fields.Integer()
    version = fields.Integer()
    updated_at = fields.DateTime()
    updated_by = fields.String()
    holidays = fields.Integer(metadata={"description": "放假天数（列出的）"})
    workdays = fields.Integer(metadata={"description": "调休上班天数"})


class YearReadSchema(YearSummarySchema):
    days = fields.List(fields.Nested(DaySchema))


class PackageYearsSchema(Schema):
    first = fields.Integer()
    last = fields.Integer()


class YearsSchema(Schema):
    entered = fields.List(fields.Nested(YearSummarySchema))
    package = fields.Nested(PackageYearsSchema, metadata={"description": "chinesecalendar 内置的年份"})


def _summary(entered: EnteredYear) -> dict[str, Any]:
    return {"year": entered.year, "version": entered.version, "updated_at": entered.updated_at,
            "updated_by": entered.updated_by, "holidays": entered.holidays, "workdays": entered.workdays}


def _view(entered: EnteredYear) -> dict[str, Any]:
    days = [{"date": d.day, "kind": d.kind.value, "kind_label": d.kind.label, "name": d.name}
            for d in entered.schedule.days]
    return {**_summary(entered), "days": days}


@calendar_blp.route("/years")
class Years(MethodView):
    @calendar_blp.doc(security=BEARER)
    @calendar_blp.response(200, YearsSchema)
    def get(self) -> dict[str, Any]:
        """已录入的年份（管理员） / the entered years and the years the package knows (admin)"""
        require_principal(ADMIN)
        first, last = package_years()
        return {"entered": [_summary(y) for y in calendar_years.list_years(db=service_db())],
                "package": {"first": first, "last": last}}


@calendar_blp.route("/years/<int:year>")
class Year(MethodView):
    @calendar_blp.doc(security=BEARER)
    @calendar_blp.response(200, YearReadSchema)
    def get(self, year: int) -> dict[str, Any]:
        """某年的节假日安排（管理员） / one entered year's days (admin)"""
        require_principal(ADMIN)
        return _view(calendar_years.get_year(db=service_db(), year=year))

    @calendar_blp.doc(security=BEARER)
    @calendar_blp.arguments(YearUpdateSchema)
    @calendar_blp.response(200, YearReadSchema)
    def put(self, body: dict[str, Any], year: int) -> dict[str, Any]:
        """录入或替换某年的节假日安排（管理员） / enter or replace a year's schedule (admin)

        The days listed are the notice's holidays and make-up working days; every other day of the year
        is a working day Monday to Friday. The same days again change nothing (no new version).
        """
        principal = require_principal(ADMIN)
        try:
            schedule = YearSchedule.from_data(year, [{**d, "date": d["date"].isoformat()} for d in body["days"]])
        except ScheduleError as exc:
            raise InvalidInput(f"节假日安排有误 / invalid schedule: {exc}", {exc.field: [str(exc)]}) from exc
        entered, _changed = calendar_years.set_year(db=service_db(), actor=principal.actor, schedule=schedule,
                                                    correlation_id=g.correlation_id)
        return _view(entered)
