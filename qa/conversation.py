"""The one conversational entry: condense a follow-up → ask → stream, for the API, the UI and the CLI.

``stream_answer`` rewrites an elliptical follow-up (「那株洲呢?」) into a standalone question from the
history, then yields the growing answer text and finally the answer object. The LLM answerer streams its
tokens (its final, checked text may replace them); an extractive answer is cut into pieces.
Leaves out: transport (SSE, Gradio) and storing conversations.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from qa.condense import condense
from qa.service import QAService

STREAM_STEP = 6  # characters per streamed piece of an extractive answer
STREAM_PAUSE = 0.02  # seconds between pieces, so a chat visibly streams


def stream_answer(
    service: QAService,
    question: str,
    history: list[Any] | None = None,
    filters: dict[str, Any] | None = None,
    k: int | None = None,
    id: Any = None,
    answerer: str | None = None,
    pause: float = STREAM_PAUSE,
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Yield ``(answer text so far, None)`` pieces, then ``(full text, answer dict)``.

    Raises ``QuestionError`` on the first ``next()`` for a question that cannot be asked.
    """
    standalone = condense(question, history, service.corpus.catalog.cities)
    if service.answerer_for(answerer) == "llm":
        text = ""
        for delta, final in service.ask_stream(standalone, k=k, filters=filters, id=id, answerer="llm"):
            if final is None:
                text += delta
                yield text, None
            else:
                yield final.answer, final.to_dict()
        return
    answer = service.ask(standalone, k=k, filters=filters, id=id, answerer="extractive").to_dict()
    text = answer["answer"]
    for end in range(STREAM_STEP, len(text), STREAM_STEP):
        yield text[:end], None
        if pause:
            time.sleep(pause)
    yield text, answer


def ask_once(
    service: QAService,
    question: str,
    history: list[Any] | None = None,
    filters: dict[str, Any] | None = None,
    k: int | None = None,
    id: Any = None,
    answerer: str | None = None,
) -> dict[str, Any]:
    """The final answer object of ``stream_answer`` (no pauses)."""
    for _, answer in stream_answer(service, question, history, filters, k, id, answerer, pause=0):
        if answer is not None:
            return answer
    raise RuntimeError("no answer produced")
