"""The answer object shared by the CLI, the HTTP API, the UI and the eval.

``to_dict`` gives the stable JSON contract: ``{"id"?, "question", "answer", "found", "citations":
[{"n", "doc", "chunk_id", "text", "start", "end", "score", ...}], "latency_ms", ...}``. A citation's
``text`` is the whole passage; ``start``/``end`` are the evidence span in the original report, and
``passage_start``/``passage_end`` the passage's own span.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Citation:
    n: int
    doc: str
    chunk_id: str
    text: str
    start: int
    end: int
    score: float
    city: str = ""
    year: int = 0
    section: str = ""
    passage_start: int = 0
    passage_end: int = 0
    evidence: str = ""


@dataclass
class Answer:
    question: str
    answer: str
    found: bool
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    id: Any = None
    type: str = ""
    lang: str = ""
    answerer: str = "extractive"
    reason: str = ""
    confidence: float = 0.0
    retrieved: list[dict[str, Any]] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    fallback_reason: str = ""  # why an LLM answer was replaced (answerer "extractive-fallback")
    checks: dict[str, Any] = field(default_factory=dict)  # LLM checks: citations_ok, figures_ok, repaired...

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        ident = data.pop("id")
        return data if ident is None else {"id": ident, **data}
