"""The chat tab: ask, stream the cited answer, rate it, correct it, keep the conversation, export it.

The conversation lives in the browser (``gr.BrowserState``: each turn's question, answer object and rating),
so a reload finds it again; the chat and the sources panel are drawn from it in the chosen language
(``ui_render``). 👍/👎 on an answer is stored at once through the feedback store, and a 👎 opens an optional
correction (the right answer, or "should have refused") stored as a record of its own. Exports (Markdown,
JSON, ``qa.render``) are made in the browser as downloads. Follow-ups are condensed from the kept turns.

The handlers obey the API's rules: the same filter and history bounds (``core.limits``; the chat keeps the
latest turns that fit), the same slots of questions in flight (shared with ``fulian_qa.api.admission``), and
errors as messages for people in the user's language — never exception text or server paths. Gradio client
endpoints: ``/chat`` (message and sources as the UI draws them) and ``/ask`` (the answer object).
Leaves out: the reports tab (``ui_reports``), page layout and language switch (``ui``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import gradio as gr

from core.errors import RequestRejected, StoreUnavailable
from core.limits import check_filter_list, check_history, check_known
from core.settings import Settings
from qa.conversation import ask_once, stream_answer
from qa.feedback import FeedbackAnswer, FeedbackFull, FeedbackIn
from qa.plan import QuestionError
from qa.render import conversation_json, conversation_markdown
from qa.system import System
from ui_assets import DOWNLOAD_JS
from ui_render import answer_message, empty_sources, sources_html, streaming_message, warning_message
from ui_text import lang_of, say

log = logging.getLogger("fulian_qa.ui")
SLOT_WAIT = 10.0  # seconds a UI question waits for a free slot before "busy"
KEEP_TURNS = 50  # turns kept in the browser; older ones are dropped
DROPPED = ("retrieved", "timings_ms", "checks")  # answer fields the browser need not keep
RATINGS = {True: "up", False: "down"}
FEEDBACK_VALUE = {"up": "Like", "down": "Dislike"}
EXAMPLES = [
    "天水培训了多少陇原巧手",
    "天水和株洲各培训了多少陇原巧手?",
    "东营市妇联2020年国家级宣传报道多少篇次?",
    "昌邑市妇联开展了哪些活动?",
]

Turn = dict[str, Any]  # {"asked": str, "answer": answer dict, "rating": "up" | "down" | None, "at": ISO time}


class Refused(Exception):
    """A question the UI answers with a message for people instead of an answer."""


# -- turns --------------------------------------------------------------------------------------------
def kept(turns: Any) -> list[Turn]:
    """The stored turns that are well formed (anything else the browser holds is ignored)."""
    if not isinstance(turns, list):
        return []
    return [t for t in turns if isinstance(t, dict) and isinstance(t.get("answer"), dict)
            and isinstance(t.get("asked"), str)][-KEEP_TURNS:]


def new_turn(asked: str, answer: dict[str, Any]) -> Turn:
    slim = {k: v for k, v in answer.items() if k not in DROPPED}
    return {"asked": asked, "answer": slim, "rating": None, "at": datetime.now(UTC).isoformat(timespec="seconds")}


def messages(turns: list[Turn], lang: str) -> list[Any]:
    """The chat as Gradio messages: each turn's question and its answer message."""
    out = []
    for i, t in enumerate(turns):
        out.append({"role": "user", "content": t["asked"]})
        out.append({"role": "assistant", "content": answer_message(t["answer"], t["asked"], i, lang)})
    return out


def chat_view(turns: list[Turn], lang: str, extra: list[Any] | None = None) -> Any:
    """The chatbot's value and each answer's rating."""
    ratings = [FEEDBACK_VALUE.get(t.get("rating") or "") for t in turns]
    return gr.Chatbot(value=messages(turns, lang) + (extra or []), feedback_value=ratings)


def history_of(turns: list[Turn]) -> list[list[str]]:
    """Earlier turns as (question, answer text) pairs, for condensing a follow-up."""
    return [[t["asked"], str(t["answer"].get("answer", ""))] for t in turns]


def turn_of(index: Any, turns: list[Turn]) -> int | None:
    """The turn a chat message index belongs to (None for a message that is not a stored turn)."""
    if isinstance(index, list | tuple):
        index = index[0] if index else None
    if not isinstance(index, int) or index < 0 or index // 2 >= len(turns):
        return None
    return index // 2


