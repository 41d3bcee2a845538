"""Chinese full-text search over the knowledge base (知识库检索), behind a small interface.

``KnowledgeSearch`` is what the use cases call: index a version, drop it, search. ``TermIndex`` is the
embedded implementation: jieba's words (search mode, so 住房公积金 also yields 公积金) of question,
keywords and answer, and the Chinese bigrams of question and keywords; one row per (term, version) with
the term's best field weight, in an ordinary table — the same SQL on SQLite and PostgreSQL. A search
service can replace it by implementing the same three methods.

Query semantics: the query is cut into words (jieba's precise mode); each word and its synonyms
(``knowledge_model.SYNONYM_GROUPS``) form a group. A version matches a group when it holds one of the
group's words as a term, or every bigram of one of them (weaker). Versions matching every group come
first; when none does, versions matching some groups are ranked by how many, then by weight.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.hotline.knowledge_model import ArticleContent, plain_text, synonyms
from services.hotline.knowledge_tables import KnowledgeTables
from shared.text import STOPWORDS, cjk_bigrams, words

QUESTION, KEYWORD, ANSWER, BIGRAM = 4, 3, 1, 1  # field weights
# Query words that say nothing about the subject of a consultation.
QUERY_STOPWORDS = STOPWORDS | frozenset("办理 怎么办 哪里 需要 咨询 多少 流程 手续 能否 可否 应该 一下".split())
MAX_TERM = 40


@dataclass(frozen=True)
class SearchScope:
    """Which versions a search may return."""

    statuses: tuple[str, ...] = ("published",)
    public_only: bool = False
    department: str | None = None


@dataclass(frozen=True)
class Hit:
    article_id: str
    number: int
    score: float
    terms: tuple[str, ...]        # the terms it matched, for highlighting


class KnowledgeSearch(Protocol):
    def index(self, conn: Connection, article_id: str, number: int, content: ArticleContent) -> None: ...

    def remove(self, conn: Connection, article_id: str, number: int) -> None: ...

    def search(self, conn: Connection, query: str, scope: SearchScope) -> list[Hit]: ...


def index_terms(content: ArticleContent) -> dict[str, int]:
    """term → its best field weight in one version."""
    weighted: dict[str, int] = {}

    def add(terms: Iterable[str], weight: int) -> None:
        for term in terms:
            term = term.lower()[:MAX_TERM]
            if weighted.get(term, 0) < weight:
                weighted[term] = weight

    answer = plain_text(content.answer)
    add(words(content.question), QUESTION)
    add((k for k in content.keywords if len(k) >= 2), KEYWORD)
    add((w for k in content.keywords for w in words(k)), KEYWORD)
    add(words(answer), ANSWER)
    # Bigrams of the question and keywords only: an answer's words are found through jieba's search
    # mode, and its bigrams would triple the index and the rows every query reads.
    add(cjk_bigrams(" ".join((content.question, *content.keywords))), BIGRAM)
    return weighted


def query_groups(query: str) -> list[frozenset[str]]:
    """The query's words (precise mode), each with its synonyms; a query of one short word is kept."""
    found = words(query, search=False, stopwords=QUERY_STOPWORDS)
    if not found:
        stripped = query.strip().lower()
        found = [stripped] if len(stripped) >= 2 else []
    return [frozenset(s.lower()[:MAX_TERM] for s in synonyms(w)) for w in dict.fromkeys(found)]


class TermIndex:
    """The embedded index: a term table in the hotline's own database."""

    def __init__(self, tables: KnowledgeTables) -> None:
        self.t = tables

    def index(self, conn: Connection, article_id: str, number: int, content: ArticleContent) -> None:
        self.remove(conn, article_id, number)
        rows = [{"term": term, "article_id": article_id, "number": number, "weight": weight}
                for term, weight in index_terms(content).items()]
        if rows:
            conn.execute(self.t.terms.insert(), rows)

    def remove(self, conn: Connection, article_id: str, number: int) -> None:
        terms = self.t.terms
        conn.execute(terms.delete().where(terms.c.article_id == article_id, terms.c.number == number))

    def search(self, conn: Connection, query: str, scope: SearchScope) -> list[Hit]:
        groups = query_groups(query)
        if not groups:
            return []
        pairs = {w: cjk_bigrams(w) if len(w) > 2 else set() for g in groups for w in g}
        wanted = set(pairs) | {b for p in pairs.values() for b in p}
        terms = self.t.terms
        # The terms drive (index on term): joining the versions here would let the planner walk every
        # published version and probe its terms instead.
        found: dict[tuple[str, int], dict[str, int]] = {}
        for article_id, number, term, weight in conn.execute(
                sa.select(terms.c.article_id, terms.c.number, terms.c.term, terms.c.weight)
                .where(terms.c.term.in_(sorted(wanted)))):
            found.setdefault((article_id, number), {})[term] = weight
        scored = [hit for key, held in found.items() if (hit := _score(key, held, groups, pairs))]
        allowed = self._in_scope(conn, {h.article_id for h in scored}, scope)
        hits = [h for h in scored if (h.article_id, h.number) in allowed]
        complete = [h for h in hits if h.score >= len(groups) * 100]
        ranked = complete or hits
        ranked.sort(key=lambda h: (-h.score, h.article_id))
        return ranked

    def _in_scope(self, conn: Connection, article_ids: set[str], scope: SearchScope) -> set[tuple[str, int]]:
        """The versions of these articles that ``scope`` admits (by primary key: a few rows per article)."""
        if not article_ids:
            return set()
        v = self.t.versions
        select = sa.select(v.c.article_id, v.c.number).where(v.c.article_id.in_(sorted(article_ids)),
                                                             v.c.status.in_(scope.statuses))
        if scope.public_only:
            select = select.where(v.c.public.is_(True))
        if scope.department:
            a = self.t.articles
            select = select.where(v.c.article_id.in_(sa.select(a.c.id).where(a.c.department == scope.department)))
        return {(r.article_id, r.number) for r in conn.execute(select)}


def _score(key: tuple[str, int], held: dict[str, int], groups: list[frozenset[str]],
           pairs: dict[str, set[str]]) -> Hit | None:
    """Groups matched count in hundreds, weights as the tie-breaker within the same count."""
    matched_groups, weight, terms = 0, 0.0, []
    for group in groups:
        best = 0.0
        for word in group:
            if word in held:
                best = max(best, float(held[word]))
                terms.append(word)
            elif pairs[word] and pairs[word] <= held.keys():
                best = max(best, 0.5 * min(held[p] for p in pairs[word]))
                terms.append(word)
        if best:
            matched_groups += 1
            weight += best
    if not matched_groups:
        return None
    return Hit(key[0], key[1], matched_groups * 100 + weight, tuple(dict.fromkeys(terms)))


def highlight(text: str, terms: Iterable[str], *, width: int = 120) -> str:
    """An escaped snippet of ``text`` around the first matched term, with the terms in ``<mark>``."""
    ordered = sorted({t for t in terms if t}, key=len, reverse=True)
    lowered = text.lower()
    first = min((i for t in ordered if (i := lowered.find(t)) >= 0), default=0)
    start = max(0, first - width // 4)
    snippet = text[start:start + width]
    prefix, suffix = ("…" if start else ""), ("…" if start + width < len(text) else "")
    if not ordered:
        return prefix + html.escape(snippet) + suffix
    pattern = re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(snippet):
        parts += [html.escape(snippet[last:match.start()]), f"<mark>{html.escape(match.group(0))}</mark>"]
        last = match.end()
    parts.append(html.escape(snippet[last:]))
    return prefix + "".join(parts) + suffix
