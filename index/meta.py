"""Detect a report's city, year and title from its text (city and year may come out unknown).

City: the place most often named as ``X市`` (strongly weighted when it is ``X市妇联``/``X市妇女联合会``),
found with jieba's place-name tags. Year: the most frequent ``20XX年`` (ties → the latest), else a
``YYYY-MM-DD`` date. Leaves out: districts/counties as the owning body and multi-city reports.
"""

from __future__ import annotations

import re
from collections import Counter

from core.text import CN_TEN, YEAR_NIAN, pos_tags

_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}")
_SUFFIX = ("市", "县", "区")
_TITLE_LINES = 8  # non-blank lines at the top of a report searched for its title
_TITLE_MAX = 40  # characters: a longer line is a sentence, not a title
_NOT_TITLE = re.compile(
    rf"来源|记者|通讯员|编辑|日期|浏览|字体|https?:|www\.|[。；;]$|^[{CN_TEN}]+[、.．]|^[（(]"
)
_OWNER = re.compile(r"妇联|妇女联合会")
_KIND = re.compile(r"工作(?:总结|报告)|总结|报告|年")
_MARKS = " \t\u3000#*•·▲▼■□◆◇>-"
_BLOCK = re.compile("[\u4e00-\u9fd5a-zA-Z0-9+#&._]+")  # the runs jieba's tagger splits text into and tags alone


def _place_blocks(text: str) -> str:
    """The runs of ``text`` jieba tags one at a time that hold a string seen right before 市 — the only runs where
    a counted place name can occur, so tagging just these gives ``detect_city`` what tagging the whole text does
    (a long report is tagged in a fraction of the time)."""
    bases = {
        text[i - k : i] for i, char in enumerate(text) if char == "市" for k in range(2, 6) if i >= k
    }
    bases = {b for b in bases if _BLOCK.fullmatch(b)}
    if not bases:
        return ""
    wanted = re.compile("|".join(map(re.escape, sorted(bases, key=len, reverse=True))))
    return "\n".join(block for block in _BLOCK.findall(text) if wanted.search(block))


def detect_city(text: str) -> str:
    """The report's city without its 市 suffix (``"天水"``), or ``""`` when unclear."""
    scores: Counter[str] = Counter()
    for word, flag in pos_tags(_place_blocks(text)):
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


def detect_title(text: str, city: str = "", year: int = 0) -> str:
    """A readable title from the report's first lines (「宜昌市妇联2021年工作总结」).

    The best short line near the top that names a federation (妇联/妇女联合会) or a summary/report, skipping
    bylines, sources, dates and numbered headings; else one made of the detected city and year
    (「东营市妇联2020年工作总结」); else the first line, cut short. Leaves out: titles inside the body.
    """
    lines = [ln.strip(_MARKS) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln][:_TITLE_LINES]
    best, best_score = "", 0
    for line in lines:
        if len(line) > _TITLE_MAX or len(line) < 4 or _NOT_TITLE.search(line) or _DATE.search(line):
            continue
        score = 2 * bool(_OWNER.search(line)) + bool(_KIND.search(line))
        if score > best_score or (score == best_score and score and len(line) < len(best)):
            best, best_score = line, score
    if best_score >= 2:
        return best
    if city:
        return f"{city}市妇联{year}年工作总结" if year else f"{city}市妇联工作总结"
    first = lines[0] if lines else ""
    return first if len(first) <= _TITLE_MAX else first[: _TITLE_MAX - 1] + "…"


def detect_year(text: str) -> int:
    """The report's year, or 0 when unknown.

    The year its title names (a short line near the top with 总结/报告/工作 or 妇联), else the year its opening
    sentence starts with (「2020年是极不平凡的一年」, 「2020年,东营市妇联…」), else the most frequent ``YYYY年``
    (ties → the latest), else a ``YYYY-MM-DD`` date. A report's plans for the next year name that year often,
    so frequency alone dates a summary one year late.
    """
    if year := _title_year(text) or _opening_year(text):
        return year
    years = Counter(int(y) for y in YEAR_NIAN.findall(text))
    if years:
        best = max(years.values())
        return max(y for y, n in years.items() if n == best)
    dates = [int(y) for y in _DATE.findall(text)]
    return max(dates) if dates else 0


_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_OPENING = re.compile(r"(?:^|[\s。！？])((?:19|20)\d{2})\s*年(?:是|,|，|以来|全年|，全|,全)")


def _title_year(text: str) -> int:
    """The single year of a title line near the top (「宜昌市妇联2021年工作总结」), or 0."""
    lines = [ln.strip(_MARKS) for ln in text.splitlines()]
    for line in [ln for ln in lines if ln][:_TITLE_LINES]:
        if len(line) > _TITLE_MAX or _NOT_TITLE.search(line) or not (_OWNER.search(line) or _KIND.search(line)):
            continue
        years = set(_ANY_YEAR.findall(line))
        if len(years) == 1 and _YEAR_IN_TITLE.search(line) and re.search(r"总结|报告|工作", line):
            return int(years.pop())
    return 0


def _opening_year(text: str) -> int:
    """The year the report's first sentences start with (within its first 300 characters), or 0."""
    m = _OPENING.search(text[:300])
    return int(m.group(1)) if m else 0
