"""The 12345 knowledge base (知识库): department-owned answers, versioned, published by the hotline office.

Pure domain: no Flask, SQLAlchemy or pika. An article belongs to one department (its owner), which drafts
and updates it; the hotline office (热线办: dispatcher or admin) publishes. An update is a new draft
version; the published version stays in force until the new one is published, and is then retired. Each
published version carries a review-by date (复审日期) that runs a ``knowledge_review`` clock of the
clock contract for the owner, so a review nobody did earns a card. A wrong answer reported at callback
opens a correction task (纠错任务) for the owner.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

import nh3

from shared.calendar import Deadline, TimeLimit
from shared.domain import Actor, require_text
from shared.errors import Forbidden, InvalidInput, InvalidTransition
from shared.events import DomainEvent
from shared.events import clocks as C
from shared.events import hotline as E

REVIEW_CLOCK = "knowledge_review"  # the clock-contract kinds monitoring times reviews and corrections by
CORRECTION_CLOCK = "knowledge_correction"


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class CorrectionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


STATUS_LABELS_ZH = {ArticleStatus.DRAFT: "草稿", ArticleStatus.PUBLISHED: "已发布", ArticleStatus.RETIRED: "已停用",
                    CorrectionStatus.OPEN: "待纠错", CorrectionStatus.DONE: "已纠错"}

# Rich text an answer may keep: structure, emphasis, lists, tables and plain links. No script, style,
# event handler, image or frame survives (an answer is shown on the public portal).
ANSWER_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "h3", "h4", "blockquote",
               "table", "thead", "tbody", "tr", "th", "td"}
ANSWER_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_SPACE = re.compile(r"\s+")

# Colloquial words callers use and the terms articles are written in (同义词表). Search treats the
# words of one group as the same word.
SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(frozenset(g.split()) for g in (
    "社保 社会保险", "医保 医疗保险 基本医疗保险", "公积金 住房公积金", "社保卡 社会保障卡",
    "养老金 退休金 基本养老金", "失业金 失业保险金", "低保 最低生活保障", "户口 户籍", "落户 户口迁入",
    "身份证 居民身份证", "驾照 驾驶证 机动车驾驶证", "车牌 号牌 机动车号牌", "居住证 暂住证",
    "个税 个人所得税", "执照 营业执照", "欠薪 拖欠工资 讨薪", "违建 违法建设 违章建筑",
    "城管 城市管理", "网约车 网络预约出租汽车", "煤气 燃气 天然气", "暖气 供暖 集中供热",
    "停水 断水", "停电 断电", "噪音 噪声", "幼儿园 托幼", "入学 上学", "疫苗 预防接种",
    "出生证 出生医学证明", "消协 消费者协会", "退货 退换货", "物业费 物业服务费", "产假 生育假",
))


def synonyms(word: str) -> frozenset[str]:
    """The word and every word it is a synonym of."""
    found = {word}
    for group in SYNONYM_GROUPS:
        if word in group:
            found |= group
    return frozenset(found)


def sanitise_answer(text: str) -> str:
    """An answer's rich text with everything but the allowed tags and attributes removed."""
    return nh3.clean(text or "", tags=ANSWER_TAGS, attributes=ANSWER_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer").strip()


def plain_text(rich: str) -> str:
    """The words of a rich-text answer, for search and snippets."""
    spaced = re.sub(r"<(br|/p|/li|/tr|/h[34])\b[^>]*>", " ", rich or "", flags=re.IGNORECASE)
    return _SPACE.sub(" ", html.unescape(nh3.clean(spaced, tags=set()))).strip()


def review_due_at(review_by: date, tz: tzinfo) -> datetime:
    """A review-by date ends at 24:00 local time that day (the clock's due time)."""
    return datetime.combine(review_by + timedelta(days=1), time(0), tzinfo=tz)


@dataclass(frozen=True)
class ArticleContent:
    """What a department writes in an article version."""

    question: str
    answer: str
    review_by: date
    category: str = ""
    legal_basis: str = ""         # the policy document or law (政策依据)
    document_number: str = ""     # its number, e.g. 国办发〔2019〕51号 (文号)
    effective_from: date | None = None
    keywords: tuple[str, ...] = ()
    public: bool = False          # shown in the public FAQ (公开) or to staff only (内部)

    FIELDS = ("question", "answer", "review_by", "category", "legal_basis", "document_number",
              "effective_from", "keywords", "public")

    def checked(self, today: date) -> ArticleContent:
        """Trimmed, sanitised and validated content; raises InvalidInput naming every bad field."""
        answer = sanitise_answer(self.answer)
        keywords = tuple(dict.fromkeys(k.strip() for k in self.keywords if k and k.strip()))
        content = replace(self, question=_SPACE.sub(" ", self.question).strip(), answer=answer,
                          category=self.category.strip(), legal_basis=self.legal_basis.strip(),
                          document_number=self.document_number.strip(), keywords=keywords)
        errors: dict[str, list[str]] = {}
        if len(content.question) < 4:
            errors["question"] = ["at least 4 characters"]
        if len(plain_text(answer)) < 2:
            errors["answer"] = ["at least 2 characters of text (after removing unsafe markup)"]
        if content.review_by <= today:
            errors["review_by"] = [f"must be after today ({today.isoformat()})"]
        if content.effective_from and content.effective_from > content.review_by:
            errors["effective_from"] = ["must not be after review_by"]
        if any(len(k) > 20 for k in keywords) or len(keywords) > 20:
            errors["keywords"] = ["at most 20 keywords of at most 20 characters"]
        if errors:
            raise InvalidInput("知识条目内容有误 / the article content is invalid", errors)
        return content

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


@dataclass
class ArticleVersion:
    """One version of an article (版本); its ``changes`` say who changed which fields, when."""

    number: int
    content: ArticleContent
    status: ArticleStatus
    created_at: datetime
    created_by: str
    published_at: datetime | None = None
    published_by: str | None = None
    retired_at: datetime | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)

    def review_overdue(self, today: date) -> bool:
        return self.status is ArticleStatus.PUBLISHED and self.content.review_by < today


