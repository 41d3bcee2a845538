"""The hotline's words on the pages (the API's values → labels in the page's language)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

TYPES = {"consultation": _l("咨询"), "help": _l("求助"), "complaint": _l("投诉"), "report": _l("举报"),
         "suggestion": _l("建议"), "praise": _l("表扬")}
URGENCIES = {"general": _l("一般"), "emergency": _l("紧急"), "complex": _l("疑难")}
CHANNELS = {"phone": _l("电话"), "web": _l("网站"), "app": _l("移动端"), "wechat": _l("微信"), "sms": _l("短信"),
            "email": _l("电子邮件"), "open311": _l("Open311")}
STATUSES = {"received": _l("已受理"), "dispatched": _l("已派单"), "signed": _l("办理中"),
            "return_requested": _l("退单审核中"), "replied": _l("已答复待回访"), "reopened": _l("重办"),
            "closed": _l("已办结"), "merged": _l("已并单")}
# 国办发〔2019〕51号: five satisfaction levels, best first; the bottom two are bad reviews.
SATISFACTION = {"very_satisfied": _l("非常满意"), "satisfied": _l("满意"), "basically_satisfied": _l("基本满意"),
                "dissatisfied": _l("不满意"), "very_dissatisfied": _l("非常不满意")}
EMERGENCY_SERVICES = {"110": _l("110 报警"), "119": _l("119 火警"), "120": _l("120 急救"), "122": _l("122 交通事故")}
LEGAL_CHANNELS = {"litigation": _l("诉讼"), "arbitration": _l("仲裁"), "petition": _l("信访"),
                  "administrative_review": _l("行政复议"), "other": _l("其他法定途径")}
ACTIONS = {"received": _l("受理"), "answered": _l("直接答复"), "legal_channel": _l("引导依法依规解决"),
           "transferred": _l("转紧急警务"), "dispatched": _l("派单"), "signed": _l("签收"),
           "return_requested": _l("申请退单"), "return_accepted": _l("同意退单"), "return_rejected": _l("驳回退单"),
           "extension_requested": _l("申请延期"), "extension_approved": _l("同意延期"),
           "extension_rejected": _l("驳回延期"), "urged": _l("催办"), "assisted": _l("协办意见"),
           "replied": _l("答复"), "callback_recorded": _l("回访"), "reopened": _l("重办"), "closed": _l("办结"),
           "merged": _l("并单"), "merged_in": _l("并入重复工单")}


def choices(labels: dict[str, Any] | list[tuple[str, Any]]) -> list[SelectChoice]:
    """Options of a select or radio field, from value → label pairs."""
    pairs = labels.items() if isinstance(labels, dict) else labels
    return [SelectChoice(value=value, label=text) for value, text in pairs]


def label(labels: dict[str, Any], value: str | None) -> str:
    return str(labels.get(value, value)) if value else "—"
