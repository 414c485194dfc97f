"""Turn an elliptical follow-up into a standalone question using the conversation so far.

``condense("那株洲呢?", history, cities)`` takes the last standalone user question in ``history``
(「天水培训了多少陇原巧手」) and swaps its place (and/or year) for the one the follow-up names
(「株洲培训了多少陇原巧手」). Follow-ups may be Chinese (「那株洲呢?」「株洲呢」「那2021年呢」) or English
(「What about Zhuzhou?」「And in 2021?」); English city names map to the indexed Chinese ones by pinyin.
A question that already stands alone is returned unchanged.
Leaves out: pronoun resolution (「她们」「这项工作」), topic changes (「那培训呢?」) and LLM rewriting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ZH_LEAD = re.compile(r"^(?:那么|那|还有|然后|换成|换到|再看看?|再问|如果是|要是)+")
_ZH_TAIL = re.compile(r"(?:呢|怎么样|如何|情况如何|的情况|情况|那边|这边|那里|方面|的|怎样)+$")
_ZH_SUFFIX = re.compile(r"(?:市妇联|妇联|市|县|区|州|省)$")
_EN_LEAD = re.compile(
    r"^(?:(?:and|so|ok|okay|then|also|but)\s*,?\s*)*(?:(?:what|how)\s+about|same\s+for)?\s*", re.IGNORECASE
)
_EN_FILLER = re.compile(r"\b(?:in|for|the|city|of|year|then|too|instead)\b|'s\b")
MAX_FOLLOW_UP = {"zh": 16, "en": 40}  # longer messages are treated as standalone questions


@dataclass(frozen=True)
class _Slots:
    """What a follow-up names: a place (Chinese name, or as typed when not indexed) and/or a year."""

    place: str = ""
    year: str = ""


def condense(question: str, history: Sequence[Any] | None, known_cities: Iterable[str] | Mapping[str, Any]) -> str:
    """A standalone version of ``question`` given the chat ``history`` (messages dicts or [user, bot] pairs)."""
    cities = sorted(known_cities, key=len, reverse=True)
    standalone = ""
    place = ""
    for asked in user_questions(history):
        standalone, place = _resolve(asked, standalone, place, cities)
    return _resolve(question, standalone, place, cities)[0]


def user_questions(history: Sequence[Any] | None) -> list[str]:
    """The user's messages in order, from Gradio ``messages`` dicts or ``(user, bot)`` pairs."""
    out: list[str] = []
    for turn in history or []:
        if isinstance(turn, Mapping):
            if turn.get("role") == "user":
                out.append(_text(turn.get("content")))
        elif isinstance(turn, (list, tuple)) and turn:
            out.append(_text(turn[0]))
    return [q for q in out if q.strip()]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(_text(c) for c in content)
    return ""


def _resolve(question: str, previous: str, prev_place: str, cities: list[str]) -> tuple[str, str]:
    """(standalone question, place it is about) for one turn."""
    question = question.strip()
    slots = _follow_up(question, cities) if previous else None
    if slots is None:
        return question, _place_in(question, cities)
    return _rewrite(previous, prev_place, slots, cities), slots.place or prev_place


def _follow_up(question: str, cities: list[str]) -> _Slots | None:
    """The slots of an elliptical follow-up, or None when the question stands alone."""
    text = question.strip().rstrip("?？。!！.、 ").strip()
    lang = "zh" if _CJK.search(text) else "en"
    if not text or len(text) > MAX_FOLLOW_UP[lang]:
        return None
    return _follow_up_zh(text, cities) if lang == "zh" else _follow_up_en(text, cities)


def _follow_up_zh(text: str, cities: list[str]) -> _Slots | None:
    marked = text.startswith("那") or text.endswith("呢") or text.startswith("还有")
    rest = _ZH_TAIL.sub("", _ZH_LEAD.sub("", re.sub(r"\s+", "", text)))
    year = ""
    m = re.search(r"((?:19|20)\d{2})年?(?:度)?", rest)
    if m:
        year, rest = m.group(1), rest[: m.start()] + rest[m.end() :]
    rest = _ZH_TAIL.sub("", rest.removeprefix("在")).removesuffix("的")
    if not rest:
        return _Slots(year=year) if year else None
    base = _ZH_SUFFIX.sub("", rest) or rest
    for city in cities:
        if base == city or rest == city:
            return _Slots(city, year)
    if not (marked or year) or not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", base):
        return None
    return _Slots(base, year) if base != rest or _is_place_name(base) else None


def _follow_up_en(text: str, cities: list[str]) -> _Slots | None:
    lowered = text.lower()
    marked = bool(re.match(r"^(?:and|so|ok|okay|then|also|but)?\s*,?\s*(?:(?:what|how)\s+about|same\s+for)\b", lowered))
    marked = marked or bool(re.match(r"^(?:and|also)\b", lowered))
    rest = _EN_LEAD.sub("", text)
    year = ""
    m = _YEAR.search(rest)
    if m:
        year, rest = m.group(1), rest[: m.start()] + rest[m.end() :]
    words = _EN_FILLER.sub(" ", rest.lower()).split()
    if not words:
        return _Slots(year=year) if year else None
    pinyin = _pinyin_map(tuple(cities))
    joined = "".join(words)
    if joined in pinyin:
        return _Slots(pinyin[joined], year)
    typed = [w for w in re.findall(r"[A-Za-z]+", rest) if w.lower() in words]
    if (marked or year) and len(words) <= 2 and typed and all(w[0].isupper() for w in typed):
        return _Slots(" ".join(typed), year)
    return None


@lru_cache(maxsize=512)
def _is_place_name(word: str) -> bool:
    """Whether jieba tags ``word`` as one place name (ns), e.g. 北京, 苏州."""
    import jieba.posseg

    pairs = list(jieba.posseg.cut(word))
    return len(pairs) == 1 and pairs[0].flag == "ns"


@lru_cache(maxsize=64)
def _pinyin_map(cities: tuple[str, ...]) -> dict[str, str]:
    from qa.query import Catalog

    return Catalog(cities={c: [] for c in cities}).city_pinyin()


@lru_cache(maxsize=256)
def _display_pinyin(city: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(city)).capitalize() if _CJK.search(city) else city


def _place_in(question: str, cities: list[str]) -> str:
    """The first indexed city a question names (Chinese, or English by pinyin), else ''."""
    if _CJK.search(question):
        found = [(question.find(c), c) for c in cities if c in question]
        return min(found)[1] if found else ""
    for py, city in _pinyin_map(tuple(cities)).items():
        if re.search(rf"\b{re.escape(py)}\b", question, re.IGNORECASE):
            return city
    return ""


def _rewrite(previous: str, prev_place: str, slots: _Slots, cities: list[str]) -> str:
    english = not _CJK.search(previous)
    out = previous
    if slots.place:
        new = _display_pinyin(slots.place) if english else slots.place
        old_forms = [prev_place, _display_pinyin(prev_place)] if prev_place else []
        replaced = False
        for old in old_forms:
            pattern = rf"\b{re.escape(old)}\b" if english else re.escape(old)
            if old and re.search(pattern, out, re.IGNORECASE if english else 0):
                out = re.sub(pattern, lambda _m: new, out, count=1, flags=re.IGNORECASE if english else 0)
                replaced = True
                break
        if not replaced:
            out = f"{out.rstrip('?？ ')} in {new}?" if english else f"{new}{out}"
    if slots.year:
        if _YEAR.search(out):
            out = _YEAR.sub(slots.year, out, count=1)
        else:
            out = f"{out.rstrip('?？ ')} in {slots.year}?" if english else f"{slots.year}年{out}"
    return out
