"""``/api/monitoring/v1/calendar``: whether the working-day calendar knows this year and the next.

The board shows the warning while next year's holiday schedule is unknown: deadlines reaching into it
are counted with weekends only and flagged provisional until an admin enters the year (DESIGN §5).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, fields

from services.monitoring.handlers import BOARD_ROLES, Monitoring
from shared.appcontext import service_context
from shared.auth import require_principal
from shared.calendar import WorkCalendar
from shared.web import Blueprint

SOURCE_LABELS = {"entered": "管理员录入", "file": "配置文件", "package": "内置日历", None: "未知（仅按周末推算）"}

calendar_blp = Blueprint("monitoring-calendar", __name__, url_prefix="/api/monitoring/v1",
                         description="工作日历状态：本年与下一年的节假日安排是否已知")


class YearStatusSchema(Schema):
    year = fields.Integer()
    known = fields.Boolean()
    source = fields.String(allow_none=True, metadata={"description": "entered / file / package / null"})
    source_label = fields.String()


class CalendarStatusSchema(Schema):
    today = fields.Date()
    years = fields.List(fields.Nested(YearStatusSchema))
    warning = fields.String(allow_none=True, metadata={"description": "shown on the board while set"})


def calendar_status(calendar: WorkCalendar, now: datetime) -> dict[str, Any]:
    """This year and the next: known or not and from where, and the board's warning if next is unknown."""
    today = now.astimezone(calendar.tz).date()
    years = []
    for year in (today.year, today.year + 1):
        source = calendar.source_of(year)
        years.append({"year": year, "known": source is not None, "source": source,
                      "source_label": SOURCE_LABELS[source]})
    unknown = [y["year"] for y in years if not y["known"]]
    warning = None
    if unknown:
        listed = "、".join(f"{y}年" for y in unknown)
        warning = (f"{listed}节假日安排尚未录入：涉及该年的工作日时限暂按周末推算（标记为暂定）。"
                   f"请管理员按国务院办公厅通知录入（duban calendar set-year）。 / holiday schedule for "
                   f"{', '.join(map(str, unknown))} not entered: deadlines reaching into it are provisional.")
    return {"today": today, "years": years, "warning": warning}


@calendar_blp.route("/calendar")
@calendar_blp.response(200, CalendarStatusSchema)
def get_calendar_status() -> dict[str, Any]:
    """工作日历状态 / whether the holiday calendar knows this year and the next (warning if not)."""
    require_principal(*BOARD_ROLES)
    monitoring: Monitoring = service_context()
    return calendar_status(monitoring.calendar, monitoring.db.clock.now())
