"""Split a report into sentence-aware chunks with exact offsets and section headings.

Sentences end at 。！？；!?; or a line break, never inside quotes/brackets (“…”《…》（…）), so a
quoted name or a number is never cut. Headings (一、 /（一）/ 1、 / 1. / 一是 / short unnumbered title
lines / markdown #) open a new chunk and form the chunk's section path. Chunks pack whole sentences up
to a size budget (a hard bound: longer sentences are split first) and repeat trailing sentences as overlap.
``text[start:end]`` is always the chunk.
Leaves out: tables and page layout (PDF/DOCX text arrives as plain lines).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from core.sentences import END, OPEN, Span, split_sentences
from core.text import CJK, CN_TEN

_CLAUSE = set("，,、：:")
_CN_NUM = CN_TEN
_HEADING_PATTERNS = [
    (1, re.compile(rf"^[{_CN_NUM}]+\s*[、.．]")),
    (2, re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[）)]")),
    (3, re.compile(r"^\d{1,2}\s*[、.．)）](?!\d)")),
    (4, re.compile(rf"^[{_CN_NUM}]+是")),
]
_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_NOT_TITLE = re.compile(r"[:：·•▲▼]|记者|通讯员|来源|日期")


@dataclass
class Chunk:
    """One passage: ``report.text[start:end] == text``."""

    id: str
    doc: str
    index: int
    start: int
    end: int
    text: str
    section: list[str] = field(default_factory=list)

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)


def _split_long(text: str, span: Span, budget: int) -> list[Span]:
    """Split an over-long sentence at clause marks outside quotes, else at a safe character."""
    if span.end - span.start <= budget:
        return [span]
    pieces: list[Span] = []
    start, stack = span.start, list[str]()
    last_cut = -1
    i = span.start
    while i < span.end:
        ch = text[i]
        if stack and ch == stack[-1]:
            stack.pop()
        elif ch in OPEN and len(stack) < 4:
            stack.append(OPEN[ch])
        elif ch in _CLAUSE and not stack:
            last_cut = i + 1
        if i + 1 - start >= budget:
            cut = last_cut if last_cut > start else _safe_cut(text, start, i + 1)
            pieces.append(Span(start, cut, start == span.start and span.line_start, False))
            start, last_cut, stack = cut, -1, []
            i = cut
            continue
        i += 1
    if start < span.end:
        pieces.append(Span(start, span.end, False, span.line_end))
    return pieces


def _safe_cut(text: str, start: int, end: int) -> int:
    """Move a hard cut back so it never lands inside a number or a Latin word."""
    cut = end
    while 1 + start < cut < len(text) and text[cut - 1].isalnum() and text[cut].isalnum() and text[cut].isascii():
        cut -= 1
    return cut if cut > start + 1 else end


def heading_level(text: str, span: Span) -> int:
    """0 when the sentence is not a heading, else its level (1 = top)."""
    s = text[span.start : span.end]
    md = _MD_HEADING.match(s)
    if md and span.line_start:
        return len(md.group(1))
    for level, pattern in _HEADING_PATTERNS:
        if pattern.match(s):
            if level == 4:
                return 4 if len(s) <= 40 else 0
            return level if span.line_start and len(s) <= 60 else 0
    whole_line = span.line_start and span.line_end
    if (
        whole_line
        and len(s) <= 40
        and s[-1] not in END
        and CJK.search(s)
        and not _NOT_TITLE.search(s)
        and s[0] not in OPEN
    ):
        return 1
    return 0


def chunk_id(doc_sha: str, start: int, end: int, text: str) -> str:
    """Content hash of a chunk: same report, same passage → same id."""
    return hashlib.sha256(f"{doc_sha}\0{start}\0{end}\0{text}".encode()).hexdigest()[:24]


def chunk_report(
    name: str, text: str, doc_sha: str, size: int = 260, overlap: int = 60
) -> list[Chunk]:
    """Pack sentences into chunks of at most ``size`` chars within one section, with overlap.

    Every chunk is at most ``size`` characters (over-long sentences and headings are split first), every
    non-space character of ``text`` is in some chunk, and consecutive chunks share at most ``overlap``
    non-space characters. A run of headings with no text between them (a numbered list of short lines)
    becomes chunks of its own rather than one unbounded heading block.
    """
    sentences: list[tuple[Span, int]] = []
    for span in split_sentences(text):
        level = heading_level(text, span)
        if level and span.end - span.start > size:
            level = 0
        for piece in _split_long(text, span, size) if not level else [span]:
            sentences.append((piece, level))

    chunks: list[Chunk] = []
    path: list[tuple[int, str]] = []
    current: list[Span] = []
    current_path: list[str] = []
    has_content = False

    def flush(force: bool = False) -> None:
        nonlocal current, has_content
        if current and (has_content or force):
            start, end = current[0].start, current[-1].end
            body = text[start:end]
            chunks.append(
                Chunk(chunk_id(doc_sha, start, end, body), name, len(chunks), start, end, body, list(current_path))
            )
        current, has_content = [], False

    for span, level in sentences:
        too_long = bool(current) and span.end - current[0].start > size
        if level:
            if has_content or too_long:
                flush(force=True)
            path = [(lv, t) for lv, t in path if lv < level] + [(level, text[span.start : span.end])]
            current.append(span)
            current_path = [t for _, t in path]
            continue
        if too_long:
            tail = _overlap_tail(current, span, size, overlap) if has_content else []
            flush(force=True)
            current = tail
        if not current:
            current_path = [t for _, t in path]
        current.append(span)
        has_content = True
    flush(force=True)
    return chunks


def _overlap_tail(current: list[Span], span: Span, size: int, overlap: int) -> list[Span]:
    """The trailing sentences of ``current`` to repeat before ``span``: at most ``overlap`` characters of
    sentence text, and never so many that the next chunk would pass ``size``."""
    tail: list[Span] = []
    for prev in reversed(current):
        if sum(s.end - s.start for s in tail) + prev.end - prev.start > overlap:
            break
        tail.insert(0, prev)
    while tail and span.end - tail[0].start > size:
        tail.pop(0)
    return tail