@dataclass
class Article:
    """A knowledge-base article (知识条目) and its versions, oldest first."""

    id: str
    department: str
    created_at: datetime
    created_by: str
    versions: list[ArticleVersion] = field(default_factory=list)
    version: int = 0              # optimistic lock of the article row
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    # -- reading -----------------------------------------------------------------------------
    @property
    def published(self) -> ArticleVersion | None:
        return next((v for v in reversed(self.versions) if v.status is ArticleStatus.PUBLISHED), None)

    @property
    def draft(self) -> ArticleVersion | None:
        return next((v for v in reversed(self.versions) if v.status is ArticleStatus.DRAFT), None)

    @property
    def status(self) -> ArticleStatus:
        """Published while a version is in force; draft before the first publication; else retired."""
        if self.published:
            return ArticleStatus.PUBLISHED
        return ArticleStatus.DRAFT if self.draft else ArticleStatus.RETIRED

    @property
    def head(self) -> ArticleVersion:
        """The version people read: the published one, else the newest."""
        return self.published or self.versions[-1]

    def version_of(self, number: int) -> ArticleVersion:
        for v in self.versions:
            if v.number == number:
                return v
        raise InvalidInput("没有该版本 / no such version", {"version": [str(number)]})

    # -- writing -----------------------------------------------------------------------------
    @classmethod
    def create(cls, *, id: str, department: str, content: ArticleContent, actor: Actor, may_write_any: bool,
               now: datetime, today: date) -> Article:
        """A department drafts a new article (version 1, draft)."""
        _require_owner(actor, department, may_write_any)
        content = content.checked(today)
        article = cls(id=id, department=department, created_at=now, created_by=actor.username)
        article.versions.append(ArticleVersion(1, content, ArticleStatus.DRAFT, now, actor.username, changes=[
            {"at": now.isoformat(), "by": actor.username, "action": "drafted", "fields": list(ArticleContent.FIELDS)}]))
        article._emit(E.KnowledgeDrafted, 1)
        return article

    def update(self, *, actor: Actor, changes: dict[str, Any], may_write_any: bool, now: datetime,
               today: date) -> ArticleVersion:
        """A new draft version from the head (the published one stays until it is published);
        a draft not yet published is edited in place, its change list growing."""
        _require_owner(actor, self.department, may_write_any)
        if self.status is ArticleStatus.RETIRED:
            raise InvalidTransition("知识条目已停用 / the article is retired")
        unknown = set(changes) - set(ArticleContent.FIELDS)
        if unknown:
            raise InvalidInput("未知字段 / unknown fields", {k: ["unknown field"] for k in sorted(unknown)})
        pending = self.draft
        base = pending or self.head
        values: dict[str, Any] = {k: tuple(v) if k == "keywords" else v for k, v in changes.items()}
        content = replace(base.content, **values)
        content = content.checked(today)
        changed = [k for k in ArticleContent.FIELDS if getattr(content, k) != getattr(base.content, k)]
        if not changed:
            raise InvalidInput("内容没有变化 / nothing changed", {"fields": ["no field differs from the current text"]})
        record = {"at": now.isoformat(), "by": actor.username, "action": "updated", "fields": changed}
        if pending is not None:
            pending.content = content
            pending.changes.append(record)
            self._emit(E.KnowledgeDrafted, pending.number)
            return pending
        version = ArticleVersion(self.versions[-1].number + 1, content, ArticleStatus.DRAFT, now, actor.username,
                                 changes=[{**record, "action": "drafted", "from_version": base.number}])
        self.versions.append(version)
        self._emit(E.KnowledgeDrafted, version.number)
        return version

    def publish(self, *, actor: Actor, now: datetime, today: date, tz: tzinfo) -> ArticleVersion:
        """The hotline office publishes the pending draft; the version in force is retired, and the
        review clock restarts for the new review-by date."""
        draft = self.draft
        if draft is None:
            raise InvalidTransition("没有待发布的草稿 / no draft to publish", {"status": [self.status.value]})
        if draft.content.review_by <= today:
            raise InvalidInput("复审日期已过，请先更新 / the review-by date has passed; update it first",
                               {"review_by": [f"must be after today ({today.isoformat()})"]})
        previous = self.published
        if previous is not None:
            previous.status, previous.retired_at = ArticleStatus.RETIRED, now
            previous.changes.append({"at": now.isoformat(), "by": actor.username, "action": "superseded",
                                     "by_version": draft.number})
            self._clock(C.ClockStopped, f"v{previous.number}:stopped", now)  # judged: reviewed in time or late
        draft.status, draft.published_at, draft.published_by = ArticleStatus.PUBLISHED, now, actor.username
        draft.changes.append({"at": now.isoformat(), "by": actor.username, "action": "published"})
        due = review_due_at(draft.content.review_by, tz)
        self._clock(C.ClockStarted, f"v{draft.number}:started", now, department=self.department,
                    limit_amount=max(1, (draft.content.review_by - today).days + 1), limit_unit="natural_days",
                    due_at=due)
        self._emit(E.KnowledgePublished, draft.number, public=draft.content.public,
                   review_by=draft.content.review_by.isoformat(),
                   replaced_version=previous.number if previous else None, question=draft.content.question,
                   answer=plain_text(draft.content.answer), keywords=list(draft.content.keywords))
        return draft

    def retire(self, *, actor: Actor, reason: str, now: datetime) -> None:
        """停用: withdraw the article (the law changed, the service moved); pending drafts go with it."""
        require_text(reason, "reason", minimum=2)
        if self.status is ArticleStatus.RETIRED:
            raise InvalidTransition("知识条目已停用 / the article is already retired")
        was_published = self.published is not None
        for v in self.versions:
            if v.status is not ArticleStatus.RETIRED:
                v.status, v.retired_at = ArticleStatus.RETIRED, now
                v.changes.append({"at": now.isoformat(), "by": actor.username, "action": "retired",
                                  "reason": reason})
        if was_published:
            self._clock(C.ClockStopped, f"v{self.versions[-1].number}:retired", now, outcome="cancelled")
        self._emit(E.KnowledgeRetired, self.versions[-1].number, reason=reason)

    # -- helpers -----------------------------------------------------------------------------
    def _emit(self, event: type[E.KnowledgeEvent], number: int, **data: Any) -> None:
        self.events.append(event(article_id=self.id, department=self.department, version=number, **data))

    def _clock(self, command: type[C.ClockCommand], step: str, now: datetime, **data: Any) -> None:
        self.events.append(command(key=f"{self.id}:{step}", subject_service="hotline",
                                   subject_kind="knowledge_article", subject_id=self.id,
                                   subject_ref=self.head.content.question[:40], kind=REVIEW_CLOCK, at=now, **data))


