"""The OpenAI-compatible endpoint: ``GET /v1/models`` and ``POST /v1/chat/completions`` (JSON or streamed).

Any OpenAI client or chat front end can use the product as a model named ``fulian-qa``. The last message is the
question (it must be the user's); earlier user and assistant messages are the history an elliptical follow-up
(「那株洲呢?」) is condensed from; system and developer messages are ignored. The reply text is the answer with
its [n] marks, then a list of its sources (report, place, year, excerpt); the full answer object rides beside
it in ``fulian_qa`` (on the completion, and on the last chunk of a stream). A stream sends checked text only:
an extractive answer in pieces as it is cut, an LLM answer once its citations and figures have passed.
``usage`` counts characters (the answer path has no tokens). Optional extensions in the body: ``filters``
(``{"docs", "cities"}``) and ``k``, as in ``POST /api/ask``.

The limits are those of ``/api/ask`` (body size, history turns and characters, question length, filters) and so
are the admission slots (503 with ``Retry-After`` when full) and the access rule (reads need no token). Every
error on ``/v1`` is OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``: ``OpenAIErrors`` rewrites
the app's own JSON errors there, and a schema-invalid or unanswerable request is a 400 as OpenAI's are.
Leaves out: tools, images, ``n`` > 1, sampling parameters (accepted and ignored) and the legacy completions API.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import RequestRejected, StoreUnavailable
from core.limits import clip
from core.types import Answer
from fulian_qa import __version__
from fulian_qa.api.admission import slot_release
from fulian_qa.api.deps import SystemDep, checked_filters, checked_history
from fulian_qa.api.schemas import Filters
from qa.conversation import STREAM_PAUSE, stream_answer
from qa.plan import QuestionError

log = logging.getLogger("fulian_qa.api")
PREFIX = "/v1"
MODEL_ID = "fulian-qa"
OWNER = "fulian-qa"
STARTED = int(time.time())
EXCERPT_CHARS = 160  # characters of a source's excerpt in the reply text
TITLES = {  # the sources list's heading: (language, found) -> title
    ("zh", True): "来源",
    ("zh", False): "最接近的段落",
    ("en", True): "Sources",
    ("en", False): "Closest passages",
}
ENDPOINTS = {f"{PREFIX}/models": ("GET",), f"{PREFIX}/chat/completions": ("POST",)}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
router = APIRouter(prefix=PREFIX, tags=["openai"])


# --- wire shapes -------------------------------------------------------------------------------------------


class ContentPart(BaseModel):
    """One part of a message's content; only ``text`` parts are read."""

    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's chat-completions request; unknown fields (temperature, max_tokens, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL_ID, description=f"The model id; `{MODEL_ID}` is the only one (see GET /v1/models).")
    messages: list[ChatMessage] = Field(
        min_length=1, description="The conversation; the last message is the user's question."
    )
    stream: bool = Field(False, description="Stream `chat.completion.chunk` server-sent events ending in [DONE].")
    stream_options: StreamOptions | None = None
    n: int = Field(1, ge=1, le=1, description="Only one choice is given.")
    filters: Filters | None = Field(None, description="Extension: only these reports or cities (as /api/ask).")
    k: int | None = Field(None, ge=1, le=50, description="Extension: passages to consider/cite (FQA_TOP_K).")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ReplyMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: ReplyMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    """Characters, not tokens: the answer path has none."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    system_fingerprint: str
    choices: list[Choice]
    usage: Usage
    fulian_qa: Answer = Field(description="The full answer object (as POST /api/ask returns it).")


class Delta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One ``data:`` event of a stream; the last one with a choice carries ``fulian_qa``."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    system_fingerprint: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    fulian_qa: Answer | None = None


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIErrorOut(BaseModel):
    error: ErrorDetail


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for this router's error statuses (413: a body over FQA_MAX_BODY_KB, on any route)."""
    return {code: {"model": OpenAIErrorOut} for code in sorted({*codes, 413})}


