"""The knowledge base on PostgreSQL, as the distributed mode runs it: drafting, publishing a new version,
search with synonyms, a direct answer from an article, a wrong answer's correction, and the figures.
Skipped (loudly) without a server, failed in CI."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from services.hotline import handlers, knowledge, knowledge_reports, open_context, store
from shared.auth import DEPARTMENT, DISPATCHER, OPERATOR, Principal
from shared.bootstrap import Environment
from shared.calendar import WorkCalendar
from shared.clock import ManualClock
from shared.migrations import upgrade
from shared.periods import parse_period
from shared.settings import DISTRIBUTED, Settings

pytestmark = pytest.mark.integration

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)
ZJJ = Principal("dept-zjj", frozenset({DEPARTMENT}), frozenset({"zjj"}))
OFFICE = Principal("dispatcher", frozenset({DISPATCHER}))
DESK = Principal("operator", frozenset({OPERATOR}))


@pytest.fixture
def hotline(pg_url):
    upgrade("services.hotline", pg_url)
    settings = Settings(mode=DISTRIBUTED, database_urls={"hotline": pg_url})
    context = open_context(Environment(settings, ManualClock(START), WorkCalendar()))
    with context.db.engine.begin() as conn:
        conn.execute(store.departments.insert(), [
            {"code": code, "name": name, "utility": False, "active": True, "updated_at": START}
            for code, name in (("zjj", "市住房和城乡建设局"), ("rsj", "市人力资源和社会保障局"))])
    yield context
    context.db.dispose()


def test_the_knowledge_base_works_the_same_on_postgresql(hotline):
    fund = knowledge.create_article(hotline, principal=ZJJ, department="zjj", question="住房公积金提取需要哪些材料？",
                                    answer="<p>身份证和购房合同。</p>", review_by=date(2027, 6, 30), public=True,
                                    keywords=["公积金提取"])
    knowledge.publish_article(hotline, principal=OFFICE, article_id=fund.id)
    knowledge.update_article(hotline, principal=ZJJ, article_id=fund.id, answer="<p>身份证、购房合同和银行卡。</p>")
    knowledge.publish_article(hotline, principal=OFFICE, article_id=fund.id)
    pension = knowledge.create_article(hotline, principal=OFFICE, department="rsj",
                                       question="灵活就业人员如何缴纳社会保险？",
                                       answer="<p>到社保经办机构参保登记。</p>", review_by=date(2026, 12, 10))
    knowledge.publish_article(hotline, principal=OFFICE, article_id=pension.id)

    def found(q, principal=DESK):
        items, total = knowledge.search_articles(hotline, principal=principal, page=1, page_size=10, q=q)
        return [(a.id, v.number) for a, v, _ in items], total

    assert found("公积金") == ([(fund.id, 2)], 1)
    assert found("社保") == ([(pension.id, 1)], 1)
    assert found("社保", principal=None) == ([], 0)  # internal: not in the public FAQ

    ticket = handlers.file_ticket(hotline, principal=DESK, type="consultation", urgency="general",
                                  channel="phone", title="咨询公积金提取", content="问提取材料", caller={})
    handlers.answer(hotline, principal=DESK, ticket_id=ticket.id, content="已按知识库答复", knowledge_id=fund.id)
    handlers.record_callback(hotline, principal=OFFICE, ticket_id=ticket.id, satisfaction="dissatisfied",
                             answer_wrong=True, note="材料不全")
    missed = handlers.file_ticket(hotline, principal=DESK, type="consultation", urgency="general",
                                  channel="phone", title="咨询人才公寓", content="问申请条件", caller={})
    handlers.dispatch(hotline, principal=OFFICE, ticket_id=missed.id, lead_department="zjj", co_departments=[])

    corrections, total = knowledge.list_corrections(hotline, principal=ZJJ, page=1, page_size=10)
    assert total == 1 and (corrections[0].article_id, corrections[0].article_version) == (fund.id, 2)
    figures = knowledge_reports.knowledge_figures(hotline, period=parse_period("2026Q4", SHANGHAI))
    assert (figures["consultations"], figures["answered_first_call"], figures["unanswered"]) == (2, 1, 1)
    zjj = {d["department"]: d for d in figures["departments"]}["zjj"]
    assert (zjj["answered_with_article"], zjj["unanswered"], zjj["corrections_opened"]) == (1, 1, 1)
    assert {d["department"]: d for d in figures["departments"]}["rsj"]["articles"]["due_soon"] == 1
    with hotline.db.read() as conn:
        indexed = conn.execute(sa.select(sa.func.count(sa.distinct(store.knowledge.terms.c.number)))
                               .where(store.knowledge.terms.c.article_id == fund.id)).scalar_one()
    assert indexed == 1  # the retired version 1 left the index
