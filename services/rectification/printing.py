"""The printable 整改通知书: an HTML page with an A4 print stylesheet, its number, seal area and dates."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from services.rectification.model import Notice
from services.rectification.rules import SourceKind, label

INTRO = {
    SourceKind.RED_CARD: "电子监察系统对你单位亮出红牌，经督查核实，存在下列问题，现通知你单位限期整改。",
    SourceKind.SPOT_CHECK: "在“双随机、一公开”抽查中发现下列问题，现通知你单位督促整改并跟踪复查。",
    SourceKind.CALLBACK: "12345热线工单回访中，诉求人不满意且经核实属实，现通知你单位限期整改。",
    SourceKind.REVIEW: "政务服务“好差评”差评经回访核实，整改后评价人仍不满意，现通知你单位限期整改。",
    SourceKind.MANUAL: "经督查发现，你单位存在下列问题，现通知你单位限期整改。",
}


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("services.rectification", "templates"),
                       autoescape=select_autoescape(["html"]))


def chinese_date(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.year}年{local.month}月{local.day}日"


def chinese_deadline(moment: datetime, tz: ZoneInfo) -> str:
    """A deadline at the close of a day (local midnight) reads as that day's 24时, the way notices write it."""
    local = moment.astimezone(tz)
    if (local.hour, local.minute) == (0, 0):
        return chinese_date(local - timedelta(minutes=1), tz) + "24时"
    return f"{chinese_date(local, tz)}{local.hour}时{local.minute:02d}分"


def render_notice(notice: Notice, *, department_name: str, tz: ZoneInfo) -> str:
    ref = notice.source_ref
    source = label(notice.source_kind) + (f"（{ref['number']}）" if ref.get("number") else "")
    return _environment().get_template("notice.html").render(
        notice=notice, department=department_name, intro=INTRO[notice.source_kind], source=source,
        due=chinese_deadline(notice.due_at, tz), issued=chinese_date(notice.issued_at, tz),
        status=label(notice.status))
