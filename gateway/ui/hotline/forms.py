"""The hotline's forms. Their checks say in place what the service would refuse; the service still decides
(its 422 field errors are put back on these fields by ``apply_errors``)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from gateway.ui.forms import PHONE, KeyedForm, length, required
from gateway.ui.hotline import vocab


class TicketForm(KeyedForm):
    type = SelectField(_l("诉求类型"), choices=vocab.choices(vocab.TYPES), default="complaint")
    urgency = SelectField(_l("紧急程度"), choices=vocab.choices(vocab.URGENCIES), default="general")
    channel = SelectField(_l("来源渠道"), choices=vocab.choices(vocab.CHANNELS), default="phone")
    title = StringField(_l("标题"), validators=[required(), length(2, 200)],
                        render_kw={"autocomplete": "off"})
    content = TextAreaField(_l("诉求内容"), validators=[required(), length(2, 5000)])
    caller_name = StringField(_l("来电人姓名"), validators=[Optional(), Length(max=100)])
    caller_phone = StringField(_l("联系电话"), validators=[Optional(), Regexp(PHONE, message=_l("不是有效的电话号码"))],
                               render_kw={"inputmode": "tel"})
    address = StringField(_l("事发地址"), validators=[Optional(), Length(max=300)])
    confidential = BooleanField(_l("保密件（保护举报人）"))
    utility = BooleanField(_l("水电气热诉求"))

    def body(self) -> dict[str, Any]:
        # Empty optional fields are left out: the service takes "" as a value (and no phone as "abc").
        caller = {k: v.strip() for k, v in (("name", self.caller_name.data), ("phone", self.caller_phone.data))
                  if v and v.strip()}
        body = {"type": self.type.data, "urgency": self.urgency.data, "channel": self.channel.data,
                "title": self.title.data, "content": self.content.data, "caller": caller,
                "confidential": bool(self.confidential.data), "utility": bool(self.utility.data)}
        if self.address.data and self.address.data.strip():
            body["address"] = self.address.data.strip()
        return body


# Field names the service reports (nested ones dotted) → this form's fields.
TICKET_FIELDS = {"caller.name": "caller_name", "caller.phone": "caller_phone"}


class ContentForm(KeyedForm):
    content = TextAreaField(_l("内容"), validators=[required(), length(2, 5000)])


class AnswerForm(ContentForm):
    content = TextAreaField(_l("答复内容"), validators=[required(), length(2, 5000)])
    # The choices are the published articles matching the ticket (the page fills them); the service checks
    # whichever is sent, so an article published or retired meanwhile is refused in place.
    knowledge_id = SelectField(_l("依据的知识库条目"), choices=[], validate_choice=False)

    def body(self) -> dict[str, Any]:
        return {"content": self.content.data, **({"knowledge_id": self.knowledge_id.data}
                                                 if self.knowledge_id.data else {})}


class LegalChannelForm(KeyedForm):
    channel = SelectField(_l("法定途径"), choices=vocab.choices(vocab.LEGAL_CHANNELS))
    content = TextAreaField(_l("告知内容"), validators=[required(), length(2, 5000)])


class TransferForm(KeyedForm):
    service = SelectField(_l("转至"), choices=vocab.choices(vocab.EMERGENCY_SERVICES))
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])


class DispatchForm(KeyedForm):
    lead_department = SelectField(_l("主办单位"), validators=[required()], choices=[])
    co_departments = SelectMultipleField(_l("协办单位"), choices=[], validate_choice=False)
    note = TextAreaField(_l("派单意见"), validators=[Optional(), Length(max=2000)])

    def body(self) -> dict[str, Any]:
        co = [c for c in (self.co_departments.data or []) if c and c != self.lead_department.data]
        return {"lead_department": self.lead_department.data, "co_departments": co, "note": self.note.data or ""}


class ReturnForm(KeyedForm):
    reason = TextAreaField(_l("退单理由"), validators=[required(), length(5, 2000)])


class ReturnReviewForm(KeyedForm):
    accept = RadioField(_l("审核结果"), choices=vocab.choices([("yes", _l("同意退单")), ("no", _l("驳回"))]),
                        validators=[InputRequired(_l("请选择审核结果"))])
    comment = TextAreaField(_l("审核意见"), validators=[Optional(), Length(max=2000)])
    lead_department = SelectField(_l("改派主办单位（可选）"), choices=[], validate_choice=False)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"accept": self.accept.data == "yes", "comment": self.comment.data or ""}
        if body["accept"] and self.lead_department.data:
            body["lead_department"] = self.lead_department.data
        return body


class ExtensionForm(KeyedForm):
    # 延期 ≤ 10 working days in all (Beijing draft standard).
    days = IntegerField(_l("延期工作日数"), validators=[InputRequired(_l("此项必填")), NumberRange(
        min=1, max=10, message=_l("应为 1–10 个工作日"))])
    reason = TextAreaField(_l("延期理由"), validators=[required(), length(5, 2000)])


class ExtensionReviewForm(KeyedForm):
    approve = RadioField(_l("审核结果"), choices=vocab.choices([("yes", _l("同意延期")), ("no", _l("驳回"))]),
                         validators=[InputRequired(_l("请选择审核结果"))])
    comment = TextAreaField(_l("审核意见"), validators=[Optional(), Length(max=2000)])

    def body(self) -> dict[str, Any]:
        return {"approve": self.approve.data == "yes", "comment": self.comment.data or ""}


class NoteForm(KeyedForm):
    note = TextAreaField(_l("催办意见"), validators=[required(), length(2, 2000)])


class ReplyForm(KeyedForm):
    content = TextAreaField(_l("答复内容"), validators=[required(), length(2, 5000)])


class AssistForm(KeyedForm):
    content = TextAreaField(_l("协办意见"), validators=[required(), length(2, 5000)])


class CallbackForm(KeyedForm):
    satisfaction = RadioField(_l("满意度"), choices=vocab.choices(vocab.SATISFACTION),
                              validators=[InputRequired(_l("请选择满意度"))])
    note = TextAreaField(_l("回访记录"), validators=[Optional(), Length(max=2000)])
    justified = BooleanField(_l("不满意理由成立，重办"))
    answer_wrong = BooleanField(_l("知识库答复有误，交主管单位纠错（仅限依据知识库条目直接答复的工单）"))


def fit_callback(form: CallbackForm, ticket: dict[str, Any]) -> CallbackForm:
    """The "answer wrong" box only where it can apply: a direct answer given from a knowledge-base article
    (kept when the service refused it, so its message stays in place)."""
    if not ticket.get("knowledge") and not form.answer_wrong.errors:
        del form.answer_wrong
    return form


class CloseForm(KeyedForm):
    reason = TextAreaField(_l("办结说明"), validators=[required(), length(2, 2000)])


class MergeForm(KeyedForm):
    into = StringField(_l("并入工单（编号）"), validators=[required(), Length(max=36)])


def plain_body(form: FlaskForm) -> dict[str, Any]:
    """A form's fields as the service's request body (the CSRF token and key left out)."""
    if hasattr(form, "body"):
        return form.body()
    return {name: field.data for name, field in form._fields.items()
            if name not in ("csrf_token", "idempotency_key")}
