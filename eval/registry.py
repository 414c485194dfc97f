"""The eval metrics as data: name, column names, direction, charts, number format and default CI limit.

``METRICS`` is the single list the terminal table, the report (tables, chart, metrics.json) and the
``--fail-under``/``--fail-over`` checks read; ``eval.metrics.summarize`` computes a value for each name.
A metric's ``ci_limit`` is a floor when higher is better and a ceiling when lower is better. Leaves out:
how a metric is computed (``eval.metrics``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class Metric:
    """One metric: ``short`` heads the terminal table, ``label`` describes it in the report; ``chart`` and
    ``type_chart`` put it in the by-system and by-type charts; ``fmt`` is its format spec."""

    name: str
    short: str
    label: str
    direction: Direction = "higher"
    chart: bool = False
    type_chart: bool = False
    fmt: str = ".3f"
    ci_limit: float | None = None

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    def format(self, value: object, missing: str = "-") -> str:
        """The value in the metric's format (``missing`` for None; non-numbers as they are)."""
        if value is None:
            return missing
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format(value, self.fmt)
        return str(value)


METRICS = (
    Metric("answer_accuracy", "acc", "answer accuracy (refusing counts as right on unanswerable questions)",
           chart=True, type_chart=True, ci_limit=0.95),
    Metric("strict_accuracy", "strict", "correct, and each line's first figure is a gold one (items with gold figures)",
           chart=True, type_chart=True, ci_limit=0.95),
    Metric("refusal_accuracy", "refuse", "share of unanswerable questions refused", chart=True, ci_limit=0.95),
    Metric("false_refusal_rate", "false_ref", "share of answerable questions refused", "lower",
           chart=True, type_chart=True, ci_limit=0.03),
    Metric("hit@1", "hit@1", "evidence in the top retrieved passage"),
    Metric("hit@5", "hit@5", "evidence in the top 5 retrieved passages", chart=True, type_chart=True,
           ci_limit=0.95),
    Metric("mrr", "mrr", "mean reciprocal rank of the evidence (a miss counts 0)", chart=True, ci_limit=0.87),
    Metric("citation_precision", "cite_prec", "mean share of cited passages that hold gold evidence",
           chart=True, type_chart=True, ci_limit=0.92),
    Metric("grounding_rate", "grounded", "found answers whose figures all appear in a cited passage",
           chart=True, ci_limit=1.0),
    Metric("latency_p50_ms", "p50_ms", "median answer time (ms)", "lower", fmt=".0f"),
    Metric("latency_p95_ms", "p95_ms", "95th-percentile answer time (ms)", "lower", fmt=".0f"),
)
NAMES = tuple(m.name for m in METRICS)
BY_NAME = {m.name: m for m in METRICS}


def get(name: str) -> Metric:
    """The metric called ``name`` (ValueError listing the known names otherwise)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; choose from {', '.join(NAMES)}") from None


def charted(type_chart: bool = False) -> tuple[Metric, ...]:
    """The metrics of the by-system chart, or of the by-type chart."""
    return tuple(m for m in METRICS if (m.type_chart if type_chart else m.chart))


def default_limits(direction: Direction) -> dict[str, float]:
    """The CI floors (``"higher"``) or ceilings (``"lower"``) the registry declares, in registry order."""
    return {m.name: m.ci_limit for m in METRICS if m.direction == direction and m.ci_limit is not None}
