"""Figures in text: find them with their units exactly as written, normalise them, check grounding.

A figure is an Arabic number with optional thousands separators, decimals, 万/亿 magnitude,
余/多 approximation and a measure word or %, e.g. ``3426人``, ``19.8%``, ``59万余册``, ``20余万元``.
``grounded`` is the rule that no figure may appear in an answer unless a cited passage holds it.
Chinese numerals (三千四百二十六) and English magnitudes (1.24 million) are parsed for the grounding checks.
Leaves out: figures spelled as English words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.text import CN_BIG, CN_COUNT, pos_tags

_UNIT_WORDS = (
    "个百分点|百分点|人次|户次|场次|余人|万人|亿元|万元|千元|元|人|名|个|户|场|次|期|家|所|册|张|篇|件|项|支|位|对|"
    "条|部|本|份|批|座|处|间|村|镇|套|份|幅|首|块|台|辆|株|亩|平方米|米|公里|天|小时|周|年|月|岁|篇次|类|届|笔|门|"
    "轮|棵|斤|吨|箱|袋|组|队|站|点|园|班|节|课时|学时|课|种|分钟|秒|倍|起|盒|瓶|包|件次|所次|批次|万|亿"
)
UNITS = "|".join(sorted(dict.fromkeys(_UNIT_WORDS.split("|")), key=len, reverse=True))  # 件次 before 件
_NUMBER = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
FIGURE = re.compile(
    rf"(?P<num>{_NUMBER})\s*(?P<mag>万|亿|千)?(?P<approx>余|多)?(?P<mag2>万|亿)?(?P<unit>%|‰|(?:{UNITS}))?"
    rf"(?:[（(](?P<alt>[^）)]{{1,3}})[）)])?"
)
_UNIT_SET = set(UNITS.split("|"))
_MAG = {"万": 10_000, "亿": 100_000_000, "千": 1_000}
_EN_MAGNITUDE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(thousand|million|billion)\b", re.I)
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_CN_RUN = re.compile(rf"[零〇{CN_COUNT}{CN_BIG}]{{2,}}")
_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


@dataclass(frozen=True)
class Figure:
    """A figure found in a text: ``text[start:end]`` as written, ``value`` as a number."""

    start: int
    end: int
    text: str
    value: float
    unit: str
    is_year: bool  # a year, date or time: never the answer to a count


def _to_halfwidth(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# a span of time written in parts (「2分45秒」, 「1小时20分钟」): one figure, its value in seconds
DURATION = re.compile(r"(\d+)个?小时(\d+)分钟?(?:(\d+)秒)?|(\d+)分钟?(\d+)秒")


def _durations(text: str) -> list[Figure]:
    out = []
    for m in DURATION.finditer(text):
        hours, minutes, seconds = m.group(1, 2, 3) if m.group(1) else ("0", *m.group(4, 5))
        value = 3600 * int(hours) + 60 * int(minutes) + int(seconds or 0)
        out.append(Figure(m.start(), m.end(), m.group(0), float(value), "秒", False))
    return out


_PHONE_NAME = re.compile(r"[\u4e00-\u9fff“]{0,4}?(?:热线|专线|电话|服务台)")
_IN_NAME = re.compile(r"“[^“”]{1,30}”")  # a quoted name: its digits name it (“3+1姐妹帮帮团”, “6·26禁毒日”)


def counted(text: str) -> list[Figure]:
    """The figures of ``text`` that count something: not years or dates, nor the digits of a quoted name."""
    names = [(m.start(), m.end()) for m in _IN_NAME.finditer(text)]
    return [f for f in find_figures(text) if not f.is_year and not any(a < f.start < b for a, b in names)]


def _is_marker(text: str, start: int, end: int) -> bool:
    """Whether the bare number at ``text[start:end]`` numbers a heading or list item (「3、」「2.」「(4)」) rather
    than counting anything."""
    if end - start > 2 or not text[start:end].isdigit():
        return False
    if text[start - 1 : start] in ("(", "（") and text[end : end + 1] in (")", "）"):
        return True
    opens = start == 0 or text[start - 1] in " \t\n\u3000。;；:：,，▲►■●"
    mark = text[end : end + 1]
    return opens and (mark in ("、", "．") or (mark == "." and not text[end + 1 : end + 2].isdigit()))


def find_figures(text: str) -> list[Figure]:
    """Every Arabic-number figure in ``text`` (which should already be NFKC-normalised for offsets)."""
    figures = _durations(text)
    taken = [(f.start, f.end) for f in figures]
    for m in FIGURE.finditer(text):
        start = m.start()
        if any(lo <= start < hi for lo, hi in taken):
            continue  # a part of a span of time read whole
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "." or text[start - 1].isascii() and
                          text[start - 1].isalpha()):
            continue  # 「FM995电台」, 「G20」: digits of a name
        num = m.group("num").replace(",", "").replace("，", "")
        if not m.group("unit") and _is_marker(text, start, m.end("num")):
            continue  # 「3、…」, 「(2)…」: a list item's number
        if not m.group("unit") and _PHONE_NAME.match(text, m.end("num")):
            continue  # 「12338维权热线」: a line's number names it
        try:
            value = float(num)
        except ValueError:
            continue
        for mag in (m.group("mag"), m.group("mag2")):
            if mag:
                value *= _MAG[mag]
        unit = m.group("unit") or ""
        end = m.end("unit") if unit else max(m.end("num"), m.end("mag") or 0, m.end("approx") or 0, m.end("mag2") or 0)
        if m.group("alt") and unit:
            end = m.end()
            if unit + m.group("alt") in _UNIT_SET:  # 14055人(次) counts 人次
                unit += m.group("alt")
        is_year = unit in ("年", "") and "." not in num and 1900 <= value <= 2100 and len(num) == 4
        if (
            unit == "月"
            or text[end : end + 1] in ("日", "号", "时", ":", "：")
            or (unit == "" and text[end : end + 1] == "月")
        ):
            is_year = True  # dates and times are not answers to "how many"
        figures.append(Figure(start, end, text[start:end], value, unit, is_year))
    return sorted(figures, key=lambda f: f.start)


def figure_keys(text: str) -> set[str]:
    """Canonical forms of every figure in a text: the digits as written and the expanded value."""
    keys: set[str] = set()
    for fig in find_figures(_to_halfwidth(text)):
        digits = re.sub(r"[,，]", "", fig.text)
        num = re.match(r"\d+(?:\.\d+)?", digits)
        if num:
            keys.add(num.group(0))
        keys.add(_fmt(fig.value))
    return keys


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _digits(figure_text: str) -> str:
    """The leading number of a figure's text without thousands separators (「1,234人」 → 「1234」)."""
    m = re.match(_NUMBER, figure_text)
    return re.sub(r"[,，]", "", m.group(0) if m else figure_text)


