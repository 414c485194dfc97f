"""Gradio chat UI (Chinese): streamed answers with numbered citations and a sources panel.

``build_ui(system)`` returns the Blocks; ``mount_ui(app, system)`` mounts it at ``/`` of the FastAPI app
(``fulian_qa.serve.build_app`` does this). Follow-ups (「那株洲呢?」) are condensed from the chat history;
the evidence span is highlighted inside each cited passage; a "not found" answer is shown as a warning
with the closest passages for reference. Gradio client endpoints: ``/chat`` (the chat, as the UI sees it)
and ``/ask`` (the answer object with citations).

The handlers obey the API's rules: the same filter and history bounds (``core.limits``; the chat keeps the
latest turns that fit, ``/ask`` refuses like the API), the same slots of questions in flight (shared with
``fulian_qa.api.admission``), and errors as messages for people — never exception text or server paths.
Gradio's file route is closed by ``fulian_qa.api.gate``.
Leaves out: uploads from the browser (use ``POST /api/documents``), saved conversations, login.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gradio as gr
from fastapi import FastAPI

from core.errors import RequestRejected, StoreUnavailable
from core.limits import check_filter_list, check_history, check_known
from core.settings import Settings
from qa.conversation import ask_once, stream_answer
from qa.plan import QuestionError
from qa.system import System

log = logging.getLogger("fulian_qa.ui")
SLOT_WAIT = 10.0  # seconds a UI question waits for a free slot before "busy"
QUEUE_SIZE = 32  # UI events waiting in Gradio's queue; more are refused by Gradio
BUSY = "服务繁忙,请稍后再试。"
STORE_DOWN = "文档库暂时无法访问,请稍后再试。"
INTERNAL = "内部错误,已记录在服务器日志中,请稍后再试。"

TITLE = "妇联工作报告问答"
EXAMPLES = [
    "天水培训了多少陇原巧手",
    "东营市妇联2020年国家级宣传报道多少篇次?",
    "昌邑市妇联开展了哪些活动?",
    "株洲市妇联2020年帮助多少贫困户脱贫?",
]
INTRO = "根据已收录的各地妇联工作报告回答问题,每个答案都标注来源段落。可以追问,例如先问天水,再问「那株洲呢?」。"
EMPTY_SOURCES = '<div class="fqa-sources fqa-empty">提问后,这里列出答案引用的原文段落。</div>'
CSS = """
.fqa-sources { font-size: 14px; line-height: 1.7; }
.fqa-empty { color: var(--body-text-color-subdued); padding: 8px 2px; }
.fqa-head { font-weight: 600; margin: 4px 0 8px; }
.fqa-head.fqa-missing { color: #b45309; }
.fqa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px; margin: 0 0 8px; }
.fqa-source summary { cursor: pointer; }
.fqa-n { font-weight: 700; color: var(--color-accent); margin-right: 4px; }
.fqa-where { font-weight: 600; }
.fqa-snippet { color: var(--body-text-color-subdued); display: block; margin-top: 2px; }
.fqa-source[open] .fqa-snippet { display: none; }
.fqa-section { color: var(--body-text-color-subdued); font-size: 13px; margin-top: 6px; }
.fqa-passage { white-space: pre-wrap; margin: 6px 0; }
.fqa-passage mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 3px; }
#fqa-chat blockquote { border-left: 4px solid #f59e0b; background: #fffbeb; color: #78350f; }
.fqa-meta { color: var(--body-text-color-subdued); font-size: 12px; }
"""


# -- rendering ------------------------------------------------------------------------------------
def citation_label(c: dict[str, Any]) -> str:
    """「天水 · 2016 · 002_….txt」"""
    return " · ".join(str(x) for x in (c.get("city"), c.get("year") or "", c.get("doc")) if x)


def highlight(c: dict[str, Any]) -> str:
    """The passage as HTML with the evidence span (absolute offsets) wrapped in <mark>."""
    text = c.get("text", "")
    lo = max(0, min(len(text), int(c.get("start", 0)) - int(c.get("passage_start", 0))))
    hi = max(lo, min(len(text), int(c.get("end", 0)) - int(c.get("passage_start", 0))))
    if hi <= lo or (lo == 0 and hi == len(text)):
        return html.escape(text)
    return f"{html.escape(text[:lo])}<mark>{html.escape(text[lo:hi])}</mark>{html.escape(text[hi:])}"


def sources_html(answer: dict[str, Any]) -> str:
    """The sources panel: one collapsible card per citation, the evidence highlighted."""
    cites = answer.get("citations") or []
    if not cites:
        return EMPTY_SOURCES
    found = answer.get("found", False)
    head = f"来源({len(cites)})" if found else "未找到答案 · 最接近的段落(仅供参考)"
    cards = []
    for c in cites:
        snippet = (c.get("evidence") or c.get("text", ""))[:80].replace("\n", " ")
        section = f'<div class="fqa-section">{html.escape(c["section"])}</div>' if c.get("section") else ""
        cards.append(
            f'<details class="fqa-source" id="fqa-source-{c["n"]}" data-n="{c["n"]}">'
            f'<summary><span class="fqa-n">[{c["n"]}]</span><span class="fqa-where">{html.escape(citation_label(c))}'
            f'</span><span class="fqa-snippet">{html.escape(snippet)}…</span></summary>{section}'
            f'<div class="fqa-passage">{highlight(c)}</div>'
            f'<div class="fqa-meta">相关度 {c.get("score", 0):.4f} · 原文第 {c.get("passage_start", 0)}–'
            f"{c.get('passage_end', 0)} 字</div></details>"
        )
    missing = "" if found else " fqa-missing"
    return f'<div class="fqa-sources"><div class="fqa-head{missing}">{head}</div>{"".join(cards)}</div>'


def answer_markdown(answer: dict[str, Any], asked: str) -> str:
    """The final chat message: the answer (or a visible "not found" warning) and its numbered citations."""
    parts = []
    if answer["question"] != asked.strip():
        parts.append(f"*按「{answer['question']}」回答*\n")
    if answer["found"]:
        parts.append(answer["answer"])
        cites = "\n".join(f"[{c['n']}] {citation_label(c)}" for c in answer["citations"])
        if cites:
            parts.append(f"\n**引用**\n{cites}\n\n*点击右侧「来源」查看原文,证据已高亮。*")
    else:
        parts.append(f"> ⚠️ **未找到答案**\n>\n> {answer['answer']}")
        if answer["citations"]:
            parts.append("\n*右侧列出最接近的段落,仅供参考。*")
    return "\n".join(parts)


# -- handlers -------------------------------------------------------------------------------------
class Refused(Exception):
    """A question the UI answers with a message for people instead of an answer."""


def checked_filters(system: System, cities: Any, docs: Any) -> dict[str, list[str]]:
    """The dropdown values under the API's filter rules (``RequestRejected`` otherwise)."""
    settings = system.settings
    values = {name: check_filter_list(name, value, settings) for name, value in (("cities", cities), ("docs", docs))}
    catalog = system.service.corpus.catalog
    check_known(values, {"docs": catalog.doc_city.keys(), "cities": catalog.cities.keys()}, settings)
    return values