# -- the rules of a question --------------------------------------------------------------------------
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


def checked_question(message: Any, settings: Settings, lang: str) -> str:
    """The question, or ``Refused`` with a message in ``lang`` (empty, too long, not text)."""
    if not isinstance(message, str) or not message.strip():
        raise Refused(say(lang, "empty_question"))
    question = message.strip()
    if len(question) > settings.max_question_chars:
        raise Refused(say(lang, "too_long", n=len(question), limit=settings.max_question_chars))
    return question


@contextmanager
def people_errors(slots: threading.Semaphore | None, lang: str = "zh") -> Iterator[None]:
    """Take a question slot and turn every failure into ``Refused`` with a message for people."""
    if slots is not None and not slots.acquire(timeout=SLOT_WAIT):
        raise Refused(say(lang, "busy"))
    try:
        yield
    except (QuestionError, RequestRejected) as exc:
        raise Refused(say(lang, "cannot_answer", detail=exc)) from exc
    except StoreUnavailable as exc:
        raise Refused(say(lang, "store_down")) from exc
    except Refused:
        raise
    except Exception as exc:
        log.exception("UI question failed")
        raise Refused(say(lang, "internal")) from exc
    finally:
        if slots is not None:
            slots.release()


# -- the tab ------------------------------------------------------------------------------------------
@dataclass
class ChatParts:
    """What the page needs of the chat tab: its state and the widgets redrawn on load or a language switch."""

    turns: gr.BrowserState
    chatbot: gr.Chatbot
    sources: gr.HTML
    shown: gr.State
    cities: gr.Dropdown
    docs: gr.Dropdown


def filter_choices(system: System) -> tuple[list[str], list[tuple[str, str]]]:
    """Filter choices: indexed cities, and (label, file name) per report."""
    docs = system.reports.documents()
    cities = sorted({d.city for d in docs if d.city})
    labels = [(" · ".join(str(x) for x in (d.title or d.doc, d.city, d.year or "") if x), d.doc) for d in docs]
    return cities, labels


def redraw(turns: Any, lang: Any, shown: Any = None) -> tuple[Any, str, int | None]:
    """The chat and the sources panel of turn ``shown`` (the latest by default) in ``lang``."""
    lang, turns = lang_of(lang), kept(turns)
    at = shown if isinstance(shown, int) and 0 <= shown < len(turns) else (len(turns) - 1 if turns else None)
    panel = sources_html(turns[at]["answer"], at, lang) if at is not None else empty_sources(lang)
    return chat_view(turns, lang), panel, at


