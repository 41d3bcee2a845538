"""Chinese word segmentation for the case index, done by our code on both sides of every backend.

The index holds words, not characters: a document's text is cut with jieba's search mode (the long word
and the shorter words inside it, so 小区噪音扰民 yields 小区, 噪音, 扰民), and a query is cut the same way.
Both backends receive the words already cut (SQLite FTS5 splits on the spaces we put between them,
Elasticsearch uses the whitespace analyzer), so what matches, and why, is the same on both.

HMM discovery of unknown words is off: it guesses from the surrounding text, so a name could be cut one
way inside a long document and another way in a two-word query. Without it an unknown word falls apart
into the same single characters wherever it appears, and still matches.

Pure Python: jieba and the standard library only.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_init_lock = threading.Lock()
_ready = False

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Everything but CJK runs and letter-digit runs separates tokens; a run of letters and digits stays one
# token (a ticket number, a 统一社会信用代码, "wifi6").
_MIXED = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)|([0-9a-z]+)")


def _jieba() -> Any:
    """jieba with its dictionary loaded on first use (not at import), once per process."""
    global _ready
    import jieba

    if not _ready:
        with _init_lock:
            if not _ready:
                jieba.setLogLevel(60)
                jieba.initialize()
                _ready = True
    return jieba


def normalise(text: str) -> str:
    """Full-width letters and digits to ASCII (NFKC), lower case: what both index and query see."""
    return unicodedata.normalize("NFKC", text).lower()


def _cjk_words(run: str) -> list[str]:
    return [w for w in _jieba().cut_for_search(run, HMM=False) if w.strip()]


def tokens(text: str) -> list[str]:
    """The words a document's text is indexed under, in order (repeats kept: they weigh in BM25)."""
    words: list[str] = []
    for cjk, alnum in _MIXED.findall(normalise(text)):
        if cjk:
            words.extend(_cjk_words(cjk))
        else:
            words.append(alnum)
    return words


def joined(text: str) -> str:
    """``tokens(text)`` as the space-separated string both engines split on whitespace."""
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Clause:
    """One word of a query: a document matches when it holds ``word``, or every one of ``parts``
    (the shorter words search mode finds inside it), so the query does not depend on how the
    document's context happened to cut the word."""

    word: str
    parts: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.word, *self.parts)


@lru_cache(maxsize=2048)
def query_clauses(query: str) -> tuple[Clause, ...]:
    """The clauses of a query, all required (AND): one per word of its accurate-mode cut."""
    clauses: list[Clause] = []
    seen: set[str] = set()
    for cjk, alnum in _MIXED.findall(normalise(query)):
        words = list(_jieba().cut(cjk, HMM=False)) if cjk else [alnum]
        for word in words:
            word = word.strip()
            if not word or word in seen:
                continue
            seen.add(word)
            parts: tuple[str, ...] = ()
            if _CJK.match(word) and len(word) > 2:
                inner = [w for w in _cjk_words(word) if w != word and len(w) >= 2]
                if inner and set("".join(inner)) >= set(word):  # only when the parts cover the word
                    parts = tuple(dict.fromkeys(inner))
            clauses.append(Clause(word, parts))
    return tuple(clauses)


def highlight_terms(clauses: Iterable[Clause]) -> list[str]:
    """Every string a highlight marks, longest first so 小区噪音 wins over 小区 where both match."""
    return sorted({t for c in clauses for t in c.terms}, key=lambda t: (-len(t), t))


__all__ = ["Clause", "highlight_terms", "joined", "normalise", "query_clauses", "tokens"]