# --- errors ------------------------------------------------------------------------------------------------

ERROR_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_error",
}
ERROR_CODES = {
    400: "invalid_request",
    401: "invalid_api_key",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "rate_limit_exceeded",
    503: "service_unavailable",
}


def error_type(status: int) -> str:
    """OpenAI's error type for an HTTP status."""
    if status >= 500:
        return "server_error"
    return ERROR_TYPES.get(status, "invalid_request_error")


def error_body(status: int, message: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    """``{"error": {...}}`` for a status and message."""
    detail = ErrorDetail(message=message, type=error_type(status), param=param, code=code or ERROR_CODES.get(status))
    return {"error": detail.model_dump()}


def error_response(
    status: int, message: str, code: str | None = None, param: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, param), status_code=status, headers=headers)


def rewrite_error(status: int, body: bytes) -> tuple[int, bytes]:
    """The app's ``{"detail"}`` error as OpenAI's shape (a 422 becomes OpenAI's 400); other bodies unchanged."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or "error" in data:
        return status, body
    detail = data.get("detail")
    message = detail if isinstance(detail, str) else "request failed"
    param = None
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        param = ".".join(str(p) for p in errors[0].get("loc", ()) if p != "body") or None
    status = 400 if status == 422 else status
    return status, json.dumps(error_body(status, message, param=param), ensure_ascii=False).encode()


class OpenAIErrors:
    """Pure ASGI middleware: JSON error responses on ``/v1`` paths in OpenAI's shape (the request gate's 413,
    admission's 503, validation errors, unknown paths); headers such as ``Retry-After`` are kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (scope["path"] + "/").startswith(PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        parts: list[bytes] = []

        async def rewriting(msg: Message) -> None:
            nonlocal held
            if msg["type"] == "http.response.start":
                headers = dict(msg.get("headers", []))
                if msg["status"] >= 400 and headers.get(b"content-type", b"").startswith(b"application/json"):
                    held = msg
                    return
            elif msg["type"] == "http.response.body" and held is not None:
                parts.append(msg.get("body", b""))
                if msg.get("more_body"):
                    return
                status, body = rewrite_error(held["status"], b"".join(parts))
                kept = [(k, v) for k, v in held.get("headers", []) if k.lower() != b"content-length"]
                kept.append((b"content-length", str(len(body)).encode()))
                await send({"type": "http.response.start", "status": status, "headers": kept})
                await send({"type": "http.response.body", "body": body})
                return
            await send(msg)

        await self.app(scope, receive, rewriting)


# --- messages and reply text -------------------------------------------------------------------------------


def message_text(content: str | list[ContentPart] | None) -> str:
    """The text of a message's content (text parts joined; other parts left out)."""
    if isinstance(content, str):
        return content
    return "".join(p.text or "" for p in content or [] if p.type == "text")


def strip_sources(reply: str) -> str:
    """An earlier reply of this endpoint without its sources list (history carries the answer text only)."""
    cut = len(reply)
    for title in TITLES.values():
        at = reply.find(f"\n\n{title}:\n")
        if at != -1:
            cut = min(cut, at)
    return reply[:cut]


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """(question, history): the last message's text and the user/assistant turns before it.

    Raises ``QuestionError`` when the last message is not the user's.
    """
    last = messages[-1]
    if last.role != "user":
        raise QuestionError(f"the last message must be the user's question (it is a {last.role!r} message)")
    history = []
    for message in messages[:-1]:
        if message.role == "user":
            history.append({"role": "user", "content": message_text(message.content)})
        elif message.role == "assistant":
            history.append({"role": "assistant", "content": strip_sources(message_text(message.content))})
    return message_text(last.content), history


def _excerpt(cite: dict[str, Any]) -> str:
    return clip(" ".join(str(cite.get("evidence") or cite.get("text") or "").split()), EXCERPT_CHARS)