def recent_history(history: Any, settings: Settings) -> list[Any]:
    """The latest chat turns that fit the history bounds (the UI's own history is never refused)."""
    turns = list(history or []) if isinstance(history, list | tuple) else []
    turns = turns[-settings.max_history_turns :] if settings.max_history_turns else []
    while turns:
        try:
            return check_history(turns, settings)
        except RequestRejected:
            turns = turns[1:]
    return []


@contextmanager
def people_errors(slots: threading.Semaphore | None) -> Iterator[None]:
    """Take a question slot and turn every failure into ``Refused`` with a message for people."""
    if slots is not None and not slots.acquire(timeout=SLOT_WAIT):
        raise Refused(BUSY)
    try:
        yield
    except (QuestionError, RequestRejected) as exc:
        raise Refused(f"无法回答:{exc}") from exc
    except StoreUnavailable as exc:
        raise Refused(STORE_DOWN) from exc
    except Refused:
        raise
    except Exception as exc:
        log.exception("UI question failed")
        raise Refused(INTERNAL) from exc
    finally:
        if slots is not None:
            slots.release()


def make_handlers(system: System, slots: threading.Semaphore | None = None):
    def chat(
        message: str, history: list[dict[str, Any]], cities: list[str] | None, docs: list[str] | None
    ) -> Iterator[tuple[str, str]]:
        try:
            with people_errors(slots):
                if not isinstance(message, str):
                    raise RequestRejected("问题必须是文字")
                filters = checked_filters(system, cities, docs)
                turns = recent_history(history, system.settings)
                for text, answer in stream_answer(system.service, message, turns, filters):
                    if answer is None:
                        yield text, '<div class="fqa-sources fqa-empty">正在检索原文…</div>'
                    else:
                        yield answer_markdown(answer, message), sources_html(answer)
        except Refused as exc:
            yield f"> ⚠️ {exc}", EMPTY_SOURCES

    def ask(
        question: str,
        history: list[Any] | None = None,
        cities: list[str] | None = None,
        docs: list[str] | None = None,
    ) -> dict[str, Any]:
        """The answer object (answer, found, numbered citations...) for a question, as in POST /api/ask."""
        try:
            with people_errors(slots):
                filters = checked_filters(system, cities, docs)
                turns = check_history(history, system.settings)
                return ask_once(system.service, question, turns, filters)
        except Refused as exc:
            raise gr.Error(str(exc)) from None

    def choices() -> tuple[Any, Any]:
        cities, docs = _choices(system)
        return gr.Dropdown(choices=cities), gr.Dropdown(choices=docs)

    return chat, ask, choices


