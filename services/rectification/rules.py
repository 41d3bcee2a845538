"""Vocabulary and rules of rectification (整改) notices. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
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


# Rectification's section of the rules document (shared.rules).
RULE_SECTIONS: dict[str, type] = {"rectification": NoticePolicy}