def ungrounded(answer: str, passages: list[str], given: str = "") -> list[str]:
    """Figures stated in ``answer`` that appear in none of ``passages`` (empty list = grounded).

    Citation markers like ``[2]`` are ignored; figures match after NFKC, separator removal and
    万/亿 expansion, so ``1.5万`` in the answer is grounded by ``15000`` in a passage and vice versa.
    Years of ``given`` (the question: a year it asks about, echoed in a scope note) count as grounded too; its
    other figures do not.
    """
    body = re.sub(r"\[\d+\]", "", answer)
    available: set[str] = set()
    joined = _to_halfwidth(" ".join(passages))
    echoed = [f for f in find_figures(_to_halfwidth(given)) if f.is_year]
    for fig in find_figures(joined) + echoed:
        available.add(_fmt(fig.value))
        available.add(_digits(fig.text))
    missing = []
    for fig in find_figures(_to_halfwidth(body)):
        raw = _digits(fig.text)
        if raw not in available and _fmt(fig.value) not in available:
            missing.append(fig.text)
    return missing


def expand_magnitudes(text: str) -> str:
    """「1.24 million」 → 「1240000」, so an English magnitude is checked by value (124万 is 1.24 million, not 124)."""

    def expand(m: re.Match) -> str:
        value = float(m.group(1).replace(",", "")) * _EN_SCALE[m.group(2).lower()]
        return str(int(value)) if value.is_integer() else f"{value:.2f}"

    return _EN_MAGNITUDE.sub(expand, text)


