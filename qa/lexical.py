"""Lexical overlap: character bigrams of normalised text, their IDF over the corpus, weighted coverage.

Leaves out: tokenisation for BM25 (``core.text.tokens``) and anything semantic.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from core.text import normalize

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:\.[0-9]+)?")
_BRACKETS = re.compile(r"[()（）]")


def grams(text: str) -> set[str]:
    """Character bigrams of CJK runs plus whole Latin/number words, of normalised text.

    Brackets are dropped first, so 「14055人(次)」 offers the bigram 人次.
    """
    out: set[str] = set()
    for run in _CJK_RUN.findall(_BRACKETS.sub("", text)):
        if run[0].isascii() or len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


class Idf:
    """Inverse document frequency of bigrams over the indexed chunks."""

    def __init__(self, texts: list[str]) -> None:
        self.n = max(1, len(texts))
        self.df: Counter[str] = Counter()
        for text in texts:
            self.df.update(grams(normalize(text)))

    def __call__(self, gram: str) -> float:
        return math.log((self.n + 1) / (self.df.get(gram, 0) + 0.5))


def coverage(query_grams: dict[str, float], text_grams: set[str]) -> float:
    total = sum(query_grams.values())
    if total <= 0:
        return 0.0
    return sum(w for g, w in query_grams.items() if g in text_grams) / total
