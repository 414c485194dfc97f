"""Sentence splitting with exact offsets, shared by the chunker and the answerers.

Sentences end at 。！？；!?; or a line break, never inside quotes/brackets (“…”《…》（…）), so a quoted
name or a number is never cut. ``evidence_sentences`` picks the ones an answer may quote; the indexer stores a
vector for each and the answerer looks them up by the same offsets. Leaves out: clause splitting and headings
(``index.chunk``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

END = set("。！？；!?;")
OPEN = {"“": "”", "《": "》", "（": "）", "(": ")", "「": "」", "『": "』", "【": "】", "‘": "’"}
CLOSE = set(OPEN.values())
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# a web page's own lines kept in a saved report (「发布日期: 2020-03-11 浏览次数: 字体:[ ]」): never evidence
_PAGE_CHROME = re.compile(
    r"发布日期|发布时间|浏览次数|阅读次数|点击[数量率次]|字体[:：]|成文日期|责任编辑|打印本页|关闭窗口"
)
_CHROME_LEN = 60
PAGE_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d\s*-\s*\d{1,2}\s*-\s*\d{1,2}(?!\d)")  # a page's date (2020- 03- 11)


@dataclass(frozen=True)
class Span:
    """A sentence (or clause) of the original text: ``text[start:end]``."""

    start: int
    end: int
    line_start: bool
    line_end: bool


def split_sentences(text: str) -> list[Span]:
    """Sentences with offsets; ends at 。！？；!?; or newline outside quotes/brackets."""
    spans: list[Span] = []
    stack: list[str] = []
    start = 0
    i, n = 0, len(text)

    def emit(end: int) -> None:
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            line_start = not text[text.rfind("\n", 0, s) + 1 : s].strip()
            nl = text.find("\n", e)
            line_end = not text[e : nl if nl >= 0 else n].strip()
            spans.append(Span(s, e, line_start, line_end))

    while i < n:
        ch = text[i]
        if ch in "\r\n":
            emit(i)
            stack.clear()
            start = i + 1
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch in OPEN and len(stack) < 4:
            stack.append(OPEN[ch])
        elif ch in END and not stack:
            j = i + 1
            while j < n and (text[j] in END or text[j] in CLOSE):
                j += 1
            emit(j)
            start = i = j
            continue
        if stack and i - start > 300:  # an unbalanced quote must not swallow the report
            stack.clear()
        i += 1
    emit(n)
    return spans


def evidence_sentences(text: str, page_lines: bool = False) -> list[Span]:
    """The sentences of a passage that can be evidence: four characters or more, with a letter or a Han character
    (not a stray 「0」 or a bare number line, nor a web page's short date and hit-count line — unless
    ``page_lines``, for a question asking when the page was published: then a line with its date is kept)."""
    return [
        s
        for s in split_sentences(text)
        if (
            s.end - s.start >= 4
            and _WORDY.search(text, s.start, s.end)
            and not (s.end - s.start <= _CHROME_LEN and _PAGE_CHROME.search(text, s.start, s.end))
        )
        or (page_lines and PAGE_DATE.search(text, s.start, s.end) is not None)
    ]
