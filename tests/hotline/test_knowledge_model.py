"""The knowledge-base domain alone (no I/O): versions, the review clock's commands, corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.hotline.knowledge_model import (
    Article,
    ArticleContent,
    ArticleStatus,
    Correction,
    plain_text,
    sanitise_answer,
    synonyms,
)
from shared.calendar import Deadline, TimeLimit
from shared.errors import Forbidden, InvalidInput, InvalidTransition
from shared.events import clocks as C
from shared.events import hotline as E

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, tzinfo=TZ)
TODAY = NOW.date()


@dataclass(frozen=True)
class Staff:
    username: str = "dept-zjj"
    departments: frozenset[str] = frozenset({"zjj"})


OFFICE = Staff("dispatcher", frozenset())


def new_article(**content) -> Article:
    values = {"question": "住房公积金提取需要哪些材料？", "answer": "<p>身份证。</p>", "review_by": date(2027, 3, 31),
              **content}
    return Article.create(id="a1", department="zjj", content=ArticleContent(**values), actor=Staff(),
                          may_write_any=False, now=NOW, today=TODAY)


def test_publishing_starts_a_review_clock_due_at_the_end_of_the_review_day():
    article = new_article()
    article.events.clear()
    article.publish(actor=OFFICE, now=NOW, today=TODAY, tz=TZ)
    started = [e for e in article.events if isinstance(e, C.ClockStarted)]
    assert [(s.kind, s.department, s.due_at, s.key) for s in started] == [
        ("knowledge_review", "zjj", datetime(2027, 4, 1, tzinfo=TZ), "a1:v1:started")]
    assert any(isinstance(e, E.KnowledgePublished) and e.version == 1 for e in article.events)


def test_an_update_of_a_published_article_is_a_new_draft_and_a_second_update_edits_that_draft():
    article = new_article()
    article.publish(actor=OFFICE, now=NOW, today=TODAY, tz=TZ)
    article.update(actor=Staff(), changes={"answer": "<p>身份证和合同。</p>"}, may_write_any=False, now=NOW,
                   today=TODAY)
    article.update(actor=Staff(), changes={"keywords": ["购房"]}, may_write_any=False, now=NOW, today=TODAY)
    assert [(v.number, v.status) for v in article.versions] == [(1, ArticleStatus.PUBLISHED), (2, ArticleStatus.DRAFT)]
    assert [c["fields"] for c in article.versions[1].changes] == [["answer"], ["keywords"]]
    assert article.head.number == 1  # what operators read until the office publishes

    article.events.clear()
    article.publish(actor=OFFICE, now=NOW + timedelta(days=1), today=TODAY, tz=TZ)
    kinds = [type(e) for e in article.events if isinstance(e, C.ClockCommand)]
    assert kinds == [C.ClockStopped, C.ClockStarted]
    assert [v.status for v in article.versions] == [ArticleStatus.RETIRED, ArticleStatus.PUBLISHED]


def test_an_update_that_changes_nothing_is_refused():
    article = new_article()
    with pytest.raises(InvalidInput):
        article.update(actor=Staff(), changes={"answer": "<p>身份证。</p>"}, may_write_any=False, now=NOW,
                       today=TODAY)


def test_another_department_may_neither_draft_nor_update():
    with pytest.raises(Forbidden):
        Article.create(id="a2", department="sthj", content=ArticleContent("问题四个字以上", "答复", date(2027, 1, 1)),
                       actor=Staff(), may_write_any=False, now=NOW, today=TODAY)
    with pytest.raises(Forbidden):
        new_article().update(actor=Staff("dept-sthj", frozenset({"sthj"})), changes={"question": "别的单位的问题"},
                             may_write_any=False, now=NOW, today=TODAY)


def test_retiring_cancels_the_clock_and_nothing_can_be_published_afterwards():
    article = new_article()
    article.publish(actor=OFFICE, now=NOW, today=TODAY, tz=TZ)
    article.events.clear()
    article.retire(actor=OFFICE, reason="政策已废止", now=NOW)
    assert [(type(e), getattr(e, "outcome", None)) for e in article.events if isinstance(e, C.ClockCommand)] == [
        (C.ClockStopped, "cancelled")]
    assert article.status is ArticleStatus.RETIRED
    with pytest.raises(InvalidTransition):
        article.publish(actor=OFFICE, now=NOW, today=TODAY, tz=TZ)


def test_a_correction_is_completed_once_by_the_owner():
    article = new_article()
    due = Deadline(NOW + timedelta(days=7), provisional=False)
    correction = Correction.open(id="c1", article=article, version=1, ticket_id="t1", ticket_number="2026112300001",
                                 note="材料不全", actor=OFFICE, now=NOW, limit=TimeLimit.workdays(5), due=due)
    assert [(type(e), e.kind, e.due_at) for e in correction.events if isinstance(e, C.ClockCommand)] == [
        (C.ClockStarted, "knowledge_correction", due.due_at)]
    with pytest.raises(Forbidden):
        correction.complete(actor=Staff("dept-sthj", frozenset({"sthj"})), resolution="不是我们的", may_write_any=False,
                            now=NOW)
    correction.complete(actor=Staff(), resolution="已补充材料清单", may_write_any=False, now=NOW)
    with pytest.raises(InvalidTransition):
        correction.complete(actor=Staff(), resolution="再次完成", may_write_any=False, now=NOW)


def test_sanitising_keeps_structure_and_drops_what_could_run():
    cleaned = sanitise_answer('<h3>材料</h3><ul><li><a href="https://x.gov.cn" onclick="x()">链接</a></li></ul>'
                              '<img src=x onerror=alert(1)><iframe src="https://evil"></iframe><style>p{}</style>')
    assert cleaned == ('<h3>材料</h3><ul><li><a href="https://x.gov.cn" rel="noopener noreferrer">链接</a></li></ul>')
    assert plain_text("<p>甲&amp;乙</p><p>丙</p>") == "甲&乙 丙"


def test_synonyms_are_symmetric():
    assert "社会保险" in synonyms("社保") and "社保" in synonyms("社会保险")
    assert synonyms("无同义词") == frozenset({"无同义词"})
