"""The web UI (Gradio, Chinese by default, English on request): a chat tab and a reports tab.

``build_ui(system)`` returns the Blocks; ``mount_ui(app, system)`` mounts it at ``/`` of the FastAPI app
(``fulian_qa.serve.build_app`` does this). The chat (``ui_chat``) streams cited answers, keeps the
conversation in the browser, takes 👍/👎 with corrections and exports; the reports tab (``ui_reports``)
lists, uploads (background jobs with progress), reads and deletes reports with the API token. The language
switch (or ``?lang=en``) changes every word on the page — Gradio's own, the labels (``gr.I18n``) and the
handlers' messages (``ui_text``) — and is remembered in the browser.
Gradio client endpoints: ``/chat`` and ``/ask``. Gradio's file route stays closed (``fulian_qa.api.gate``):
uploads go from the browser to the HTTP API with the token. Leaves out: users and login.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import gradio as gr
from fastapi import FastAPI

from fulian_qa.api.deps import token_problem
from qa.system import System
from ui_assets import CSS, PAGE_HEAD, drop_token_js, load_lang_js, set_lang_js
from ui_chat import ChatParts, build_chat, filter_choices, redraw
from ui_reports import ReportsParts, build_reports, count, table
from ui_text import CHOICES, EN, ZH, lang_of, say

QUEUE_SIZE = 32  # UI events waiting in Gradio's queue; more are refused by Gradio
I18N = gr.I18n(zh=ZH, en=EN)
TOKEN_NOTES = {"ok": "token_ok", "wrong": "token_wrong", "none": "token_none"}


def api_root(path: str) -> str:
    """Where the HTTP API is, relative to the UI mounted at ``path`` (``/`` → ``api/``, ``/ui`` → ``../api/``)."""
    depth = len([p for p in path.split("/") if p])
    return "../" * depth + "api/"


def storage_secret(system: System) -> str:
    """A key for the browser-kept conversation that stays the same across restarts of one deployment."""
    settings = system.settings
    seed = f"fulian-qa:{settings.data_dir.resolve()}:{settings.collection}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def build_ui(system: System, slots: threading.Semaphore | None = None, path: str = "/") -> gr.Blocks:
    """The UI around one shared running system; ``slots`` bounds questions in flight (shared with the API)."""
    with gr.Blocks(title=ZH["title"], fill_height=True, analytics_enabled=False) as demo:
        with gr.Row(equal_height=True):
            gr.Markdown(I18N("header"), elem_id="fqa-header")
            lang = gr.Radio(CHOICES, value="zh", label=I18N("lang"), scale=0, min_width=180, elem_id="fqa-lang")
        with gr.Tabs(elem_id="fqa-tabs"):
            with gr.Tab(I18N("tab_chat"), id="chat", elem_id="fqa-tab-chat") as chat_tab:
                chat = build_chat(system, I18N, lang, storage_secret(system), slots)
            with gr.Tab(I18N("tab_reports"), id="reports", elem_id="fqa-tab-reports") as reports_tab:
                reports = build_reports(system, I18N, lang, api_root(path), [chat.cities, chat.docs],
                                        lambda: choices(system))
        stored_token = gr.Textbox(visible="hidden")
        wire_page(demo, system, lang, chat, reports, stored_token, [chat_tab, reports_tab])
    demo.queue(max_size=QUEUE_SIZE)
    return demo


def choices(system: System) -> tuple[Any, Any]:
    """The chat's filter dropdowns with the current reports."""
    cities, docs = filter_choices(system)
    return gr.Dropdown(choices=cities), gr.Dropdown(choices=docs)


def tab_labels(lang: str) -> tuple[Any, Any]:
    """The tabs' labels in ``lang`` (a tab not yet shown keeps the words of the first draw otherwise)."""
    return gr.Tab(label=say(lang, "tab_chat")), gr.Tab(label=say(lang, "tab_reports"))


def wire_page(demo: gr.Blocks, system: System, lang: gr.Radio, chat: ChatParts, reports: ReportsParts,
              stored_token: gr.Textbox, tabs: list[gr.Tab]) -> None:
    """Page load (language, kept conversation, token) and the language switch."""
    settings = system.settings

    def drawn(turns: Any, lang: Any, shown: Any, token_state: str) -> tuple[Any, ...]:
        lang = lang_of(lang)
        docs = system.reports.documents()
        note = say(lang, TOKEN_NOTES.get(token_state, "token_none"))
        return (*redraw(turns, lang, shown), table(docs, lang), count(docs, lang), note, *tab_labels(lang))

    def loaded(turns: Any, lang: Any, token: Any) -> tuple[Any, ...]:
        lang = lang_of(lang)
        state = "none"
        if isinstance(token, str) and token and settings.api_token:
            state = "wrong" if token_problem(settings, f"Bearer {token}") else "ok"
        return (lang, *drawn(turns, lang, None, state), state, *choices(system))

    page = [chat.chatbot, chat.sources, chat.shown, reports.table, reports.count, reports.token_note, *tabs]
    demo.load(loaded, [chat.turns, lang, stored_token], [lang, *page, reports.token_state, chat.cities, chat.docs],
              js=load_lang_js(3, 1, 2), api_visibility="private").then(
        None, [reports.token_state], None, js=drop_token_js(only_if_wrong=True), api_visibility="private")
    lang.input(drawn, [chat.turns, lang, chat.shown, reports.token_state], page, js=set_lang_js(1),
               api_visibility="private")


def mount_ui(app: FastAPI, system: System, path: str = "/", slots: threading.Semaphore | None = None) -> FastAPI:
    """Mount the UI on an existing FastAPI app (``slots``: the API's questions-in-flight semaphore)."""
    slots = slots if slots is not None else getattr(app.state, "slots", None)
    demo = build_ui(system, slots, path)
    return gr.mount_gradio_app(
        app, demo, path=path, css=CSS, head=PAGE_HEAD, i18n=I18N, ssr_mode=False, footer_links=["api"],
        show_error=False,
    )
