"""List answers: the items of an enumeration, gathered across sentences and numbered lines of a passage.

``items_in(sentence)`` reads one sentence's items (quoted names or a 、-list); ``numbered_items(text)``
reads 「一是…二是…」, 「(一)…(二)…」, 「1.…2.…」 and 「一、…二、…」 enumerations, one item per marker (its words up to
the first punctuation). ``asked_count`` reads the count a question names (「哪六大行动」 → 6, "which three" → 3).
Leaves out: items spread over several passages.
"""

from __future__ import annotations

import re

from qa.figures import cn_value

_CN = "一二三四五六七八九十"
_MARKERS = (
    re.compile(rf"([{_CN}])是"),
    re.compile(rf"[（(]([{_CN}]+)[)）]"),
    re.compile(r"(?:^|\n)\s*(\d{1,2})[.、．)]"),
    re.compile(rf"(?:^|\n)\s*([{_CN}]+)、"),
)
_COUNT_ZH = re.compile(
    rf"(?:哪|那)([{_CN}两]+|\d+)(?:大|个|项|类|种|支|条|方面)?|"
    rf"([{_CN}两]+|\d+)(?:大|个|项)[^\s，,。？?]{{0,8}}(?:是|有|分别|都有|包括)"
)
_EN_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else cn_value(raw) or 0


def asked_count(norm: str) -> int:
    """The number of items a question asks for, or 0."""
    m = _COUNT_ZH.search(norm)
    if m:
        return _number(m.group(1) or m.group(2))
    en = re.search(r"\b(?:which|what|the|name the|list the) (two|three|four|five|six|seven|eight|nine|ten)\b", norm)
    return _EN_NUMBERS[en.group(1)] if en else 0


def items_in(sentence: str) -> list[str]:
    """Quoted names (at least two) or the longest 、-separated run of a sentence."""
    quoted = re.findall(r"“[^”]{1,40}”|《[^》]{1,40}》", sentence)
    if len(quoted) >= 2:
        return list(dict.fromkeys(quoted))
    parts = [p for p in re.split(r"[,，;；:：。]", sentence) if "、" in p]
    if parts:
        longest = max(parts, key=lambda p: p.count("、"))
        return [x.strip() for x in longest.split("、") if x.strip()]
    return []


def numbered_items(text: str) -> list[str]:
    """The items of the longest numbered enumeration in ``text`` (first one, two, three… in order)."""
    best: list[str] = []
    for marker in _MARKERS:
        found: list[tuple[int, str]] = []
        for m in marker.finditer(text):
            head = re.split(r"[,，;；:：。！？!?\n]", text[m.end() :].lstrip(), maxsplit=1)[0].strip()
            if 2 <= len(head) <= 40:
                found.append((_number(m.group(1)), head))
        run: list[str] = []
        for n, head in found:  # keep a run numbered 1, 2, 3…
            if n == len(run) + 1:
                run.append(head)
            elif n == 1:
                run = [head]
        if len(run) > len(best):
            best = run
    return best
