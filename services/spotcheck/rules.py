"""Vocabulary and rules of "双随机、一公开" spot checks (国办发〔2015〕58号; SAMR rules). Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class RiskClass(StrEnum):
    """Credit-risk class (信用风险分类, SAMR): A low … D high."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class PlanStatus(StrEnum):
    DRAFT = "draft"          # 草稿: editable, nothing frozen
    PUBLISHED = "published"  # 已公布: population frozen and hashed, seed committed
    DRAWN = "drawn"          # 已抽取
    FAILED = "failed"        # 抽取失败: the pool could not respect 回避 (recorded with its reason)


class CommitmentKind(StrEnum):
    SHA256 = "sha256"  # the hex SHA-256 of the seed to be revealed
    BEACON = "beacon"  # the number of a future public-randomness round (drand, a lottery draw)


LABELS = {
    PlanStatus.DRAFT: "草稿", PlanStatus.PUBLISHED: "已公布", PlanStatus.DRAWN: "已抽取", PlanStatus.FAILED: "抽取失败",
    RiskClass.A: "低风险", RiskClass.B: "一般风险", RiskClass.C: "较高风险", RiskClass.D: "高风险",
}


def label(value: StrEnum) -> str:
    return LABELS.get(value, value.value)


BASIS_POINTS = {"range": (0, 10_000)}  # 10000 = 100%


@dataclass(frozen=True)
class SamplingPolicy:
    """Default sampling (DESIGN §6): per credit-risk class D high 30%, C 10%, B 2%, A 1% (in basis points);
    a complaint adds 10% weight (up to 10 complaints), the abnormal-operations list doubles it; teams of at
    least two (《市场监督管理行政处罚程序规定》: two or more enforcement officers)."""

    ratio_a: int = field(default=100, metadata=BASIS_POINTS)
    ratio_b: int = field(default=200, metadata=BASIS_POINTS)
    ratio_c: int = field(default=1000, metadata=BASIS_POINTS)
    ratio_d: int = field(default=3000, metadata=BASIS_POINTS)
    complaint_weight: int = 10
    complaint_cap: int = 10
    abnormal_weight: int = 100
    team_size: int = field(default=2, metadata={"range": (2, 10)})

    def ratios(self) -> dict[str, int]:
        return {"A": self.ratio_a, "B": self.ratio_b, "C": self.ratio_c, "D": self.ratio_d}


# The spot checks' section of the rules document (shared.rules).
RULE_SECTIONS: dict[str, type] = {"spotcheck": SamplingPolicy}


class ResultCategory(StrEnum):
    """检查结果 in the SAMR categories of 双随机、一公开 results."""

    NO_PROBLEM = "no_problem"                    # 未发现问题
    NOT_DISCLOSED = "not_disclosed"              # 未按规定公示应当公示的信息
    FALSE_DISCLOSURE = "false_disclosure"        # 公示信息隐瞒真实情况、弄虚作假
    UNREACHABLE = "unreachable"                  # 通过登记的住所（经营场所）无法联系
    ORDERED_TO_CORRECT = "ordered_to_correct"    # 发现问题已责令改正
    PENDING_FOLLOW_UP = "pending_follow_up"      # 发现问题待后续处理
    OBSTRUCTED = "obstructed"                    # 不配合检查情节严重
    NO_ACTIVITY = "no_activity"                  # 未发现开展本次抽查涉及的经营活动
    CLOSED = "closed"                            # 已关闭停业或正在组织清算

    @property
    def finding(self) -> bool:
        """A finding opens a rectification notice (整改通知书)."""
        return self not in (ResultCategory.NO_PROBLEM, ResultCategory.NO_ACTIVITY)


LABELS.update({
    ResultCategory.NO_PROBLEM: "未发现问题", ResultCategory.NOT_DISCLOSED: "未按规定公示应当公示的信息",
    ResultCategory.FALSE_DISCLOSURE: "公示信息隐瞒真实情况、弄虚作假",
    ResultCategory.UNREACHABLE: "通过登记的住所（经营场所）无法联系",
    ResultCategory.ORDERED_TO_CORRECT: "发现问题已责令改正", ResultCategory.PENDING_FOLLOW_UP: "发现问题待后续处理",
    ResultCategory.OBSTRUCTED: "不配合检查情节严重", ResultCategory.NO_ACTIVITY: "未发现开展本次抽查涉及的经营活动",
    ResultCategory.CLOSED: "已关闭停业或正在组织清算",
})
# 《企业信息公示暂行条例》第6条: results are published within 20 working days of being recorded.
PUBLICATION_LIMIT_WORKDAYS = 20
