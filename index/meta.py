"""Detect a report's city and year from its text (both may come out unknown).

City: the place most often named as ``X市`` (strongly weighted when it is ``X市妇联``/``X市妇女联合会``),
found with jieba's place-name tags. Year: the most frequent ``20XX年`` (ties → the latest), else a
``YYYY-MM-DD`` date. Leaves out: districts/counties as the owning body and multi-city reports.
"""

from __future__ import annotations

import re
from collections import Counter

from core.text import YEAR_NIAN, pos_tags

_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}")
_SUFFIX = ("市", "县", "区")


def detect_city(text: str) -> str:
    """The report's city without its 市 suffix (``"天水"``), or ``""`` when unclear."""
    scores: Counter[str] = Counter()
    for word, flag in pos_tags(text):
        if flag != "ns" or not 2 <= len(word) <= 5 or word.endswith("省"):
            continue
        base = word[:-1] if word.endswith(_SUFFIX) and len(word) > 2 else word
        if f"{base}市" not in text:
            continue
        scores[base] += 1
    for base in list(scores):
        if re.search(f"{re.escape(base)}市(?:妇联|妇女联合会)", text):
            scores[base] += 5
    if not scores:
        return ""
    city, count = scores.most_common(1)[0]
    return city if count >= 2 else ""


def detect_year(text: str) -> int:
    """The report's year (most frequent ``YYYY年``, ties → latest; else a date), or 0 when unknown."""
    years = Counter(int(y) for y in YEAR_NIAN.findall(text))
    if years:
        best = max(years.values())
        return max(y for y, n in years.items() if n == best)
    dates = [int(y) for y in _DATE.findall(text)]
    return max(dates) if dates else 0
