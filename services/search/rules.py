"""Vocabulary of the case index (案件检索): the kinds of case and who may search which. Pure Python."""

from __future__ import annotations

from enum import StrEnum

from shared.roles import ADMIN, DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR


class CaseKind(StrEnum):
    TICKET = "ticket"          # 工单 (hotline)
    CARD = "card"              # 黄牌/红牌 (monitoring)
    WARNING = "warning"        # 预警 (monitoring)
    NOTICE = "notice"          # 整改通知书 (rectification)
    REVIEW = "review"          # 好差评 (rectification, once it publishes reviews)
    PLAN = "plan"              # 抽查计划 (spotcheck)
    DRAW = "draw"              # 抽取结果 (spotcheck)
    INSPECTION = "inspection"  # 检查结果 (spotcheck)
    ARTICLE = "article"        # 知识库文章 (hotline, once it publishes articles)


KIND_LABELS = {
    CaseKind.TICKET: "工单", CaseKind.CARD: "黄红牌", CaseKind.WARNING: "预警", CaseKind.NOTICE: "整改通知书",
    CaseKind.REVIEW: "好差评", CaseKind.PLAN: "抽查计划", CaseKind.DRAW: "抽取结果", CaseKind.INSPECTION: "检查结果",
    CaseKind.ARTICLE: "知识库",
}

# Who searches at all: staff. The public never uses this service (its lookups stay in each service's
# masked public endpoints).
SEARCHERS = (OPERATOR, DISPATCHER, DEPARTMENT, INSPECTOR, ADMIN)
# Who searches the whole city; department staff find only cases of their own departments.
CITYWIDE = (OPERATOR, DISPATCHER, INSPECTOR)
# The hotline office (热线办) sees confidential tickets (保密件) and every address; nobody else finds a
# confidential ticket at all, since a hit on its words would already tell what the reporter said.
HOTLINE_OFFICE = (OPERATOR, DISPATCHER)

# Facets the query answers with counts.
FACETS = ("kind", "department", "status")

# Statuses after which a case is no longer being handled (similar-case suggestions leave them out).
FINISHED_STATUSES = ("closed", "merged", "revoked", "cleared", "withdrawn")
