"""Request bodies and the small response envelopes; answers, citations, outcomes and reports are the
domain types themselves (``core.types``, ``qa.reports``). Leaves out: handlers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from core.types import Citation
from qa.reports import ReportInfo


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
        None,
        description="Who writes the answer: `llm` (checked, falls back to extractive) or `extractive`; "
        "default FQA_ANSWERER.",
    )

    def history_turns(self) -> list[Any]:
        return [t.model_dump() if isinstance(t, ChatTurn) else list(t) for t in self.history]


class SearchRequest(BaseModel):
    query: str = Field(examples=["陇原巧手 培训"])
    k: int = Field(5, ge=1, le=50)
    filters: Filters | None = None


class SearchOut(BaseModel):
    query: str
    results: list[Citation]


class DocumentsOut(BaseModel):
    documents: list[ReportInfo]
    chunks: int = Field(description="Total chunks indexed.")


class DeletedOut(BaseModel):
    doc: str
    removed: int = Field(description="Chunks removed.")


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"] = "ok"
    version: str
    documents: int
    chunks: int
    embed_model: str
    answerer: str
    writes_enabled: bool
    checks: dict[str, str] = Field(default_factory=dict, description='Each dependency: "ok" or "down: why".')


class LiveOut(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyOut(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, str]


class ErrorOut(BaseModel):
    detail: str


COMMON_ERRORS = (413,)  # any route: a body over FQA_MAX_BODY_KB is refused before it is read


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error statuses (plus those every route may answer)."""
    return {code: {"model": ErrorOut} for code in sorted({*codes, *COMMON_ERRORS})}
