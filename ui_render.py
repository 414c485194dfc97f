"""An answer as the chat shows it: the message (answer, comparison table, linked [n] marks, sources beside
it and a copy button) and the sources panel, as HTML strings (pure functions, no Gradio).

Each [n] in a message links to ``#fqa-s-<turn>-<n>``, the source card inside the same message (shown at
phone width); on wide screens the sources panel holds the same cards as ``#fqa-p-<turn>-<n>`` and the page
script (``ui_assets.PAGE_JS``) opens whichever is on screen. The copy button copies the answer as clean text
with its sources (``qa.render.plain_text``), kept in the message as hidden text. Leaves out: widgets and
events (``ui_chat``), Markdown/JSON exports (``qa.render``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from qa.render import comparison_rows, plain_text
from ui_text import say

_MARK = re.compile(r"\[(\d+)\]")


def citation_label(c: Mapping[str, Any]) -> str:
    """「天水 · 2016 · 002_….txt」"""
    return " · ".join(str(x) for x in (c.get("city"), c.get("year") or "", c.get("doc")) if x)


def highlight(c: Mapping[str, Any]) -> str:
    """The passage as HTML with the evidence span (absolute offsets) wrapped in <mark>."""
    text = str(c.get("text", ""))
    lo = max(0, min(len(text), int(c.get("start", 0)) - int(c.get("passage_start", 0))))
    hi = max(lo, min(len(text), int(c.get("end", 0)) - int(c.get("passage_start", 0))))
    if hi <= lo or (lo == 0 and hi == len(text)):
        return html.escape(text)
    return f"{html.escape(text[:lo])}<mark>{html.escape(text[lo:hi])}</mark>{html.escape(text[hi:])}"


def source_card(c: Mapping[str, Any], anchor: str, lang: str) -> str:
    """One collapsible source: number, place and report, a snippet; opened: section, passage, relevance."""
    snippet = str(c.get("evidence") or c.get("text", ""))[:80].replace("\n", " ")
    section = f'<div class="fqa-section">{html.escape(str(c["section"]))}</div>' if c.get("section") else ""
    meta = say(lang, "relevance", score=f"{float(c.get('score', 0)):.4f}", start=c.get("passage_start", 0),
               end=c.get("passage_end", 0))
    return one_line(
        f'<details class="fqa-source" id="{anchor}">'
        f'<summary><span class="fqa-n">[{c["n"]}]</span><span class="fqa-where">{html.escape(citation_label(c))}'
        f'</span><span class="fqa-snippet">{html.escape(snippet)}…</span></summary>{section}'
        f'<div class="fqa-passage">{highlight(c)}</div><div class="fqa-meta">{html.escape(meta)}</div></details>'
    )


def sources_head(answer: Mapping[str, Any], lang: str) -> str:
    cites = answer.get("citations") or []
    return say(lang, "sources_n", n=len(cites)) if answer.get("found") else say(lang, "closest")


def sources_html(answer: Mapping[str, Any] | None, turn: int, lang: str) -> str:
    """The sources panel for the answer of ``turn``: one collapsible card per citation, evidence highlighted."""
    cites = (answer or {}).get("citations") or []
    if not answer or not cites:
        return empty_sources(lang)
    missing = "" if answer.get("found") else " fqa-missing"
    cards = "".join(source_card(c, f"fqa-p-{turn}-{c['n']}", lang) for c in cites)
    return (f'<div class="fqa-sources" id="fqa-panel-{turn}"><div class="fqa-head{missing}">'
            f"{html.escape(sources_head(answer, lang))}</div>{cards}</div>")


def empty_sources(lang: str, key: str = "empty_sources") -> str:
    return f'<div class="fqa-sources fqa-empty">{html.escape(say(lang, key))}</div>'


def linked(text: str, turn: int, numbers: set[int]) -> str:
    """``text`` with every [n] of a known citation turned into a link to its source card."""
    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f'<a class="fqa-ref" href="#fqa-s-{turn}-{n}">[{n}]</a>' if n in numbers else m.group(0)

    return _MARK.sub(link, text)


def one_line(fragment: str) -> str:
    """HTML kept on one line (line breaks as ``&#10;``), so Markdown around it never splits it."""
    return fragment.replace("\r", "").replace("\n", "&#10;")


def _text(text: str) -> str:
    """Answer text safe inside Markdown: no HTML, no emphasis or table markup taken from the reports."""
    return re.sub(r"([\\`*_|#])", r"\\\1", html.escape(text, quote=False))


def comparison_table(answer: Mapping[str, Any], turn: int, lang: str) -> str:
    """A question about several cities as a Markdown table: city | figure | source ([n] and report), or ""."""
    rows = comparison_rows(answer)
    if len(rows) < 2:
        return ""
    by_n = {int(c["n"]): c for c in answer.get("citations") or []}
    head = [say(lang, k) for k in ("col_city", "figure", "sources")]
    out = [f"| {' | '.join(head)} |", "|---|---|---|"]
    for row in rows:
        figure = _text(row.figure) if row.found else f"*{_text(say(lang, 'not_in_reports'))}*"
        cites = [f"{linked(f'[{n}]', turn, set(by_n))} {_text(str(by_n[n].get('doc', '')))}" for n in row.citation_n
                 if n in by_n]
        out.append(f"| {_text(row.city)} | {figure} | {'<br>'.join(cites) or '—'} |")
    return "\n".join(out)


def answer_message(answer: Mapping[str, Any], asked: str, turn: int, lang: str) -> str:
    """The chat message for an answer: the answer (or a visible "not found"), a comparison table for several
    cities, the sources beside it and a copy button."""
    numbers = {int(c["n"]) for c in answer.get("citations") or []}
    parts = []
    if str(answer.get("question", "")).strip() != asked.strip():
        parts.append(f"*{_text(say(lang, 'answered_as', question=answer.get('question', '')))}*\n")
    body = "  \n".join(linked(_text(line), turn, numbers) for line in str(answer.get("answer", "")).splitlines())
    if answer.get("found"):
        parts.append(body)
        table = comparison_table(answer, turn, lang)
        if table:
            parts.append(f'\n<div class="fqa-table">\n\n{table}\n\n</div>\n')
    else:
        parts.append(f"> ⚠️ **{say(lang, 'not_found')}**\n>\n> {body}\n")
    cites = answer.get("citations") or []
    if cites:
        cards = "".join(source_card(c, f"fqa-s-{turn}-{c['n']}", lang) for c in cites)
        parts.append(
            f'\n<details class="fqa-inline" id="fqa-inline-{turn}"><summary>{html.escape(sources_head(answer, lang))}'
            f"</summary>{cards}</details>\n"
        )
    parts.append(
        f'\n<div class="fqa-tools"><button class="fqa-copy" id="fqa-copy-{turn}" type="button">'
        f'{html.escape(say(lang, "copy"))}</button></div>'
        f'<pre class="fqa-plain" id="fqa-plain-{turn}">{one_line(html.escape(plain_text(answer)))}</pre>\n'
    )
    return "\n".join(parts)


def streaming_message(text: str) -> str:
    """An answer while it streams in."""
    return f"{_text(text)} …"


def warning_message(text: str) -> str:
    """An error or refusal to ask, shown in the chat."""
    return f"> ⚠️ {_text(text)}"
