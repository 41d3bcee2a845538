"""The interface both search backends implement (SQLite FTS5 embedded, Elasticsearch distributed), and the
highlighting they share.

Both receive text already cut into words by ``services.search.segment`` and the caller's ``Scope`` inside
the query, so the same query finds the same cases, filtered the same way, on either engine. Highlights are
made here, from the original text, for both: the engines only ever see the cut words, whose offsets are
not the original text's.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from services.search.model import CaseDocument, Scope
from services.search.segment import Clause, highlight_terms, normalise

SNIPPET = 90                # characters of text around the first hit
RELEVANCE, NEWEST = "relevance", "newest"
Indexed = tuple[int, CaseDocument]   # a document and the seq of its row in ``cases``


@dataclass(frozen=True)
class CaseQuery:
    """A search: words (already cut into clauses), filters, sort and page."""

    clauses: tuple[Clause, ...] = ()
    kinds: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    since: datetime | None = None          # at >= since
    until: datetime | None = None          # at < until
    sort: str = RELEVANCE
    page: int = 1
    page_size: int = 20
    caller_key: str | None = None          # similar: cases from the same caller (keyed phone hash)
    open_only: bool = False                # similar: only cases still being handled
    any_clause: bool = False               # similar: a case sharing any word, ranked by how many

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Hit:
    document: CaseDocument
    score: float


@dataclass(frozen=True)
class CasePage:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class SearchBackend(Protocol):
    """What the service needs of an engine."""

    name: str

    def put(self, conn: Any, entries: Sequence[Indexed]) -> None:
        """Index (or re-index) documents with their ``seq``; ``conn`` is the consuming unit of work's
        connection (FTS5 writes in that transaction; Elasticsearch writes before it commits, harmlessly
        again on a redelivery, since the document written is the whole case)."""

    def search(self, query: CaseQuery, scope: Scope, *, facets: Sequence[str]) -> CasePage:
        """One page of cases the scope may see, best first, with facet counts over all of them."""

    def rebuild(self, batches: Iterable[Sequence[Indexed]], *,
                progress: Callable[[int], None] | None = None) -> str:
        """Rebuild the whole index from batches of documents while search goes on; returns its name."""

    def ping(self) -> None:
        """Raise if the engine cannot be reached (readiness)."""


# -- highlights ---------------------------------------------------------------------------------------
def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(t) for t in terms)) if terms else None


def highlight(document: CaseDocument, clauses: Sequence[Clause]) -> str:
    """HTML-escaped text of the case with ``<em>`` around the query's words: the first hit in the body with
    the text around it, else the title."""
    pattern = _pattern(highlight_terms(clauses))
    for text in (document.body, document.title):
        folded = normalise(text)
        # NFKC can change lengths (full-width → ASCII keeps them; ligatures do not): match on the folded text
        # only where it lines up with the original.
        source = text if len(folded) == len(text) else folded
        match = pattern.search(folded) if pattern else None
        if match is None and text is document.body and pattern is not None:
            continue
        start = max(0, (match.start() if match else 0) - SNIPPET // 3)
        end = min(len(source), start + SNIPPET)
        return ("…" if start else "") + _mark(source[start:end], folded[start:end], pattern) + \
            ("…" if end < len(source) else "")
    return ""


def _mark(text: str, folded: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is None:
        return html.escape(text)
    out, last = [], 0
    for match in pattern.finditer(folded):
        out.append(html.escape(text[last:match.start()]))
        out.append("<em>" + html.escape(text[match.start():match.end()]) + "</em>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)