def _choices(system: System) -> tuple[list[str], list[tuple[str, str]]]:
    """Filter choices: indexed cities, and (label, file name) per report."""
    docs = system.reports.documents()
    cities = sorted({d.city for d in docs if d.city})
    return cities, [(" · ".join(str(x) for x in (d.city, d.year or "", d.doc) if x), d.doc) for d in docs]


def build_ui(system: System, slots: threading.Semaphore | None = None) -> gr.Blocks:
    """The chat UI around one shared running system; ``slots`` bounds questions in flight (shared with the API)."""
    chat, ask, choices = make_handlers(system, slots)
    city_choices, doc_choices = _choices(system)
    with gr.Blocks(title=TITLE, fill_height=True, analytics_enabled=False) as demo:
        gr.Markdown(f"## {TITLE}\n{INTRO}")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                with gr.Row():
                    cities = gr.Dropdown(
                        city_choices, label="按城市筛选", scale=1, elem_id="fqa-cities",
                        multiselect=True, allow_custom_value=True, info="不选则检索全部",
                    )
                    docs = gr.Dropdown(
                        doc_choices, label="按报告筛选", scale=2, elem_id="fqa-docs",
                        multiselect=True, allow_custom_value=True, info="不选则检索全部",
                    )
                sources = gr.HTML(EMPTY_SOURCES, render=False, elem_id="fqa-sources")
                chatbot = gr.Chatbot(
                    label="对话", height=520, elem_id="fqa-chat", placeholder="输入问题,或点击下面的示例。",
                    buttons=["copy"], feedback_options=None,
                )
                iface = gr.ChatInterface(
                    chat,
                    chatbot=chatbot,
                    textbox=gr.Textbox(placeholder="输入问题,例如:天水培训了多少陇原巧手", show_label=False,
                                       submit_btn="提问", stop_btn="停止", elem_id="fqa-input"),
                    additional_inputs=[cities, docs],
                    additional_outputs=[sources],
                    examples=[[q, None, None] for q in EXAMPLES],
                    api_name="chat",
                    analytics_enabled=False,
                    concurrency_limit=4,
                    fill_height=False,
                )
            with gr.Column(scale=2):
                gr.Markdown("### 来源")
                sources.render()
        iface.chatbot.clear(lambda: EMPTY_SOURCES, outputs=[sources], api_visibility="private")
        gr.api(ask, api_name="ask")
        demo.load(choices, outputs=[cities, docs], api_visibility="private")
    demo.queue(max_size=QUEUE_SIZE)
    return demo


def mount_ui(app: FastAPI, system: System, path: str = "/", slots: threading.Semaphore | None = None) -> FastAPI:
    """Mount the chat UI on an existing FastAPI app (``slots``: the API's questions-in-flight semaphore)."""
    slots = slots if slots is not None else getattr(app.state, "slots", None)
    demo = build_ui(system, slots)
    return gr.mount_gradio_app(
        app, demo, path=path, css=CSS, ssr_mode=False, footer_links=["api"], show_error=False
    )
