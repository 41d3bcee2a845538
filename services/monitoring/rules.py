"""The monitoring vocabulary and its configurable rules (DESIGN §6, "Electronic monitoring (电子监察)").

No national rule fixes the numbers for reminders and cards, so the defaults below are ours, drawn from
the Guangdong and Chengdu electronic-monitoring practice the seeds describe; every one is configurable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from shared.calendar import TimeLimit
from shared.domain import HOTLINE_OFFICE


class ClockKind(StrEnum):
    """What a supervised clock (监察时钟) times."""

    SIGN = "sign"
    HANDLE = "handle"
    CALLBACK = "callback"
    APPROVAL_STATUTORY = "approval_statutory"
    APPROVAL_PROMISED = "approval_promised"
    PUBLICATION = "publication"
    RECTIFICATION = "rectification"
    REVIEW = "review"
    KNOWLEDGE_REVIEW = "knowledge_review"  # 知识库 articles past their review-by date (复审)
    KNOWLEDGE_CORRECTION = "knowledge_correction"  # 知识库 answers a caller said were wrong (纠错)
    # 好差评: a bad review's callback, the department's answer, the reviewer's rating, an appeal's decision
    REVIEW_CALLBACK = "review_callback"
    REVIEW_RESPONSE = "review_response"
    REVIEW_RATING = "review_rating"
    REVIEW_APPEAL = "review_appeal"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class Outcome(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


class Stage(StrEnum):
    """How far a clock has escalated; the order of the members is the order of escalation."""

    NONE = "none"
    REMINDED = "reminded"
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        return _STAGE_RANK[self]


_STAGE_RANK = {stage: rank for rank, stage in enumerate((Stage.NONE, Stage.REMINDED, Stage.YELLOW, Stage.RED))}


class BoardState(StrEnum):
    """The state the board shows, derived from the stored state, the stage and the time."""

    ON_TIME = "on_time"
    REMINDED = "reminded"
    OVERDUE = "overdue"
    PAUSED = "paused"
    STOPPED = "stopped"


class CardColor(StrEnum):
    YELLOW = "yellow"
    RED = "red"


class CardStatus(StrEnum):
    ISSUED = "issued"
    CONFIRMED = "confirmed"
    REVOKED = "revoked"
    CLEARED = "cleared"


class CardSource(StrEnum):
    AUTO = "auto"
    MANUAL = "manual"


class CardRule(StrEnum):
    """Why a card was issued."""

    DUE = "due"                    # 到期未办结 → yellow
    OVERDUE = "overdue"            # 超期超过N个工作日 → red
    ACCUMULATION = "accumulation"  # 30日内第3张黄牌 → red
    MANUAL = "manual"              # 异常办理，纪检监察人工亮牌


class ApprovalStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"


LABELS_ZH: dict[str, str] = {
    ClockKind.SIGN: "签收时限", ClockKind.HANDLE: "办理时限", ClockKind.CALLBACK: "回访时限",
    ClockKind.APPROVAL_STATUTORY: "法定办结时限", ClockKind.APPROVAL_PROMISED: "承诺办结时限",
    ClockKind.PUBLICATION: "公示时限", ClockKind.RECTIFICATION: "整改时限", ClockKind.REVIEW: "复审时限",
    ClockKind.REVIEW_CALLBACK: "差评回访时限", ClockKind.REVIEW_RESPONSE: "差评整改时限",
    ClockKind.REVIEW_RATING: "整改评价时限", ClockKind.REVIEW_APPEAL: "申诉复核时限",
    ClockKind.KNOWLEDGE_REVIEW: "知识复审时限", ClockKind.KNOWLEDGE_CORRECTION: "知识纠错时限",
    ClockState.RUNNING: "计时中", ClockState.PAUSED: "暂停计时", ClockState.STOPPED: "已停止",
    Outcome.ON_TIME: "按时", Outcome.LATE: "超时", Outcome.SUPERSEDED: "已重新计时", Outcome.CANCELLED: "已撤销",
    Stage.NONE: "正常", Stage.REMINDED: "已预警", Stage.YELLOW: "黄牌", Stage.RED: "红牌",
    BoardState.ON_TIME: "正常", BoardState.REMINDED: "预警", BoardState.OVERDUE: "超期",
    BoardState.PAUSED: "暂停计时", BoardState.STOPPED: "已停止",
    CardColor.YELLOW: "黄牌", CardColor.RED: "红牌",
    CardStatus.ISSUED: "已亮牌", CardStatus.CONFIRMED: "已确认", CardStatus.REVOKED: "已撤销",
    CardStatus.CLEARED: "已销号",
    CardSource.AUTO: "系统自动", CardSource.MANUAL: "人工",
    CardRule.DUE: "到期未办结", CardRule.OVERDUE: "超期", CardRule.ACCUMULATION: "黄牌累计",
    CardRule.MANUAL: "异常办理",
    ApprovalStatus.RUNNING: "办理中", ApprovalStatus.PAUSED: "暂停计时", ApprovalStatus.COMPLETED: "已办结",
}


def label(value: str) -> str:
    return LABELS_ZH.get(value, value)


# The hotline office (12345热线办) owns the callback clock; it is not in the department directory.
BUILTIN_DEPARTMENT_NAMES = {HOTLINE_OFFICE: "12345热线办"}


@dataclass(frozen=True)
class MonitoringPolicy:
    """When reminders and cards fire (DESIGN §6 defaults; a deployment may override any of them).

    - 预警: at the later of the close of the working day before the due day and due − 20% of the
      limit's natural length (due_at − started_at).
    - 黄牌: at due, not done.
    - 红牌: overdue by more than 5 working days; or the 3rd yellow card (not revoked, not already
      counted towards a red one) of the same department within 30 days; or by hand.
    """

    reminder_share: float = 0.2
    reminder_workdays_before: int = 1
    red_after_workdays: int = 5
    yellows_for_red: int = 3
    yellow_window: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class ApprovalPolicy:
    """Statutory limits of administrative licensing (《中华人民共和国行政许可法》).

    第42条: a decision within 20 days of acceptance, extendable once by 10 days with the approval of the
    head of the agency; unified, joint or centralised handling (统一办理、联合办理、集中办理) within 45
    days, extendable by 15. 第82条: these limits count working days, statutory holidays excluded.
    第45条: hearings, tenders, auctions, inspection, testing, quarantine, appraisal and expert review
    (听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审) do not count — the clocks pause for them.
    """

    statutory: TimeLimit = TimeLimit.workdays(20)
    extension: TimeLimit = TimeLimit.workdays(10)
    joint_statutory: TimeLimit = TimeLimit.workdays(45)
    joint_extension: TimeLimit = TimeLimit.workdays(15)

    def statutory_limit(self, joint: bool) -> TimeLimit:
        return self.joint_statutory if joint else self.statutory

    def extension_limit(self, joint: bool) -> TimeLimit:
        return self.joint_extension if joint else self.extension


@dataclass(frozen=True)
class ScorePolicy:
    """Efficiency score (效能考核) weights; the formula is in services/monitoring/scores.py."""

    yellow_penalty: int = 3
    yellow_cap: int = 30
    red_penalty: int = 10
    red_cap: int = 40
    excellent: int = 90   # 优秀
    good: int = 80        # 良好
    passing: int = 60     # 合格


# Monitoring's sections of the rules document (shared.rules): published versions override these defaults.
RULE_SECTIONS: dict[str, type] = {"monitoring": MonitoringPolicy, "approvals": ApprovalPolicy,
                                  "scoring": ScorePolicy}
