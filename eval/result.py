"""What an eval run produces: each system's answers, verdicts and metrics, and the whole run.

Leaves out: producing them (``eval.run``) and presenting them (``eval.report``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eval.metrics import GoldItem, Verdict

MAIN = "main"


@dataclass
class SystemRun:
    """One system's answers (with verdict fields merged in) and metrics."""

    name: str
    rows: list[dict[str, Any]]
    verdicts: list[Verdict]
    seconds: float
    metrics: dict[str, Any] = field(default_factory=dict)
    by_type: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_lang: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_doc: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_class: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def replaced(self) -> int:
        """LLM answers the checks replaced with the extractive answer."""
        return sum(1 for r in self.rows if r.get("answerer") == "extractive-fallback")


@dataclass
class EvalResult:
    """Every system's run over one gold set (``doc_labels``: report file → label with its city)."""

    gold: str
    items: list[GoldItem]
    runs: dict[str, SystemRun]
    doc_labels: dict[str, str] = field(default_factory=dict)
