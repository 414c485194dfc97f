"""Answers and conversations as Markdown, JSON, clean plain text and comparison tables (pure functions).

Every function takes answer objects as dicts (``Answer.to_dict()``, what the API returns): an answer to
Markdown with its numbered sources, a conversation (a list of answers, each holding its question) to
Markdown or to a JSON document with every citation, an answer to plain text for copying (no markup, the [n]
marks kept and the sources listed under it), and a multi-city answer (``parts``) to rows of (city, figure,
sources) and a Markdown table. Labels follow the answer's language (Chinese unless it is ``en``).
Leaves out: widgets and HTML (the web UI) and storing conversations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.types import SECTION_SEP

FORMAT_VERSION = 1
_MARK = re.compile(r"\s*\[\d+\]")
_LEAD = re.compile(r"\s?——\s?| — ")
_MARKUP = [
    (re.compile(r"\*\*(.+?)\*\*|__(.+?)__"), r"\1\2"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s+", re.M), ""),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
    (re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)"), r"\1"),  # [text](link) → text; [n] marks stay
]
LABELS = {
    "zh": {
        "sources": "来源",
        "question": "问",
        "answer": "答",
        "city": "城市",
        "figure": "数字",
        "source": "来源",
        "missing": "报告中没有找到",
        "not_found": "未找到答案,以下是最接近的段落",
        "conversation": "对话记录",
        "exported": "导出时间",
    },
    "en": {
        "sources": "Sources",
        "question": "Q",
        "answer": "A",
        "city": "City",
        "figure": "Figure",
        "source": "Source",
        "missing": "not in the reports",
        "not_found": "No answer found; the closest passages",
        "conversation": "Conversation",
        "exported": "Exported",
    },
}


def labels(answer: Mapping[str, Any] | None = None, lang: str = "") -> dict[str, str]:
    """The labels for an answer's language (or ``lang``)."""
    lang = lang or str((answer or {}).get("lang") or "zh")
    return LABELS["en" if lang == "en" else "zh"]


def plain(text: str) -> str:
    """Text with Markdown emphasis, code, heading, quote and link markup removed ([n] marks kept)."""
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    return text.strip()


def source_line(citation: Mapping[str, Any]) -> str:
    """「[1] 天水 2016 · 002_….txt · 一、… > 1、…」: a citation's number, place, year, report and section."""
    place = " ".join(str(p) for p in (citation.get("city"), citation.get("year") or "") if p)
    section = str(citation.get("section") or "").replace(SECTION_SEP, " > ")
    where = " · ".join(p for p in (place, str(citation.get("doc") or ""), section) if p)
    return f"[{citation.get('n')}] {where}"


def quote(citation: Mapping[str, Any], limit: int = 300) -> str:
    """The evidence of a citation (its whole passage when it has none), on one line, cut at ``limit``."""
    text = str(citation.get("evidence") or citation.get("text") or "")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md_escape(text: str) -> str:
    return re.sub(r"([\\*|<])", r"\\\1", text)  # what would start emphasis, a table cell or a tag


def answer_markdown(answer: Mapping[str, Any], question: bool = True) -> str:
    """An answer (with its question, unless ``question`` is False) and its sources, as Markdown."""
    lab = labels(answer)
    lines: list[str] = []
    if question:
        lines += [f"**{lab['question']}:** {_md_escape(str(answer.get('question', '')))}", ""]
    table = comparison_markdown(answer)
    body = str(answer.get("answer", ""))
    lines += [f"**{lab['answer']}:** " + "  \n".join(body.splitlines() or [""])]
    if table:
        lines += ["", table]
    citations = list(answer.get("citations") or [])
    if citations:
        heading = lab["sources"] if answer.get("found", True) else lab["not_found"]
        lines += ["", f"**{heading}:**", ""]
        for c in citations:
            lines.append(f"- {_md_escape(source_line(c))}")
            lines.append(f"  > {_md_escape(quote(c))}")
    return "\n".join(lines)