def build_chat(system: System, i18n: gr.I18n, lang: gr.Radio, storage_secret: str,
               slots: threading.Semaphore | None = None) -> ChatParts:
    """The chat tab's widgets and events (inside an open ``gr.Blocks``/``gr.Tab``); ``lang`` is the page's
    language switch."""
    settings = system.settings
    city_choices, doc_choices = filter_choices(system)
    turns = gr.BrowserState([], storage_key="fqa-conversation", secret=storage_secret)
    shown = gr.State(None)
    pending = gr.State(None)  # the turn a correction is for
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            with gr.Row():
                cities = gr.Dropdown(city_choices, label=i18n("filter_city"), info=i18n("filter_info"), scale=1,
                                     multiselect=True, allow_custom_value=True, elem_id="fqa-cities")
                docs = gr.Dropdown(doc_choices, label=i18n("filter_doc"), info=i18n("filter_info"), scale=2,
                                   multiselect=True, allow_custom_value=True, elem_id="fqa-docs")
            chatbot = gr.Chatbot(label=i18n("chat"), height=560, elem_id="fqa-chat",
                                 placeholder=str(i18n("chat_placeholder")),
                                 buttons=[], feedback_options=["Like", "Dislike"], autoscroll=True)
            with gr.Group(visible=False, elem_id="fqa-correction") as correction:
                gr.Markdown(i18n("correction_title"))
                right = gr.Textbox(label=i18n("correction"), placeholder=i18n("correction_placeholder"),
                                   elem_id="fqa-correction-text", lines=2)
                refuse = gr.Checkbox(label=i18n("should_refuse"), elem_id="fqa-should-refuse")
                with gr.Row():
                    send = gr.Button(i18n("send_correction"), variant="primary", elem_id="fqa-send-correction")
                    close = gr.Button(i18n("close"), elem_id="fqa-close-correction")
            note = gr.Markdown("", elem_id="fqa-note")
            with gr.Row(equal_height=True):
                box = gr.Textbox(placeholder=i18n("input_placeholder"), show_label=False, scale=5, lines=1,
                                 max_lines=4, elem_id="fqa-input", autofocus=True)
                ask_btn = gr.Button(i18n("ask"), variant="primary", scale=1, min_width=80, elem_id="fqa-ask")
                stop_btn = gr.Button(i18n("stop"), scale=1, min_width=80, visible=False, elem_id="fqa-stop")
            gr.Examples([[q] for q in EXAMPLES], inputs=[box], label=i18n("examples"))
            with gr.Row():
                md_btn = gr.Button(i18n("export_md"), size="sm", elem_id="fqa-export-md")
                json_btn = gr.Button(i18n("export_json"), size="sm", elem_id="fqa-export-json")
                clear_btn = gr.Button(i18n("clear"), size="sm", elem_id="fqa-clear")
            export_text = gr.Textbox(visible="hidden")
            export_name = gr.Textbox(visible="hidden")
        with gr.Column(scale=2, min_width=260, elem_id="fqa-side"):
            gr.Markdown(i18n("sources_heading"))
            sources = gr.HTML(empty_sources("zh"), elem_id="fqa-sources")
    parts = ChatParts(turns, chatbot, sources, shown, cities, docs)
    parts_lang = lang

    def respond(message: str, stored: Any, cities: Any, docs: Any, lang: str) -> Iterator[tuple[Any, ...]]:
        lang, past = lang_of(lang), kept(stored)
        asked = message if isinstance(message, str) else ""
        user = {"role": "user", "content": asked}
        last: tuple[Any, ...] | None = None
        try:
            with people_errors(slots, lang):
                question = checked_question(message, settings, lang)
                filters = checked_filters(system, cities, docs)
                history = recent_history(history_of(past), settings)
                for text, answer in stream_answer(system.service, question, history, filters):
                    if answer is None:
                        partial = {"role": "assistant", "content": streaming_message(text)}
                        yield (chat_view(past, lang, [user, partial]), empty_sources(lang, "searching"),
                               gr.skip(), "", gr.skip())
                    else:
                        turns_now = [*past, new_turn(asked, answer)][-KEEP_TURNS:]
                        at = len(turns_now) - 1
                        last = (chat_view(turns_now, lang), sources_html(turns_now[at]["answer"], at, lang),
                                turns_now, "", at)
            if last is not None:  # after the slot is free: a question asked the moment the answer shows is let in
                yield last
        except Refused as exc:
            shown_msg = {"role": "assistant", "content": warning_message(str(exc))}
            yield chat_view(past, lang, [user, shown_msg]), gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def show(stored: Any, lang: str, evt: gr.SelectData) -> tuple[str, Any]:
        past, at = kept(stored), turn_of(evt.index, kept(stored))
        if at is None:
            return gr.skip(), gr.skip()
        return sources_html(past[at]["answer"], at, lang_of(lang)), at

    def rate(stored: Any, lang: str, evt: gr.LikeData) -> tuple[Any, ...]:
        lang, past = lang_of(lang), kept(stored)
        at = turn_of(evt.index, past)
        if at is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        rating = RATINGS.get(evt.liked) if isinstance(evt.liked, bool) else None
        past[at]["rating"] = rating
        if rating is None:
            return past, say(lang, "feedback_removed"), gr.Group(visible=False), None
        answer = past[at]["answer"]
        try:
            system.feedback.add(FeedbackIn(question=str(answer.get("question") or past[at]["asked"]),
                                           answer=FeedbackAnswer.model_validate(answer), rating=rating))
        except (ValueError, FeedbackFull) as exc:
            return past, say(lang, "feedback_failed", detail=exc), gr.skip(), gr.skip()
        if rating == "up":
            return past, say(lang, "feedback_saved_up"), gr.Group(visible=False), None
        return past, say(lang, "feedback_saved_down"), gr.Group(visible=True), at

    def correct(stored: Any, at: Any, text: str, should_refuse: bool, lang: str) -> tuple[Any, ...]:
        lang, past = lang_of(lang), kept(stored)
        text = (text or "").strip()
        if not isinstance(at, int) or not 0 <= at < len(past):
            return "", gr.Group(visible=False), gr.skip(), gr.skip()
        if not text and not should_refuse:
            return say(lang, "correction_empty"), gr.skip(), gr.skip(), gr.skip()
        if text and should_refuse:
            return say(lang, "correction_both"), gr.skip(), gr.skip(), gr.skip()
        answer = past[at]["answer"]
        try:
            system.feedback.add(FeedbackIn(
                question=str(answer.get("question") or past[at]["asked"]), answer=FeedbackAnswer.model_validate(answer),
                rating="down", correction=text, should_refuse=bool(should_refuse)))
        except (ValueError, FeedbackFull) as exc:
            return say(lang, "feedback_failed", detail=exc), gr.skip(), gr.skip(), gr.skip()
        return say(lang, "correction_saved"), gr.Group(visible=False), "", False

    def export(stored: Any, lang: str, kind: str) -> tuple[str, str, str]:
        lang, past = lang_of(lang), kept(stored)
        if not past:
            return "", "", say(lang, "nothing_to_export")
        answers = [t["answer"] for t in past]
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        if kind == "json":
            text = json.dumps(conversation_json(answers), ensure_ascii=False, indent=2)
        else:
            text = conversation_markdown(answers, lang=lang)
        return text, f"fulian-qa-{stamp}.{'json' if kind == 'json' else 'md'}", ""

    inputs = [box, turns, cities, docs, parts_lang]
    outputs = [chatbot, sources, turns, box, shown]

    def busy() -> tuple[Any, Any]:
        return gr.Button(visible=False), gr.Button(visible=True)

    def ready() -> tuple[Any, Any]:
        return gr.Button(visible=True), gr.Button(visible=False)

    buttons = [ask_btn, stop_btn]
    asks = []
    for trigger in (box.submit, ask_btn.click):
        event = trigger(busy, None, buttons, api_visibility="private", queue=False).then(
            respond, inputs, outputs, api_visibility="private", concurrency_limit=4, concurrency_id="fqa-chat",
            show_progress="hidden")
        event.then(ready, None, buttons, api_visibility="private", queue=False)
        asks.append(event)
    stop_btn.click(ready, None, buttons, cancels=asks, api_visibility="private", queue=False)
    chatbot.select(show, [turns, parts_lang], [sources, shown], api_visibility="private", queue=False)
    chatbot.like(rate, [turns, parts_lang], [turns, note, correction, pending], api_visibility="private")
    send.click(correct, [turns, pending, right, refuse, parts_lang], [note, correction, right, refuse],
               api_visibility="private")
    close.click(lambda: gr.Group(visible=False), None, [correction], api_visibility="private", queue=False)
    for button, kind in ((md_btn, "md"), (json_btn, "json")):
        button.click(lambda s, lang, kind=kind: export(s, lang, kind), [turns, parts_lang],
                     [export_text, export_name, note], api_visibility="private").then(
            None, [export_text, export_name], None, js=DOWNLOAD_JS, api_visibility="private")
    def cleared(lang: str) -> tuple[Any, ...]:
        return [], empty_sources(lang_of(lang)), [], None, "", gr.Group(visible=False)

    wiped = [chatbot, sources, turns, shown, note, correction]
    clear_btn.click(cleared, [parts_lang], wiped, api_visibility="private")
    chatbot.clear(cleared, [parts_lang], wiped, api_visibility="private")
    chat_api, ask_api = endpoints(system, slots)
    gr.api(chat_api, api_name="chat")
    gr.api(ask_api, api_name="ask")
    return parts


def endpoints(
    system: System, slots: threading.Semaphore | None
) -> tuple[Callable[..., tuple[str, str]], Callable[..., dict[str, Any]]]:
    """The Gradio client endpoints ``/chat`` and ``/ask``."""

    def chat(
        message: str,
        history: list[Any] | None = None,
        cities: list[str] | None = None,
        docs: list[str] | None = None,
    ) -> tuple[str, str]:
        """The answer message and the sources panel (HTML) for a question, as the chat draws them."""
        try:
            with people_errors(slots):
                question = checked_question(message, system.settings, "zh")
                filters = checked_filters(system, cities, docs)
                answer = ask_once(system.service, question, recent_history(history, system.settings), filters)
        except Refused as exc:
            raise gr.Error(str(exc)) from None
        return answer_message(answer, question, 0, "zh"), sources_html(answer, 0, "zh")

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

    return chat, ask
