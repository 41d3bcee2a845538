"""Every step a ticket's page offers, with who may take it and in which states (the service decides)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from gateway.ui.hotline import forms as f
from shared.roles import DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR

OPEN_FOR_DEPARTMENT = ("dispatched", "signed", "reopened")


@dataclass(frozen=True)
class Action:
    name: str                       # the API's path segment after /tickets/<id>/
    label: Any
    form: type[FlaskForm] | None
    roles: tuple[str, ...]
    statuses: tuple[str, ...]
    lead_only: bool = False         # department steps only the lead unit takes (a co-unit assists)
    done: Any = ""                  # the confirmation shown after it

    @property
    def slug(self) -> str:
        return self.name.replace("/", "-")


ACTIONS: dict[str, Action] = {a.slug: a for a in (
    Action("answer", _l("直接答复"), f.AnswerForm, (OPERATOR, DISPATCHER), ("received",), done=_l("已直接答复。")),
    Action("legal-channel", _l("引导依法依规解决"), f.LegalChannelForm, (OPERATOR, DISPATCHER), ("received",),
           done=_l("已告知法定途径。")),
    Action("transfer", _l("转紧急警务"), f.TransferForm, (OPERATOR, DISPATCHER), ("received",),
           done=_l("已转紧急警务。")),
    Action("dispatch", _l("派单"), f.DispatchForm, (DISPATCHER,), ("received",), done=_l("已派单。")),
    Action("sign", _l("签收"), None, (DEPARTMENT,), ("dispatched", "reopened"), lead_only=True, done=_l("已签收。")),
    Action("reply", _l("答复"), f.ReplyForm, (DEPARTMENT,), ("signed",), lead_only=True, done=_l("已答复。")),
    Action("return", _l("申请退单"), f.ReturnForm, (DEPARTMENT,), OPEN_FOR_DEPARTMENT, lead_only=True,
           done=_l("退单申请已提交。")),
    Action("extension", _l("申请延期"), f.ExtensionForm, (DEPARTMENT,), ("signed",), lead_only=True,
           done=_l("延期申请已提交。")),
    Action("assist", _l("协办意见"), f.AssistForm, (DEPARTMENT,), OPEN_FOR_DEPARTMENT, done=_l("协办意见已提交。")),
    Action("return/review", _l("审核退单"), f.ReturnReviewForm, (DISPATCHER,), ("return_requested",),
           done=_l("退单已审核。")),
    Action("extension/review", _l("审核延期"), f.ExtensionReviewForm, (DISPATCHER,), ("signed",),
           done=_l("延期已审核。")),
    Action("callback", _l("回访"), f.CallbackForm, (DISPATCHER,), ("replied",), done=_l("回访已记录。")),
    Action("close", _l("办结（无法回访）"), f.CloseForm, (DISPATCHER,), ("replied",), done=_l("已办结。")),
    Action("merge", _l("并单"), f.MergeForm, (DISPATCHER,), ("received", "dispatched"), done=_l("已并单。")),
    Action("urge", _l("催办"), f.NoteForm, (DISPATCHER, INSPECTOR), (*OPEN_FOR_DEPARTMENT, "return_requested"),
           done=_l("已催办。")),
)}


def available(ticket: dict[str, Any], user: Any) -> list[Action]:
    """The steps this user may take on this ticket now (the page shows only these)."""
    found = []
    for action in ACTIONS.values():
        if ticket["status"] not in action.statuses or not user.has_any(*action.roles):
            continue
        if DEPARTMENT in action.roles and not user.has_any(DISPATCHER, OPERATOR, INSPECTOR):
            lead = ticket.get("lead_department")
            is_lead = lead in user.departments
            if action.lead_only and not is_lead:
                continue
            if action.name == "assist" and is_lead:
                continue
        if action.name == "extension/review" and (ticket.get("extension") or {}).get("status") != "pending":
            continue
        if action.name == "extension" and (ticket.get("extension") or {}).get("status") == "pending":
            continue
        found.append(action)
    return found
