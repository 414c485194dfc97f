"""Lexical overlap: character bigrams of normalised text, their IDF over the corpus, weighted coverage.

The bigram counts come from the lexical index (``index.lexindex``), kept as reports are added and removed;
``Idf(texts)`` counts a list of texts directly. Leaves out: tokenisation for BM25 (``core.text.tokens``) and
anything semantic.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from core.text import normalize
from index.lexindex import grams

__all__ = ["Idf", "coverage", "grams"]


class Idf:
    """Inverse document frequency of bigrams over the indexed chunks."""

    def __init__(self, texts: list[str]) -> None:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(grams(normalize(text)))
        self.n = max(1, len(texts))
        self._df: Callable[[str], int] = lambda gram: counts.get(gram, 0)
        self._cache: dict[str, float] = {}

    @classmethod
    def counted(cls, n: int, df: Callable[[str], int]) -> Idf:
        """The IDF of ``n`` chunks whose bigram counts ``df`` looks up."""
        idf = cls([])
        idf.n, idf._df = max(1, n), df
        return idf

    def __call__(self, gram: str) -> float:
        if gram not in self._cache:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[gram] = math.log((self.n + 1) / (self._df(gram) + 0.5))
        return self._cache[gram]


def coverage(query_grams: dict[str, float], text_grams: set[str]) -> float:
    total = sum(query_grams.values())
    if total <= 0:
        return 0.0
    return sum(w for g, w in query_grams.items() if g in text_grams) / total
