"""Chinese full-text search of the knowledge base, the same on SQLite and PostgreSQL: short queries find
longer phrases, synonyms find their partners, the question outranks the answer, scope is respected."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from services.hotline.knowledge_model import Article, ArticleContent
from services.hotline.knowledge_search import SearchScope, TermIndex, highlight, query_groups
from services.hotline.knowledge_store import ArticleRepository
from services.hotline.store import knowledge
from shared.db import create_engine
from shared.migrations import upgrade

NOW = datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


@dataclass(frozen=True)
class Staff:
    username: str = "dept-staff"
    departments: frozenset[str] = frozenset({"zjj", "rsj", "gaj"})


ARTICLES = {
    "fund": ("zjj", "住房公积金提取需要什么材料", "<p>购房提取需身份证、购房合同。</p>", ("购房",), True),
    "pension": ("rsj", "灵活就业人员如何缴纳社会保险", "<p>可在社保经办机构或网上办理参保登记。</p>", (), True),
    "card": ("rsj", "社保卡丢失怎么补办", "<p>携带居民身份证到银行网点挂失补办。</p>", ("社会保障卡",), False),
    "licence": ("gaj", "驾驶证到期换证", "<p>机动车驾驶证有效期满前九十日内申请换证。</p>", (), True),
    "draft": ("zjj", "公积金贷款额度草稿", "<p>尚未发布。</p>", (), True),
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'hotline.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    upgrade("services.hotline", url)
    engine = create_engine(url)
    request.addfinalizer(engine.dispose)
    return engine


@pytest.fixture
def ids(engine: Engine) -> dict[str, str]:
    """The articles above, published (but ``draft``), through the repository that keeps the index."""
    index = TermIndex(knowledge)
    with engine.begin() as conn:
        repo = ArticleRepository(conn, search=index)
        for key, (dept, question, answer, words, public) in ARTICLES.items():
            article = Article.create(id=f"a-{key}", department=dept, actor=Staff(), may_write_any=False, now=NOW,
                                     today=TODAY, content=ArticleContent(question=question, answer=answer,
                                                                         review_by=date(2027, 6, 30),
                                                                         keywords=words, public=public))
            repo.add(article)
            if key != "draft":
                article.publish(actor=Staff(), now=NOW, today=TODAY, tz=NOW.tzinfo)  # type: ignore[arg-type]
                repo.save(article, NOW)
    return {key: f"a-{key}" for key in ARTICLES}


def found(engine: Engine, query: str, **scope: object) -> list[str]:
    with engine.connect() as conn:
        return [h.article_id for h in TermIndex(knowledge).search(conn, query, SearchScope(**scope))]  # type: ignore[arg-type]


def test_a_short_query_finds_the_longer_phrase(engine, ids):
    assert found(engine, "公积金") == [ids["fund"]]
    assert found(engine, "公积") == [ids["fund"]]  # two characters, inside 住房公积金


def test_a_synonym_finds_its_partner_both_ways(engine, ids):
    assert set(found(engine, "社保")) == {ids["pension"], ids["card"]}  # 社会保险 in the question
    assert found(engine, "社会保障卡丢了") == [ids["card"]]
    assert found(engine, "驾照怎么换") == [ids["licence"]]  # 驾照 ↔ 驾驶证


def test_every_query_word_matched_ranks_before_some_matched(engine, ids):
    assert found(engine, "社保卡 补办")[0] == ids["card"]


def test_scope_limits_status_publicity_and_department(engine, ids):
    assert ids["draft"] not in found(engine, "公积金")
    assert found(engine, "公积金", statuses=("draft",)) == [ids["draft"]]
    assert ids["card"] not in found(engine, "社保", public_only=True)
    assert found(engine, "社保", department="zjj") == []


def test_a_query_of_nothing_but_stop_words_finds_nothing(engine, ids):
    assert found(engine, "怎么办理") == []
    assert found(engine, "") == []


def test_query_words_carry_their_synonyms():
    assert query_groups("社保怎么交") == [frozenset({"社保", "社会保险"})]  # 怎么 a stop word, 交 too short


def test_highlight_escapes_and_marks():
    assert highlight("<b>住房公积金</b>提取", ["公积金"]) == "&lt;b&gt;住房<mark>公积金</mark>&lt;/b&gt;提取"
