"""The hotline's vocabulary and its configurable time rules (DESIGN §6, "Hotline (12345)")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.calendar import TimeLimit


class TicketType(StrEnum):
    CONSULTATION = "consultation"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    GENERAL = "general"
    COMPLEX = "complex"


class Channel(StrEnum):
    PHONE = "phone"
    WEB = "web"
    APP = "app"
    WECHAT = "wechat"
    SMS = "sms"
    EMAIL = "email"
    OPEN311 = "open311"


class TicketStatus(StrEnum):
    RECEIVED = "received"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    RETURN_REQUESTED = "return_requested"
    REPLIED = "replied"
    REOPENED = "reopened"
    CLOSED = "closed"
    MERGED = "merged"


class Satisfaction(StrEnum):
    """国办发〔2019〕51号: five levels; the bottom two are bad reviews (差评)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"

    @property
    def is_bad(self) -> bool:
        return self in (Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED)


class Resolution(StrEnum):
    DIRECT_ANSWER = "direct_answer"
    LEGAL_CHANNEL = "legal_channel"
    EMERGENCY_TRANSFER = "emergency_transfer"
    HANDLED = "handled"
    UNREACHABLE = "unreachable"
    MERGED = "merged"


class EmergencyService(StrEnum):
    POLICE = "110"
    FIRE = "119"
    AMBULANCE = "120"
    TRAFFIC = "122"


class LegalChannel(StrEnum):
    """Matters that law routes elsewhere (诉讼、仲裁、信访、行政复议 …)."""

    LITIGATION = "litigation"
    ARBITRATION = "arbitration"
    PETITION = "petition"
    ADMINISTRATIVE_REVIEW = "administrative_review"
    OTHER = "other"


LABELS_ZH: dict[str, str] = {
    TicketType.CONSULTATION: "咨询", TicketType.HELP: "求助", TicketType.COMPLAINT: "投诉",
    TicketType.REPORT: "举报", TicketType.SUGGESTION: "建议", TicketType.PRAISE: "表扬",
    Urgency.EMERGENCY: "紧急", Urgency.GENERAL: "一般", Urgency.COMPLEX: "疑难",
    Channel.PHONE: "电话", Channel.WEB: "网站", Channel.APP: "移动端", Channel.WECHAT: "微信",
    Channel.SMS: "短信", Channel.EMAIL: "电子邮件", Channel.OPEN311: "Open311",
    TicketStatus.RECEIVED: "已受理", TicketStatus.DISPATCHED: "已派单", TicketStatus.SIGNED: "办理中",
    TicketStatus.RETURN_REQUESTED: "退单审核中", TicketStatus.REPLIED: "已答复待回访",
    TicketStatus.REOPENED: "重办", TicketStatus.CLOSED: "已办结", TicketStatus.MERGED: "已并单",
    Satisfaction.VERY_SATISFIED: "非常满意", Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意", Satisfaction.DISSATISFIED: "不满意",
    Satisfaction.VERY_DISSATISFIED: "非常不满意",
    LegalChannel.LITIGATION: "诉讼", LegalChannel.ARBITRATION: "仲裁", LegalChannel.PETITION: "信访",
    LegalChannel.ADMINISTRATIVE_REVIEW: "行政复议", LegalChannel.OTHER: "其他法定途径",
}

# Apart from LABELS_ZH: Resolution.MERGED and TicketStatus.MERGED are both "merged", and one dict keyed
# by value would give a merged ticket the resolution's label (并单) instead of its status (已并单).
RESOLUTION_LABELS_ZH: dict[str, str] = {
    Resolution.DIRECT_ANSWER: "直接答复", Resolution.LEGAL_CHANNEL: "引导依法依规解决",
    Resolution.EMERGENCY_TRANSFER: "转紧急警务", Resolution.HANDLED: "承办答复",
    Resolution.UNREACHABLE: "回访无法联系", Resolution.MERGED: "并单",
}

ACTION_LABELS_ZH: dict[str, str] = {
    "received": "受理", "answered": "直接答复", "legal_channel": "引导依法依规解决",
    "transferred": "转紧急警务", "dispatched": "派单", "signed": "签收",
    "return_requested": "申请退单", "return_accepted": "同意退单", "return_rejected": "驳回退单",
    "extension_requested": "申请延期", "extension_approved": "同意延期", "extension_rejected": "驳回延期",
    "urged": "催办", "assisted": "协办意见", "replied": "答复", "callback_recorded": "回访",
    "reopened": "重办", "closed": "办结", "merged": "并单", "merged_in": "并入重复工单",
    "rectification": "整改",
}


def label(value: str) -> str:
    if isinstance(value, Resolution):
        return RESOLUTION_LABELS_ZH[value]
    return LABELS_ZH.get(value, value)


@dataclass(frozen=True)
class DeadlinePolicy:
    """Default time limits; a deployment may override any of them.

    Sign-in: Tianjin 2024 rules (紧急 15 分钟、水电气热 30 分钟、一般 1 个工作日).
    Handling: 紧急 2 小时、水电气热 24 小时、一般 5 个工作日、疑难 15 个工作日 (Beijing draft standard;
    Shandong 2020); returns within 2 working days; extensions up to 10 working days in total;
    callback within 1 working day of the reply.
    """

    sign_emergency: TimeLimit = TimeLimit.minutes(15)
    sign_utility: TimeLimit = TimeLimit.minutes(30)
    sign_general: TimeLimit = TimeLimit.workdays(1)
    sign_complex: TimeLimit = TimeLimit.workdays(1)
    handle_emergency: TimeLimit = TimeLimit.hours(2)
    handle_utility: TimeLimit = TimeLimit.hours(24)
    handle_general: TimeLimit = TimeLimit.workdays(5)
    handle_complex: TimeLimit = TimeLimit.workdays(15)
    return_window: TimeLimit = TimeLimit.workdays(2)
    callback: TimeLimit = TimeLimit.workdays(1)
    max_extension_workdays: int = 10
    max_reopens: int = 2

    def sign_limit(self, urgency: Urgency, utility: bool) -> TimeLimit:
        if urgency is Urgency.EMERGENCY:
            return self.sign_emergency
        if utility:
            return self.sign_utility
        return self.sign_complex if urgency is Urgency.COMPLEX else self.sign_general

    def handle_limit(self, urgency: Urgency, utility: bool) -> TimeLimit:
        if urgency is Urgency.EMERGENCY:
            return self.handle_emergency
        if utility:
            return self.handle_utility
        return self.handle_complex if urgency is Urgency.COMPLEX else self.handle_general


@dataclass(frozen=True)
class KnowledgePolicy:
    """The knowledge base's rules (知识库). No national rule sets these; the defaults are ours: a wrong
    answer is checked within 5 working days (like a general ticket's handling), and a review due
    within 30 days counts as "due soon" on the figures."""

    correction: TimeLimit = TimeLimit.workdays(5)
    due_soon_days: int = 30


# The hotline's sections of the rules document (shared.rules): published versions override these defaults.
RULE_SECTIONS: dict[str, type] = {"hotline": DeadlinePolicy, "knowledge": KnowledgePolicy}
