"""``POST /api/ask`` (JSON or server-sent events) and ``POST /api/search``."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from core.errors import StoreUnavailable
from core.types import Answer
from fulian_qa.api.admission import slot_release
from fulian_qa.api.deps import SystemDep, checked_filters, checked_history
from fulian_qa.api.schemas import AskRequest, SearchOut, SearchRequest, error_responses
from qa.conversation import stream_answer
from qa.plan import QuestionError

log = logging.getLogger("fulian_qa.api")
router = APIRouter(prefix="/api", tags=["questions"])
Piece = tuple[str, dict[str, Any] | None]


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _events(first: Piece, rest: Iterator[Piece], done: Callable[[], None]) -> Iterator[str]:
    """``token`` deltas, ``replace`` when the checked text differs from what was streamed, then ``answer``
    (``done`` is called as that last event is handed over)."""
    sent = ""
    try:
        for text, answer in _chain(first, rest):
            if text != sent and text.startswith(sent):
                yield _sse("token", {"text": text[len(sent) :]})
            elif text != sent:
                yield _sse("replace", {"text": text})
            sent = text
            if answer is not None:
                done()
                yield _sse("answer", answer)
    except StoreUnavailable as exc:  # logged once per outage by the store's breaker
        yield _sse("error", {"detail": f"the document store is not answering; retry after {exc.retry_after:g} s"})
    except Exception:  # the response has started: report in-band
        log.exception("streaming failed")
        yield _sse("error", {"detail": "answer failed: internal error (logged on the server)"})


def _chain(first: Piece, rest: Iterator[Piece]) -> Iterator[Piece]:
    yield first
    yield from rest


@router.post(
    "/ask",
    response_model=Answer,
    response_model_exclude_unset=True,
    responses={**error_responses(422, 503), 200: {"content": {"text/event-stream": {}}}},
)
def ask(
    req: AskRequest,
    system: SystemDep,
    request: Request,
    stream: Annotated[
        bool,
        Query(
            description="Stream server-sent events: `token` deltas (a `replace` event "
            "when the checked text differs from what was streamed), then `answer`."
        ),
    ] = False,
) -> Any:
    """Answer a question with numbered citations (the answer object of `fulian-qa ask --json`)."""
    filters = checked_filters(system, req.filters)
    history = checked_history(system, req.history_turns())
    pieces = stream_answer(
        system.service,
        req.question,
        history,
        filters,
        req.k,
        req.id,
        req.answerer,
        pause=0.02 if stream else 0,
    )
    try:
        first = next(pieces)
    except QuestionError as exc:
        raise HTTPException(422, str(exc)) from exc
    if stream:
        return StreamingResponse(
            _events(first, pieces, slot_release(request.scope)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    for _, answer in _chain(first, pieces):
        if answer is not None:
            return Answer.model_validate(answer)
    raise HTTPException(500, "no answer produced")


@router.post("/search", response_model=SearchOut, responses=error_responses(422, 503))
def search(req: SearchRequest, system: SystemDep) -> SearchOut:
    """Passages for a query with their scores, best first (no answer)."""
    try:
        found = system.service.search(req.query, req.k, checked_filters(system, req.filters))
    except QuestionError as exc:
        raise HTTPException(422, str(exc)) from exc
    return SearchOut(query=req.query, results=found)