def sources_text(answer: dict[str, Any]) -> str:
    """The list of sources appended to the reply: ``- [n] report · place · year: excerpt`` per citation."""
    cites = answer.get("citations") or []
    if not cites:
        return ""
    lang = "en" if answer.get("lang") == "en" else "zh"
    lines = [f"\n\n{TITLES[lang, bool(answer.get('found'))]}:"]
    for cite in cites:
        where = " · ".join(str(v) for v in (cite.get("doc"), cite.get("city"), cite.get("year")) if v)
        lines.append(f"- [{cite.get('n')}] {where}: {_excerpt(cite)}")
    return "\n".join(lines)


def reply_text(answer: dict[str, Any]) -> str:
    """The reply a chat front end shows: the answer with its [n] marks, then its sources."""
    return str(answer.get("answer", "")) + sources_text(answer)


def usage(question: str, history: list[dict[str, str]], reply: str) -> Usage:
    prompt = len(question) + sum(len(t["content"]) for t in history)
    return Usage(prompt_tokens=prompt, completion_tokens=len(reply), total_tokens=prompt + len(reply))


# --- handlers ----------------------------------------------------------------------------------------------


def model_card() -> ModelCard:
    return ModelCard(id=MODEL_ID, created=STARTED, owned_by=OWNER)


@router.get("/models", response_model=ModelList, responses=_errors())
def models() -> ModelList:
    """The models this server offers: one, ``fulian-qa``."""
    return ModelList(data=[model_card()])


@router.get("/models/{model}", response_model=ModelCard, responses=_errors(404))
def retrieve_model(model: Annotated[str, Path(description="A model id")]) -> Any:
    """One model by id (404 for any other than ``fulian-qa``)."""
    if model != MODEL_ID:
        return _unknown_model(model)
    return model_card()


def _unknown_model(name: str) -> JSONResponse:
    return error_response(
        404, f"the model {clip(name, 60)!r} does not exist; use {MODEL_ID!r}", "model_not_found", "model"
    )


