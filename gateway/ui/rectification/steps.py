"""The steps a notice's and a review's pages offer: their forms, who may take them and in which states (the
service decides; the page shows only what could be allowed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from gateway.ui.forms import KeyedForm, length, required
from gateway.ui.hotline.vocab import choices
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR

LEVELS = {"5": _l("非常满意"), "4": _l("满意"), "3": _l("基本满意"), "2": _l("不满意"), "1": _l("非常不满意")}
OPEN_FOR_DEPARTMENT = ("issued", "acknowledged", "returned")


class ReportForm(KeyedForm):
    measures = TextAreaField(_l("整改措施"), validators=[required(), length(5, 10_000)])

    def body(self) -> dict[str, Any]:
        return {"measures": self.measures.data, "evidence": []}


class ExtensionForm(KeyedForm):
    days = IntegerField(_l("延期工作日数"), validators=[InputRequired(_l("此项必填")), NumberRange(1, 60)])
    reason = TextAreaField(_l("延期理由"), validators=[required(), length(5, 1000)])


class VerifyForm(KeyedForm):
    result = RadioField(_l("验收结果"), choices=choices([("pass", _l("通过，销号")), ("fail", _l("不通过，退回重改"))]),
                        validators=[InputRequired(_l("请选择验收结果"))])
    comment = TextAreaField(_l("验收意见"), validators=[Optional(), length(0, 2000)])


class DecisionForm(KeyedForm):
    approve = RadioField(_l("审核结果"), choices=choices([("yes", _l("同意延期")), ("no", _l("驳回"))]),
                         validators=[InputRequired(_l("请选择审核结果"))])
    comment = TextAreaField(_l("审核意见"), validators=[Optional(), length(0, 1000)])

    def body(self) -> dict[str, Any]:
        return {"approve": self.approve.data == "yes", "comment": self.comment.data or ""}


class NoticeForm(KeyedForm):
    findings = TextAreaField(_l("存在的问题"), validators=[required(), length(2, 5000)])
    requirements = TextAreaField(_l("整改要求"), validators=[Optional(), length(0, 5000)])
    deadline_days = IntegerField(_l("整改期限（工作日，默认按规则）"), validators=[Optional(), NumberRange(1, 120)])

    def body(self) -> dict[str, Any]:
        return {"findings": self.findings.data, "requirements": self.requirements.data or "",
                "deadline_days": self.deadline_days.data}


class IssueForm(NoticeForm):
    department = SelectField(_l("被通知单位"), validators=[required()], choices=[])

    def body(self) -> dict[str, Any]:
        return {"department": self.department.data, **super().body()}


class CallbackForm(KeyedForm):
    confirmed = RadioField(_l("核实结果"), choices=choices([("yes", _l("属实，交单位整改")), ("no", _l("不属实"))]),
                           validators=[InputRequired(_l("请选择核实结果"))])
    note = TextAreaField(_l("回访记录（不属实时必填）"), validators=[Optional(), length(0, 2000)])

    def body(self) -> dict[str, Any]:
        return {"confirmed": self.confirmed.data == "yes", "note": self.note.data or ""}


class RespondForm(KeyedForm):
    text = TextAreaField(_l("整改或说明情况"), validators=[required(), length(5, 10_000)])

    def body(self) -> dict[str, Any]:
        return {"text": self.text.data, "evidence": []}


class AppealForm(KeyedForm):
    reason = TextAreaField(_l("申诉理由"), validators=[required(), length(5, 2000)])


class AppealDecisionForm(KeyedForm):
    upheld = RadioField(_l("复核结论"), choices=choices([("yes", _l("申诉成立，差评不计")), ("no", _l("申诉不成立"))]),
                        validators=[InputRequired(_l("请选择复核结论"))])
    comment = TextAreaField(_l("复核意见"), validators=[required(), length(2, 2000)])

    def body(self) -> dict[str, Any]:
        return {"upheld": self.upheld.data == "yes", "comment": self.comment.data}


class RateForm(KeyedForm):
    level = RadioField(_l("评价人对整改结果的评价"), choices=choices(LEVELS), validators=[InputRequired(_l("请选择"))])
    comment = TextAreaField(_l("评价人意见"), validators=[Optional(), length(0, 1000)])

    def body(self) -> dict[str, Any]:
        return {"level": int(self.level.data), "comment": self.comment.data or ""}


@dataclass(frozen=True)
class Step:
    name: str                 # the API's path segment after /notices/<id>/ or /reviews/<id>/
    label: Any
    form: type[KeyedForm] | None
    roles: tuple[str, ...]
    statuses: tuple[str, ...]
    own: bool = False         # only the department the case is about (staff of another see nothing)
    done: Any = ""

    @property
    def slug(self) -> str:
        return self.name.replace("/", "-")


NOTICE_STEPS: dict[str, Step] = {s.slug: s for s in (
    Step("acknowledge", _l("签收"), None, (DEPARTMENT,), ("issued",), own=True, done=_l("已签收。")),
    Step("report", _l("报送整改报告"), ReportForm, (DEPARTMENT,), OPEN_FOR_DEPARTMENT, own=True,
         done=_l("整改报告已报送，等待验收。")),
    Step("extension", _l("申请延期"), ExtensionForm, (DEPARTMENT,), OPEN_FOR_DEPARTMENT, own=True,
         done=_l("延期申请已提交。")),
    Step("verify", _l("验收"), VerifyForm, (INSPECTOR,), ("reported",), done=_l("验收结果已记录。")),
    Step("extension/decision", _l("审核延期"), DecisionForm, (INSPECTOR,), OPEN_FOR_DEPARTMENT,
         done=_l("延期申请已审核。")),
)}

REVIEW_STEPS: dict[str, Step] = {s.slug: s for s in (
    Step("callback", _l("回访核实"), CallbackForm, (DISPATCHER, INSPECTOR), ("pending_callback",),
         done=_l("回访核实已记录。")),
    Step("rectify", _l("整改"), RespondForm, (DEPARTMENT,), ("confirmed",), own=True, done=_l("整改情况已提交。")),
    Step("explain", _l("解释说明"), RespondForm, (DEPARTMENT,), ("confirmed",), own=True, done=_l("说明已提交。")),
    Step("appeal", _l("申诉复核"), AppealForm, (DEPARTMENT,), ("confirmed",), own=True, done=_l("申诉已提交。")),
    Step("decide", _l("复核申诉"), AppealDecisionForm, (INSPECTOR,), ("appealed",), done=_l("申诉已复核。")),
    Step("rate", _l("记录评价人反馈"), RateForm, (DISPATCHER, INSPECTOR), ("rectified", "explained"),
         done=_l("评价人反馈已记录，本条评价办结。")),
    Step("notice", _l("下发整改通知书"), NoticeForm, (INSPECTOR,), ("recorded",), done=_l("整改通知书已下发。")),
)}


def pending_extension(notice: dict[str, Any]) -> bool:
    return any(h["action"] == "extension_requested" and not h.get("decided") for h in notice.get("history", []))


def notice_steps(notice: dict[str, Any], user: Any) -> list[Step]:
    found = []
    for step in NOTICE_STEPS.values():
        if notice["status"] not in step.statuses or not _may(step, notice, user):
            continue
        if step.name == "extension" and pending_extension(notice):
            continue
        if step.name == "extension/decision" and not pending_extension(notice):
            continue
        found.append(step)
    return found


def review_steps(review: dict[str, Any], user: Any) -> list[Step]:
    found = []
    for step in REVIEW_STEPS.values():
        if review["status"] not in step.statuses or not _may(step, review, user):
            continue
        if step.name == "appeal" and review.get("appealed"):
            continue
        if step.name == "notice" and not (review["channel"] == "callback" and review["bad"]
                                          and not review.get("notice_id")
                                          and (review.get("history") or [{}])[0].get("justified")):
            continue
        found.append(step)
    return found


def _may(step: Step, case: dict[str, Any], user: Any) -> bool:
    if not user.has_any(*step.roles):
        return False
    return not step.own or case["department"] in user.departments
