"""Chinese text helpers built on jieba (word segmentation for keywords and search)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_init_lock = threading.Lock()
_ready = False

# Words that say nothing about what a request is about (hotline phrasing, function words).
STOPWORDS = frozenset(
    """
的 了 在 是 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这
那 他 她 它 们 我们 你们 他们 请 问题 反映 市民 来电 希望 要求 相关 部门 处理 解决 情况 现在 目前
已经 一直 没 还 又 给 能 可以 什么 怎么 为什么 如何 是否 这个 那个 进行 存在 导致 造成 影响 严重
非常 多次 经常 每天 附近 位于
""".split()
)

_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z][A-Za-z0-9]{2,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _ensure_jieba() -> None:
    """Load jieba's dictionary on first use (not at import), once per process."""
    global _ready
    if _ready:
        return
    with _init_lock:
        if not _ready:
            import jieba

            jieba.setLogLevel(60)
            jieba.initialize()
            _ready = True


def words(text: str, *, search: bool = True, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """The words of a text in order, lower-cased, without stop words, single characters or punctuation.

    ``search`` (jieba's search mode) also yields the shorter words inside long ones (住房公积金 → 公积金 …),
    which is what an index wants; a query wants the precise segmentation (``search=False``).
    """
    _ensure_jieba()
    import jieba

    found = []
    for word in (jieba.cut_for_search(text) if search else jieba.cut(text)):
        word = word.strip().lower()
        if len(word) >= 2 and word not in stopwords and _WORD.fullmatch(word):
            found.append(word)
    return found


def cjk_bigrams(text: str) -> set[str]:
    """Every two adjacent Chinese characters: finds a word jieba segmented differently in another text."""
    return {run[i:i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)}


@lru_cache(maxsize=4096)
def keywords(text: str, limit: int = 16) -> frozenset[str]:
    """The distinctive words of a text: segmented, stop words and single characters dropped."""
    counts: dict[str, int] = {}
    for word in words(text):
        counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], -len(w), w))
    return frozenset(w[:40] for w in ranked[:limit])
