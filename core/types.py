"""The shapes every layer shares, one definition each: chunk metadata, a stored chunk, a citation, the
answer object, an indexing outcome and the kinds of refusal.

``Citation``, ``Answer`` and ``IndexOutcome`` are pydantic models, so the HTTP API's schema is these very
types. ``Answer.to_dict`` is the stable JSON contract of the CLI and the API: ``{"id"?, "question", "answer",
"found", "citations": [{"n", "doc", "chunk_id", "text", "start", "end", "score", ...}], "latency_ms", ...}``.
A citation's ``text`` is the whole passage; ``start``/``end`` are the evidence span in the original report and
``passage_start``/``passage_end`` the passage's own span. Leaves out: how any of them is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

SECTION_SEP = " > "


@dataclass(frozen=True)
class ChunkMeta:
    """What the store keeps beside a chunk's text; parsed once when a chunk is read back."""

    doc: str
    city: str = ""
    year: int = 0
    section: str = ""  # heading path, outermost first, joined by SECTION_SEP
    index: int = 0
    start: int = 0  # offsets of the passage in the report
    end: int = 0
    doc_sha: str = ""
    title: str = ""  # the report's title, from its first lines (index.meta.detect_title)
    indexed_at: str = ""  # when the passage was stored (ISO 8601, UTC)

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> ChunkMeta:
        """From the store's metadata dict (missing or empty values take the defaults)."""
        raw = raw or {}
        return cls(
            doc=str(raw.get("doc") or ""),
            city=str(raw.get("city") or ""),
            year=int(raw.get("year") or 0),
            section=str(raw.get("section") or ""),
            index=int(raw.get("index") or 0),
            start=int(raw.get("start") or 0),
            end=int(raw.get("end") or 0),
            doc_sha=str(raw.get("doc_sha") or ""),
            title=str(raw.get("title") or ""),
            indexed_at=str(raw.get("indexed_at") or ""),
        )

    def to_store(self) -> dict[str, str | int]:
        return {
            "doc": self.doc,
            "city": self.city,
            "year": self.year,
            "section": self.section,
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "doc_sha": self.doc_sha,
            "title": self.title,
            "indexed_at": self.indexed_at,
        }

    @property
    def sections(self) -> list[str]:
        return [s for s in self.section.split(SECTION_SEP) if s]

    @property
    def heading(self) -> str:
        """The innermost heading ("" when the passage has none)."""
        return self.section.split(SECTION_SEP)[-1]


@dataclass(frozen=True)
class StoredChunk:
    """A passage as the store holds it."""

    id: str
    text: str
    meta: ChunkMeta

    @property
    def doc(self) -> str:
        return self.meta.doc


class Refusal(StrEnum):
    """Why an answer was not given."""

    EMPTY_INDEX = "empty_index"
    UNKNOWN_PLACE = "unknown_place"
    UNCOVERED_YEAR = "uncovered_year"
    NO_PASSAGES = "no_passages"
    WEAK_EVIDENCE = "weak_evidence"
    NO_FIGURE = "no_figure"
    NO_PERSON = "no_person"
    NO_MEASURE = "no_measure"  # the asked measure (a rate, an area, people rather than events) is not stated
    NO_CONCEPT = "no_concept"  # the asked thing is not in the evidence (a near concept at most)
    UNGROUNDED = "ungrounded"
    MODEL_NOT_FOUND = "model_not_found"

    @property
    def before_model(self) -> bool:
        """A refusal decided before any model is asked (the LLM answerer is not called)."""
        late = (Refusal.NO_FIGURE, Refusal.NO_PERSON, Refusal.NO_MEASURE, Refusal.UNGROUNDED, Refusal.MODEL_NOT_FOUND)
        return self not in late


class Citation(BaseModel):
    """One numbered source of an answer."""

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

    @classmethod
    def of(cls, n: int, chunk: StoredChunk, score: float, span: tuple[int, int] | None = None) -> Citation:
        """Citation ``n`` of ``chunk``; ``span`` is the evidence's offsets within the passage (None: the whole
        passage is given for reference, with no evidence)."""
        meta = chunk.meta
        lo, hi = span if span is not None else (0, len(chunk.text))
        return cls(
            n=n,
            doc=meta.doc,
            chunk_id=chunk.id,
            text=chunk.text,
            start=meta.start + lo,
            end=meta.start + hi,
            score=round(float(score), 5),
            city=meta.city,
            year=meta.year,
            section=meta.section,
            passage_start=meta.start,
            passage_end=meta.end,
            evidence=chunk.text[lo:hi] if span is not None else "",
        )


class Part(BaseModel):
    """One city's share of a multi-city answer: its text and the numbers of the citations it rests on."""

    city: str
    answer: str = Field(description="This city's part of the answer text (its [n] marks included).")
    found: bool = True
    citation_n: list[int] = Field(default_factory=list, description="Numbers of the citations this part cites.")


class Answer(BaseModel):
    """The answer object, exactly as ``fulian-qa ask --json`` prints it and ``POST /api/ask`` returns it."""

    id: str | int | None = None
    question: str
    answer: str
    found: bool
    citations: list[Citation] = Field(default_factory=list)
    latency_ms: float = 0.0
    type: str = ""
    lang: str = ""
    answerer: str = "extractive"
    reason: str = ""
    refusal: Refusal | None = Field(default=None, description="The kind of refusal when `found` is false.")
    confidence: float = 0.0
    retrieved: list[dict[str, Any]] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    fallback_reason: str = Field(default="", description="Why an LLM answer was replaced (`extractive-fallback`).")
    checks: dict[str, Any] = Field(default_factory=dict, description="LLM answer checks (citations_ok, figures_ok...).")
    parts: list[Part] = Field(
        default_factory=list, description="Per-city parts of a question about several cities (empty otherwise)."
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``id`` first when set, left out when not."""
        data = self.model_dump(mode="json")
        ident = data.pop("id")
        return data if ident is None else {"id": ident, **data}


class IndexOutcome(BaseModel):
    """What indexing did with one report."""

    doc: str
    status: Literal["indexed", "unchanged", "duplicate", "error"]
    chunks: int = 0
    added: int = 0
    removed: int = 0
    city: str = ""
    year: int = 0
    message: str = ""
    title: str = ""
    duplicate_of: str = Field(default="", description="The already indexed report with the same text (`duplicate`).")