def cn_value(run: str) -> int | None:
    """The value of a Chinese numeral (三千四百二十六 → 3426), None when the run is not one (十三五)."""
    total = section = 0
    digit: int | None = None
    for ch in run:
        if ch in "零〇":
            if digit is not None:
                return None
        elif ch in _CN_DIGIT:
            if digit is not None:
                return None
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
        else:
            section += digit or 0
            if section == 0:
                return None
            total += section * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


CN_COUNT_UNITS = "年|个|名|户|次|场|项|届|期|天|家|所|支|人|对|件"  # what a count in Chinese numerals counts
_CN_COUNT = re.compile(rf"(?<!第)([两二三四五六七八九十百千万]+)({CN_COUNT_UNITS})(?![一”」])")


def cn_counts(text: str) -> list[tuple[str, float, str]]:
    """Counts written in Chinese numerals (「连续六年」 → ("六年", 6, "年")); ordinals and names (十三五) left out."""
    out = []
    for m in _CN_COUNT.finditer(text):
        if (value := cn_value(m.group(1))) is not None:
            out.append((m.group(0), float(value), m.group(2)))
    return out


def cn_ungrounded(claim: str, passages: list[str]) -> list[str]:
    """Chinese-numeral figures of ``claim`` (三千四百, not 十三五) that no passage states (passages normalised)."""
    values = {f.value for p in passages for f in find_figures(_to_halfwidth(p))}
    joined = "\n".join(passages)
    missing = []
    for m in _CN_RUN.finditer(claim):
        value = cn_value(m.group())
        if value is None or value < 10 or not re.search("[十百千万亿]", m.group()):
            continue
        if m.group() not in joined and float(value) not in values:
            missing.append(m.group())
    return missing


_NUMERAL = rf"(?:[{CN_COUNT}百]+|\d+)"
_ORDINAL_Q = re.compile(r"第几([\u4e00-\u9fff])")
_EN_ORDINALS = {"edition": "届", "session": "(?:届|次)", "batch": "批", "round": "轮"}  # (第十二次全国代表大会)
EN_ORDINAL_Q = re.compile(rf"\bwhich ({'|'.join(_EN_ORDINALS)})\b")  # asks a 第N届 / 第N批
_COUNTED_NAME_Q = re.compile(r"[“\"「]([^”\"」]{0,6}几[^”\"」]{0,6})[”\"」]")


def asked_numbered(norm: str) -> re.Pattern[str] | None:
    """What a question asks the number of, as the answer writes it: 「第几批」 → 第N批, 「“几个一”活动」 → “N个一”;
    None when it asks no such thing."""
    if m := _COUNTED_NAME_Q.search(norm):
        inner = re.escape(m.group(1)).replace("几", _NUMERAL)
        return re.compile(rf"[“\"「]?{inner}[”\"」]?")  # the report may not quote it
    if m := _ORDINAL_Q.search(norm):
        return re.compile(rf"第{_NUMERAL}{m.group(1)}")
    if m := EN_ORDINAL_Q.search(norm):  # 「which edition was the race」 → 第N届
        return re.compile(rf"第{_NUMERAL}{_EN_ORDINALS[m.group(1)]}")
    return None


_APPROX_BEFORE = re.compile(r"(?:将近|接近|近|大约|约|逾|超过|超|不足|不到)$")


def as_written(sentence: str, fig: Figure) -> str:
    """A figure with the word before it that bounds it (「近100名」, 「超200万」), as the sentence writes it — a
    word of its own, not the end of another (「签约35家」 is no 「约35家」)."""
    m = _APPROX_BEFORE.search(sentence[: fig.start])
    if not m:
        return fig.text
    words = [w for w, _ in pos_tags(sentence[max(0, fig.start - 8) : fig.start])]
    return (m.group(0) if words and words[-1] == m.group(0) else "") + fig.text