Piece = tuple[str, dict[str, Any] | None]


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        **_errors(400, 404, 503),
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "The completion (JSON), or with `stream` true `chat.completion.chunk` events and "
            "`data: [DONE]`.",
        },
    },
)
def chat_completions(req: ChatCompletionRequest, system: SystemDep, request: Request) -> Any:
    """Answer the last user message with numbered citations (OpenAI's chat-completions format)."""
    if req.model != MODEL_ID:
        return _unknown_model(req.model)
    try:
        question, history = split_messages(req.messages)
        filters = checked_filters(system, req.filters)
        history = checked_history(system, history)
        checked_only = req.stream and system.service.answerer_for(None) == "llm"
    except QuestionError as exc:
        return error_response(400, clip(str(exc), 4 * system.settings.max_echo_chars), "invalid_question", "messages")
    except RequestRejected as exc:
        return error_response(exc.status if exc.status == 413 else 400, str(exc), "limit_exceeded")
    pieces = stream_answer(
        system.service, question, history, filters, req.k, pause=STREAM_PAUSE if req.stream and not checked_only else 0
    )
    try:
        first = next(pieces)
    except QuestionError as exc:
        return error_response(400, clip(str(exc), 4 * system.settings.max_echo_chars), "invalid_question", "messages")
    ident = f"chatcmpl-{uuid.uuid4().hex}"
    if req.stream:
        include_usage = bool(req.stream_options and req.stream_options.include_usage)
        done = slot_release(request.scope)
        chunks = _chunks(ident, first, pieces, checked_only, include_usage, question, history, done)
        return StreamingResponse(chunks, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
    answer = _final(first, pieces)
    reply = reply_text(answer)
    completion = ChatCompletion(
        id=ident,
        created=int(time.time()),
        model=MODEL_ID,
        system_fingerprint=f"fulian-qa-{__version__}",
        choices=[Choice(message=ReplyMessage(content=reply))],
        usage=usage(question, history, reply),
        fulian_qa=Answer.model_validate(answer),
    )
    return JSONResponse(_dump(completion))


def _dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict with the answer object as its JSON contract (``id`` left out when unset)."""
    data = model.model_dump(mode="json")
    answer = getattr(model, "fulian_qa", None)
    if answer is not None:
        data["fulian_qa"] = answer.to_dict()
    return {k: v for k, v in data.items() if v is not None or k not in ("fulian_qa", "usage")}


def _final(first: Piece, rest: Iterator[Piece]) -> dict[str, Any]:
    if first[1] is not None:
        return first[1]
    for _, answer in rest:
        if answer is not None:
            return answer
    raise RuntimeError("no answer produced")


def _chunks(
    ident: str,
    first: Piece,
    rest: Iterator[Piece],
    checked_only: bool,
    include_usage: bool,
    question: str,
    history: list[dict[str, str]],
    done: Callable[[], None],
) -> Iterator[str]:
    """``data:`` events: the role, text deltas, the sources, the final chunk with ``fulian_qa``, then [DONE]
    (``done`` is called as the last event is handed over)."""
    created = int(time.time())

    def event(delta: Delta, finish: bool = False, **extra: Any) -> str:
        chunk = ChatCompletionChunk(
            id=ident,
            created=created,
            model=MODEL_ID,
            system_fingerprint=f"fulian-qa-{__version__}",
            choices=[ChunkChoice(delta=delta, finish_reason="stop" if finish else None)],
            **extra,
        )
        return _data(_dump(chunk))

    yield event(Delta(role="assistant", content=""))
    sent = ""
    try:
        for text, answer in _chain(first, rest):
            if answer is None and checked_only:
                continue
            if text.startswith(sent) and len(text) > len(sent):
                yield event(Delta(content=text[len(sent) :]))
                sent = text
            if answer is not None:
                reply = reply_text(answer)
                if not reply.startswith(sent):  # cannot happen with checked text; never send a contradiction
                    raise RuntimeError("streamed text is not a prefix of the answer")
                if len(reply) > len(sent):
                    yield event(Delta(content=reply[len(sent) :]))
                yield event(Delta(), finish=True, fulian_qa=Answer.model_validate(answer))
                if include_usage:
                    chunk = ChatCompletionChunk(
                        id=ident,
                        created=created,
                        model=MODEL_ID,
                        system_fingerprint=f"fulian-qa-{__version__}",
                        choices=[],
                        usage=usage(question, history, reply),
                    )
                    yield _data(_dump(chunk))
                done()
                yield "data: [DONE]\n\n"
                return
    except StoreUnavailable as exc:  # logged once per outage by the store's breaker
        message = f"the document store is not answering; retry after {exc.retry_after:g} s"
        yield _data(error_body(503, message))
        return
    except Exception:  # the response has started: report in-band
        log.exception("streaming failed")
        yield _data(error_body(500, "answer failed: internal error (logged on the server)", "internal_error"))
        return
    yield _data(error_body(500, "no answer produced", "internal_error"))


def _data(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _chain(first: Piece, rest: Iterator[Piece]) -> Iterator[Piece]:
    yield first
    yield from rest


@router.api_route("/{rest:path}", methods=list(METHODS), include_in_schema=False)
def unknown(request: Request, rest: str) -> JSONResponse:
    """405 naming the allowed method on a known path, else 404 naming the endpoints."""
    path = clip(request.url.path.rstrip("/"), 200)
    one_model = path.startswith(f"{PREFIX}/models/") and "/" not in path.removeprefix(f"{PREFIX}/models/")
    allowed = ENDPOINTS.get(path) or (("GET",) if one_model else None)
    if allowed:
        methods = ", ".join(allowed)
        message = f"{request.method} is not allowed on {path}; use {methods}"
        return error_response(405, message, headers={"Allow": methods})
    endpoints = ", ".join(f"{m[0]} {p}" for p, m in ENDPOINTS.items())
    return error_response(404, f"no such endpoint: {path} (the OpenAI-compatible endpoints are {endpoints})")
