"""HTTP API (FastAPI) under ``/api``, with the Gradio UI mounted at ``/``; ``serve()`` runs both in one process.

``create_app(service, settings)`` builds the app around one shared ``QAService`` (model and index are
loaded once, before the app exists). Endpoints: ask (JSON or server-sent events), search, list/upload/
delete reports (writes need ``Authorization: Bearer $FQA_API_TOKEN``), health; OpenAPI docs at ``/docs``.
``stream_answer`` is the one place answers are streamed from (the UI and SSE both use it).
Leaves out: users/sessions, rate limiting, CORS configuration and TLS (put a reverse proxy in front).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, File, HTTPException, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from fulian_qa import __version__
from fulian_qa.settings import Settings, get_settings
from index.load import SUFFIXES, ReportError
from qa.chain import QAService, QuestionError
from qa.condense import condense

log = logging.getLogger("fulian_qa.api")

STREAM_STEP = 6  # characters per streamed piece of an extractive answer
STREAM_PAUSE = 0.02  # seconds between pieces, so the UI visibly streams
_bearer = HTTPBearer(auto_error=False, description="The server's FQA_API_TOKEN")


# -- models ---------------------------------------------------------------------------------------
class ChatTurn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: Any = Field(description="Message text (or Gradio content blocks).")


class Filters(BaseModel):
    docs: list[str] = Field(default_factory=list, description="Only these reports (file names, see /api/documents).")
    cities: list[str] = Field(default_factory=list, description="Only reports about these cities (e.g. 天水).")


class AskRequest(BaseModel):
    question: str = Field(description="The question, in Chinese or English.", examples=["天水培训了多少陇原巧手"])
    history: list[ChatTurn | tuple[str | None, str | None]] = Field(
        default_factory=list,
        description='Earlier turns, as {"role", "content"} messages or [user, assistant] pairs; an elliptical '
        "follow-up (「那株洲呢?」) is rewritten into a standalone question from them.",
    )
    filters: Filters | None = None
    k: int | None = Field(None, ge=1, le=50, description="Passages to consider/cite (default FQA_TOP_K).")
    id: str | int | None = Field(None, description="Echoed back in the answer.")
    answerer: Literal["llm", "extractive"] | None = Field(
        None, description="Who writes the answer: `llm` (checked, falls back to extractive) or `extractive`; "
        "default FQA_ANSWERER.",
    )


class SearchRequest(BaseModel):
    query: str = Field(examples=["陇原巧手 培训"])
    k: int = Field(5, ge=1, le=50)
    filters: Filters | None = None


class CitationOut(BaseModel):
    n: int
    doc: str
    chunk_id: str
    text: str = Field(description="The whole cited passage.")
    start: int = Field(description="Evidence span start (offset in the report).")
    end: int = Field(description="Evidence span end (offset in the report).")
    score: float
    city: str = ""
    year: int = 0
    section: str = ""
    passage_start: int = 0
    passage_end: int = 0
    evidence: str = ""


class AnswerOut(BaseModel):
    """The answer object, exactly as ``fulian-qa ask --json`` prints it."""

    id: str | int | None = None
    question: str
    answer: str
    found: bool
    citations: list[CitationOut]
    latency_ms: float
    type: str = ""
    lang: str = ""
    answerer: str = ""
    reason: str = ""
    confidence: float = 0.0
    retrieved: list[dict[str, Any]] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    fallback_reason: str = Field("", description="Why an LLM answer was replaced (answerer `extractive-fallback`).")
    checks: dict[str, Any] = Field(default_factory=dict, description="LLM answer checks (citations_ok, figures_ok...).")


class SearchOut(BaseModel):
    query: str
    results: list[CitationOut]


class DocumentOut(BaseModel):
    doc: str
    city: str = ""
    year: int = 0
    chunks: int


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]
    chunks: int = Field(description="Total chunks indexed.")


class OutcomeOut(BaseModel):
    doc: str
    status: Literal["indexed", "unchanged", "duplicate", "error"]
    chunks: int = 0
    added: int = 0
    removed: int = 0
    city: str = ""
    year: int = 0
    message: str = ""


class DeletedOut(BaseModel):
    doc: str
    removed: int = Field(description="Chunks removed.")


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    documents: int
    chunks: int
    embed_model: str
    answerer: str
    writes_enabled: bool


class ErrorOut(BaseModel):
    detail: str


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut} for code in codes}


# -- streaming ------------------------------------------------------------------------------------
def _filters(filters: Filters | dict[str, Any] | None) -> dict[str, list[str]] | None:
    if filters is None:
        return None
    data = filters.model_dump() if isinstance(filters, Filters) else dict(filters)
    clean = {key: list(data.get(key) or []) for key in ("docs", "cities") if data.get(key)}
    return clean or None


def stream_answer(
    service: QAService,
    question: str,
    history: list[Any] | None = None,
    filters: dict[str, Any] | None = None,
    k: int | None = None,
    id: Any = None,
    answerer: str | None = None,
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """Yield ``(answer text so far, None)`` pieces, then ``(full text, answer dict)``.

    The follow-up is condensed from ``history`` first. Raises ``QuestionError`` on the first ``next()``
    for a question that cannot be asked. The LLM answerer streams its tokens; its final text is the checked
    one and may replace what was streamed (a failed check falls back to the extractive answer). The
    extractive answer is cut into pieces.
    """
    standalone = condense(question, history, service.searcher.catalog.cities)
    if service.answerer_for(answerer) == "llm":
        text = ""
        for delta, final in service.ask_stream(standalone, k=k, filters=_filters(filters), id=id, answerer="llm"):
            if final is None:
                text += delta
                yield text, None
            else:
                yield final.answer, final.to_dict()
        return
    answer = service.ask(standalone, k=k, filters=_filters(filters), id=id, answerer="extractive").to_dict()
    text = answer["answer"]
    for end in range(STREAM_STEP, len(text), STREAM_STEP):
        yield text[:end], None
        time.sleep(STREAM_PAUSE)
    yield text, answer


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


Piece = tuple[str, dict[str, Any] | None]


def _sse_stream(first: Piece, rest: Iterator[Piece]) -> Iterator[str]:
    sent = ""
    try:
        for text, answer in _chain(first, rest):
            if text != sent and text.startswith(sent):
                yield _sse("token", {"text": text[len(sent) :]})
            elif text != sent:  # the checked text differs from what was streamed: the client replaces it
                yield _sse("replace", {"text": text})
            sent = text
            if answer is not None:
                yield _sse("answer", answer)
    except Exception as exc:  # the response has started: report in-band
        log.exception("streaming failed")
        yield _sse("error", {"detail": f"answer failed: {exc}"})


def _chain(first: Piece, rest: Iterator[Piece]) -> Iterator[Piece]:
    yield first
    yield from rest


# -- app ------------------------------------------------------------------------------------------
def create_app(service: QAService | None = None, settings: Settings | None = None, ui: bool = True) -> FastAPI:
    """The FastAPI app around one shared service (built from settings when not given)."""
    settings = settings or (service.settings if service else get_settings())
    service = service or QAService(settings)
    app = FastAPI(
        title="fulian-qa",
        version=__version__,
        description="Cited answers from 妇联 work reports. The chat UI is at `/`.",
    )
    app.state.service = service
    app.state.settings = settings
    _add_error_handlers(app)
    def require_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
        token = settings.api_token
        if not token:
            raise HTTPException(403, "writes are disabled: the server has no FQA_API_TOKEN set")
        given = credentials.credentials if credentials else ""
        if not given or not secrets.compare_digest(given.encode(), token.encode()):
            raise HTTPException(
                401, "missing or wrong token: send Authorization: Bearer <FQA_API_TOKEN>",
                headers={"WWW-Authenticate": "Bearer"},
            )

    def check_filters(filters: Filters | None) -> dict[str, list[str]] | None:
        clean = _filters(filters)
        if clean:
            catalog = service.searcher.catalog
            unknown = [d for d in clean.get("docs", []) if d not in catalog.doc_city]
            unknown += [c for c in clean.get("cities", []) if c not in catalog.cities]
            if unknown:
                raise HTTPException(422, f"unknown filter value(s): {', '.join(unknown)} (see /api/documents)")
        return clean

    @app.post(
        "/api/ask",
        response_model=AnswerOut,
        response_model_exclude_unset=True,
        tags=["questions"],
        responses={**_errors(422), 200: {"content": {"text/event-stream": {}}}},
    )
    def ask(
        req: AskRequest,
        stream: Annotated[bool, Query(description="Stream server-sent events: `token` deltas (a `replace` event "
                                      "when the checked text differs from what was streamed), then `answer`.")] = False,
    ) -> Any:
        """Answer a question with numbered citations (the answer object of `fulian-qa ask --json`)."""
        history = [t.model_dump() if isinstance(t, ChatTurn) else list(t) for t in req.history]
        pieces = stream_answer(service, req.question, history, check_filters(req.filters), req.k, req.id, req.answerer)
        try:
            first = next(pieces)
        except QuestionError as exc:
            raise HTTPException(422, str(exc)) from exc
        if stream:
            return StreamingResponse(
                _sse_stream(first, pieces), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
            )
        for _, answer in _chain(first, pieces):
            if answer is not None:
                return AnswerOut(**answer)
        raise HTTPException(500, "no answer produced")

    @app.post("/api/search", response_model=SearchOut, tags=["questions"], responses=_errors(422))
    def search(req: SearchRequest) -> SearchOut:
        """Passages for a query with their scores, best first (no answer)."""
        try:
            found = service.search(req.query, req.k, check_filters(req.filters))
        except QuestionError as exc:
            raise HTTPException(422, str(exc)) from exc
        return SearchOut(query=req.query, results=[CitationOut(**vars(c)) for c in found])

    @app.get("/api/documents", response_model=DocumentsOut, tags=["documents"])
    def documents() -> DocumentsOut:
        """Indexed reports with city, year and chunk count."""
        docs = [DocumentOut(**d) for d in service.documents()]
        return DocumentsOut(documents=docs, chunks=sum(d.chunks for d in docs))

    @app.post(
        "/api/documents",
        response_model=OutcomeOut,
        status_code=201,
        tags=["documents"],
        dependencies=[Depends(require_token)],
        responses={200: {"model": OutcomeOut, "description": "Already indexed, unchanged"},
                   **_errors(400, 401, 403, 409, 413, 415)},
    )
    async def upload(
        response: Response, file: Annotated[UploadFile, File(description="A .txt, .md, .docx or .pdf report")]
    ) -> OutcomeOut:
        """Index an uploaded report (incrementally; re-uploading a changed report replaces its old chunks)."""
        name = Path(file.filename or "").name
        if not name:
            raise HTTPException(400, "the upload has no file name")
        if Path(name).suffix.lower() not in SUFFIXES:
            kinds = ", ".join(sorted(SUFFIXES))
            raise HTTPException(415, f"{name}: unsupported file type {Path(name).suffix or '(none)'}; use {kinds}")
        limit = settings.max_upload_mb * 1024 * 1024
        data = await file.read(limit + 1)
        if len(data) > limit:
            raise HTTPException(413, f"{name}: larger than {settings.max_upload_mb} MB (FQA_MAX_UPLOAD_MB)")
        try:
            outcome = await run_in_threadpool(service.add_report, name, data)
        except ReportError as exc:
            raise HTTPException(400, str(exc)) from exc
        if outcome.status == "duplicate":
            raise HTTPException(409, f"{name}: {outcome.message}")
        if outcome.status == "error":
            raise HTTPException(400, f"{name}: {outcome.message}")
        if outcome.status == "unchanged":
            response.status_code = 200
        return OutcomeOut(**vars(outcome))

    @app.delete(
        "/api/documents/{name}",
        response_model=DeletedOut,
        tags=["documents"],
        dependencies=[Depends(require_token)],
        responses=_errors(401, 403, 404),
    )
    def delete(name: str) -> DeletedOut:
        """Remove every chunk of a report from every index."""
        removed = service.delete_report(name)
        if not removed:
            raise HTTPException(404, f"no indexed report named {name!r} (see GET /api/documents)")
        return DeletedOut(doc=name, removed=removed)

    @app.get("/api/health", response_model=HealthOut, tags=["service"])
    def health() -> HealthOut:
        """Liveness plus what is loaded."""
        docs = service.documents()
        return HealthOut(
            version=__version__,
            documents=len(docs),
            chunks=sum(d["chunks"] for d in docs),
            embed_model=service.embedder.name,
            answerer=_answerer(settings),
            writes_enabled=bool(settings.api_token),
        )

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(request: Request, rest: str) -> None:
        path = request.url.path
        allowed = sorted({
            m for r in app.routes
            if isinstance(r, APIRoute) and r.name != "unknown" and r.path_regex.match(path) for m in r.methods
        })
        if allowed:
            raise HTTPException(405, f"{request.method} is not allowed on {path}; use {', '.join(allowed)}",
                                headers={"Allow": ", ".join(allowed)})
        raise HTTPException(404, f"no such endpoint: {path} (see /docs)")

    if ui:
        from ui import mount_ui

        mount_ui(app, service)
    return app


def _answerer(settings: Settings) -> str:
    if settings.answerer != "auto":
        return settings.answerer
    return "llm" if settings.llm_enabled else "extractive"


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors())
        parts = []
        for err in errors:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
        return JSONResponse({"detail": "; ".join(parts) or "invalid request", "errors": errors}, status_code=422)

    @app.exception_handler(QuestionError)
    async def bad_question(_: Request, exc: QuestionError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)


def serve(host: str = "127.0.0.1", port: int = 7860) -> None:
    """Load the model and index once, then serve the UI at / and the API at /api until interrupted."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()
    service = QAService(settings)
    service.warm_up()
    docs = service.documents()
    if not docs:
        log.warning("no reports indexed in %s: run `fulian-qa index` first", settings.data_dir)
    log.info("fulian-qa: %d reports loaded; UI http://%s:%d/  API docs http://%s:%d/docs", len(docs), host, port,
             host, port)
    uvicorn.run(create_app(service, settings), host=host, port=port, log_level="info")