def _require_owner(actor: Actor, department: str, may_write_any: bool) -> None:
    if not may_write_any and department not in actor.departments:
        raise Forbidden("只能编写本单位的知识条目 / only your own department's articles",
                        {"department": [department]})


@dataclass
class Correction:
    """纠错任务: a caller said the answer from an article was wrong; its owner checks and fixes it."""

    id: str
    article_id: str
    article_version: int
    department: str
    ticket_id: str
    ticket_number: str
    note: str
    opened_at: datetime
    opened_by: str
    due_at: datetime | None = None
    status: CorrectionStatus = CorrectionStatus.OPEN
    completed_at: datetime | None = None
    completed_by: str | None = None
    resolution: str = ""
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def open(cls, *, id: str, article: Article, version: int, ticket_id: str, ticket_number: str, note: str,
             actor: Actor, now: datetime, limit: TimeLimit, due: Deadline) -> Correction:
        """Open the task and time it for the owner (``due`` is ``limit`` from now on the working-day calendar)."""
        correction = cls(id=id, article_id=article.id, article_version=version, department=article.department,
                         ticket_id=ticket_id, ticket_number=ticket_number, note=note.strip(), opened_at=now,
                         opened_by=actor.username, due_at=due.due_at)
        correction.events.append(E.KnowledgeCorrectionOpened(
            correction_id=id, article_id=article.id, department=article.department, version=version,
            ticket_id=ticket_id, ticket_number=ticket_number))
        correction._clock(C.ClockStarted, "started", now, department=article.department, limit_amount=limit.amount,
                          limit_unit=limit.unit.value, due_at=due.due_at, provisional=due.provisional)
        return correction

    def complete(self, *, actor: Actor, resolution: str, may_write_any: bool, now: datetime) -> None:
        """The owner says what was done (updated the article, or why the answer stands)."""
        _require_owner(actor, self.department, may_write_any)
        if self.status is CorrectionStatus.DONE:
            raise InvalidTransition("纠错任务已完成 / the correction is already done")
        require_text(resolution, "resolution", minimum=2)
        self.status, self.completed_at, self.completed_by = CorrectionStatus.DONE, now, actor.username
        self.resolution = resolution.strip()
        self.events.append(E.KnowledgeCorrectionCompleted(
            correction_id=self.id, article_id=self.article_id, department=self.department,
            version=self.article_version, ticket_id=self.ticket_id, ticket_number=self.ticket_number))
        self._clock(C.ClockStopped, "completed", now)  # judged on time or late

    def _clock(self, command: type[C.ClockCommand], step: str, now: datetime, **data: Any) -> None:
        self.events.append(command(key=f"{self.id}:{step}", subject_service="hotline",
                                   subject_kind="knowledge_correction", subject_id=self.id,
                                   subject_ref=self.ticket_number, kind=CORRECTION_CLOCK, at=now, **data))