def conversation_markdown(answers: Sequence[Mapping[str, Any]], title: str = "", lang: str = "") -> str:
    """A conversation (answers in order, each with its question) as one Markdown document."""
    lab = labels(answers[0] if answers else None, lang)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    out = [f"# {title or lab['conversation']}", "", f"_{lab['exported']}: {stamp}_"]
    for i, answer in enumerate(answers, 1):
        out += ["", f"## {i}. {_md_escape(str(answer.get('question', '')))}", "", answer_markdown(answer, False)]
    return "\n".join(out) + "\n"


def conversation_json(answers: Sequence[Mapping[str, Any]], title: str = "") -> dict[str, Any]:
    """A conversation as one JSON document: each turn's question and its whole answer object."""
    return {
        "format": "fulian-qa conversation",
        "version": FORMAT_VERSION,
        "title": title,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "turns": [{"question": a.get("question", ""), "answer": dict(a)} for a in answers],
    }


def turns_from_json(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answer objects of a document written by ``conversation_json`` (``ValueError`` if it is not one)."""
    turns = doc.get("turns") if isinstance(doc, Mapping) else None
    if not isinstance(turns, list) or not all(isinstance(t, Mapping) and isinstance(t.get("answer"), Mapping)
                                              for t in turns):
        raise ValueError("not a conversation export: expected {'turns': [{'question', 'answer'}, ...]}")
    return [dict(t["answer"]) for t in turns]


def plain_text(answer: Mapping[str, Any]) -> str:
    """An answer as clean text for copying: no markup, [n] marks kept, then its sources with their evidence."""
    lab = labels(answer)
    lines = [plain(str(answer.get("answer", "")))]
    citations = list(answer.get("citations") or [])
    if citations:
        heading = lab["sources"] if answer.get("found", True) else lab["not_found"]
        lines += ["", f"{heading}:"]
        for c in citations:
            lines.append(source_line(c))
            evidence = quote(c)
            if evidence:
                lines.append(f"    {evidence}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Row:
    """One city of a comparison: the figure (or name) stated for it and the sources it rests on."""

    city: str
    figure: str
    found: bool
    citation_n: list[int] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    text: str = ""  # the city's whole part of the answer


def lead(text: str) -> str:
    """What a part of an answer states first: 「3426人 —— 实施…[1]」 → 「3426人」."""
    first = _LEAD.split(text.strip(), maxsplit=1)[0]
    return _MARK.sub("", first).strip()


def comparison_rows(answer: Mapping[str, Any]) -> list[Row]:
    """The rows of a multi-city answer (empty for an answer about one city or a refusal)."""
    by_n = {c.get("n"): c for c in answer.get("citations") or []}
    rows = []
    for part in answer.get("parts") or []:
        ns = [int(n) for n in part.get("citation_n") or []]
        docs = list(dict.fromkeys(str(by_n[n].get("doc", "")) for n in ns if n in by_n))
        found = bool(part.get("found", True))
        text = str(part.get("answer", ""))
        rows.append(Row(str(part.get("city", "")), lead(text) if found else "", found, ns, docs, text))
    return rows


def comparison_markdown(answer: Mapping[str, Any]) -> str:
    """A multi-city answer as a Markdown table (city | figure | sources), or "" when it is not one."""
    rows = comparison_rows(answer)
    if not rows:
        return ""
    lab = labels(answer)
    out = [f"| {lab['city']} | {lab['figure']} | {lab['source']} |", "|---|---|---|"]
    for row in rows:
        figure = _md_escape(row.figure) if row.found else f"_{_md_escape(row.text or lab['missing'])}_"
        sources = " ".join(f"[{n}]" for n in row.citation_n) or "—"
        out.append(f"| {_md_escape(row.city)} | {figure.replace(chr(10), ' ')} | {sources} |")
    return "\n".join(out)
