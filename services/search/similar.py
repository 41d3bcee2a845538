"""Similar cases while the operator types (并单 candidates): open tickets of the last 30 days that share the
text's distinctive words, or come from the same phone. The phone arrives in a request body and is only ever
compared as a keyed hash (shared.privacy.caller_key): the index holds no phone number.

Scores are computed here, from the words each candidate shares with the text, so both backends suggest the
same tickets with the same scores; the engine only fetches the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from services.search.backend import NEWEST, CaseQuery
from services.search.handlers import Search
from services.search.model import CaseDocument, Scope
from services.search.rules import HOTLINE_OFFICE, CaseKind
from services.search.segment import Clause, query_clauses, tokens
from shared.auth import Principal
from shared.errors import Forbidden
from shared.privacy import caller_key
from shared.text import STOPWORDS

WINDOW = timedelta(days=30)     # as the hotline's own duplicate window
PROBE_WORDS = 12                # the longest words of the text say most about it
CANDIDATES = 50
MIN_SCORE = 0.3
SAME_CALLER = 0.5               # a ticket from the same phone counts half a match on its own


@dataclass(frozen=True)
class Suggestion:
    document: CaseDocument
    score: float
    same_caller: bool


def probe_clauses(text: str) -> tuple[Clause, ...]:
    """The distinctive words of ``text``: no stop words, no single characters, the longest first."""
    words = [c for c in query_clauses(text) if len(c.word) >= 2 and c.word not in STOPWORDS]
    return tuple(sorted(words, key=lambda c: (-len(c.word), c.word))[:PROBE_WORDS])


def shared_share(document: CaseDocument, clauses: tuple[Clause, ...]) -> float:
    """The share of ``clauses`` the document holds (whole, or all the parts of a longer word)."""
    if not clauses:
        return 0.0
    held = set(tokens(f"{document.title} {document.body}"))
    matched = sum(1 for c in clauses if c.word in held or (c.parts and held.issuperset(c.parts)))
    return matched / len(clauses)


def similar_cases(search: Search, *, principal: Principal, text: str, phone: str = "",
                  limit: int = 5) -> list[Suggestion]:
    """Open tickets the text may duplicate, best first (the hotline office only)."""
    if not principal.has_any(*HOTLINE_OFFICE):
        raise Forbidden("仅热线办可查询重复工单 / only the hotline office gets duplicate suggestions")
    scope = Scope.of(principal)
    since = search.db.clock.now() - WINDOW
    base = CaseQuery(kinds=(CaseKind.TICKET.value,), since=since, open_only=True, page_size=CANDIDATES)
    clauses = probe_clauses(text)
    found: dict[str, CaseDocument] = {}
    if clauses:
        query = replace(base, clauses=clauses, any_clause=True)
        found.update((h.document.key, h.document) for h in search.backend.search(query, scope, facets=()).hits)
    same: set[str] = set()
    key = caller_key(phone, search.caller_key)
    if key:
        query = replace(base, caller_key=key, sort=NEWEST, page_size=20)
        for hit in search.backend.search(query, scope, facets=()).hits:
            found[hit.document.key] = hit.document
            same.add(hit.document.key)
    suggestions = [Suggestion(doc, round(min(1.0, shared_share(doc, clauses) + (SAME_CALLER if k in same else 0)), 3),
                              k in same) for k, doc in found.items()]
    suggestions = [s for s in suggestions if s.score >= MIN_SCORE]
    suggestions.sort(key=lambda s: (-s.score, s.document.at))
    return suggestions[:limit]
