"""Vocabulary and rules of rectification (整改) notices. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class NoticeStatus(StrEnum):
    ISSUED = "issued"              # 已下发
    ACKNOWLEDGED = "acknowledged"  # 已签收
    REPORTED = "reported"          # 已报告整改情况，待验收
    RETURNED = "returned"          # 验收未通过，退回重改
    CLOSED = "closed"              # 验收通过，已销号
    WITHDRAWN = "withdrawn"        # 来源撤销（如黄红牌被撤销），通知书撤回


class SourceKind(StrEnum):
    RED_CARD = "red_card"          # 红牌 (monitoring)
    SPOT_CHECK = "spot_check"      # 双随机抽查发现问题
    CALLBACK = "callback"          # 回访不满意且认定属实
    REVIEW = "review"              # 好差评差评
    MANUAL = "manual"              # 督查人员人工下发


LABELS = {
    NoticeStatus.ISSUED: "已下发", NoticeStatus.ACKNOWLEDGED: "已签收", NoticeStatus.REPORTED: "待验收",
    NoticeStatus.RETURNED: "退回重改", NoticeStatus.CLOSED: "已销号", NoticeStatus.WITHDRAWN: "已撤回",
    SourceKind.RED_CARD: "红牌", SourceKind.SPOT_CHECK: "双随机抽查", SourceKind.CALLBACK: "回访不满意",
    SourceKind.REVIEW: "差评", SourceKind.MANUAL: "人工下发",
}


def label(value: StrEnum) -> str:
    return LABELS.get(value, value.value)


OPEN = (NoticeStatus.ISSUED, NoticeStatus.ACKNOWLEDGED, NoticeStatus.REPORTED, NoticeStatus.RETURNED)


@dataclass(frozen=True)
class NoticePolicy:
    """Default deadlines of a notice (all configurable): 15 working days to rectify (Sichuan 好差评 rules),
    5 more after a failed verification, extensions up to 15 working days in total; notices are raised
    automatically for red cards and for spot-check findings."""

    deadline_workdays: int = 15
    resubmit_workdays: int = 5
    max_extension_workdays: int = 15
    from_red_cards: bool = True
    from_spot_check_findings: bool = True


# -- 好差评 reviews ---------------------------------------------------------------------------------
class ReviewChannel(StrEnum):
    PUBLIC = "public"      # the public rates a closed ticket with its number + query code
    CALLBACK = "callback"  # the hotline's callback rating (回访满意度)
    SYSTEM = "system"      # an approval system (政务服务网) reports a review of one of its items


class ReviewStatus(StrEnum):
    RECORDED = "recorded"                  # 好评/中评, or a callback rating (the hotline reopens or raises a notice)
    PENDING_CALLBACK = "pending_callback"  # 差评，待回访核实
    DISMISSED = "dismissed"                # 核实不属实
    CONFIRMED = "confirmed"                # 核实属实，待整改或说明
    APPEALED = "appealed"                  # 单位申诉，待复核
    ANNULLED = "annulled"                  # 申诉成立，差评不计入
    RECTIFIED = "rectified"                # 已整改，待评价人评价
    EXPLAINED = "explained"                # 已解释说明，待评价人评价
    CLOSED = "closed"                      # 评价人已评价整改结果


# 国办发〔2019〕51号: five levels, the bottom two are bad (差评).
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = frozenset({1, 2})
# The hotline's callback levels (services.hotline.rules.Satisfaction) on the same scale.
SATISFACTION_LEVELS = {"very_satisfied": 5, "satisfied": 4, "basically_satisfied": 3, "dissatisfied": 2,
                       "very_dissatisfied": 1}

REVIEW_LABELS = {
    ReviewChannel.PUBLIC: "公众评价", ReviewChannel.CALLBACK: "回访评价", ReviewChannel.SYSTEM: "政务服务系统",
    ReviewStatus.RECORDED: "已记录", ReviewStatus.PENDING_CALLBACK: "待回访核实", ReviewStatus.DISMISSED: "核实不属实",
    ReviewStatus.CONFIRMED: "待整改", ReviewStatus.APPEALED: "申诉复核中", ReviewStatus.ANNULLED: "申诉成立",
    ReviewStatus.RECTIFIED: "已整改待评价", ReviewStatus.EXPLAINED: "已说明待评价", ReviewStatus.CLOSED: "已办结",
}
LABELS.update(REVIEW_LABELS)


@dataclass(frozen=True)
class ReviewPolicy:
    """Time limits of a bad review's handling (差评整改), in working days; all configurable.

    15 days to rectify or explain is Sichuan's 好差评 rule (DESIGN §6); the callback, the reviewer's rating of
    the fix and the decision of an appeal are ours. Real-name bad reviews are all called back (国办发〔2019〕51号:
    实名差评回访整改率 100%); the public may rate a ticket up to ``public_window_days`` natural days after it closed.
    """

    callback_workdays: int = field(default=2, metadata={"range": (1, 30)})
    response_workdays: int = field(default=15, metadata={"range": (1, 60)})
    rating_workdays: int = field(default=3, metadata={"range": (1, 30)})
    appeal_workdays: int = field(default=5, metadata={"range": (1, 30)})
    public_window_days: int = field(default=30, metadata={"range": (1, 365)})
    notice_on_bad_fix: bool = True  # the reviewer still dissatisfied after the fix: a rectification notice


# Rectification's sections of the rules document (shared.rules).
RULE_SECTIONS: dict[str, type] = {"rectification": NoticePolicy, "reviews": ReviewPolicy}
