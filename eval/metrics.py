"""Pure scoring functions: one gold item + one answer → verdicts; many verdicts → metrics.

Normalisation is ``core.text.normalize`` (NFKC, traditional→simplified, lower case) plus removal
of citation markers ``[n]`` and thousands separators. An answer is *correct* when it is found and holds
every ``must_contain`` string or one accepted answer (yes/no: the answer must *start* with the right
verdict; unanswerable: correct = refused). *Strict*: each answer line's first non-year figure must be a
gold figure. A passage *holds* a quote when the normalised quote is a substring of it or its longest
common run with the passage covers ≥ 80% of the quote (a quote may straddle two chunks). Retrieval and
citation metrics skip unanswerable items. Leaves out: running answers and reading files (see ``eval.run``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from core.stats import percentile
from core.text import normalize
from qa.figures import find_figures, ungrounded

TYPES = ("numeric", "entity", "list", "multi_doc", "yesno", "unanswerable")
COVERAGE = 0.8
_MARKER = re.compile(r"\[\d+\]")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_LEAD = re.compile(r"^[\s\"'“”‘’「」『』()（）:：,，.。!！?？*#>-]+")
_VERDICT = re.compile(r"^(?:(?P<no>否|不是|no\b)|(?P<yes>是|yes\b))")


@dataclass(frozen=True)
class GoldItem:
    """One gold question (``doc`` is always a list here)."""

    id: str
    question: str
    type: str
    answers: list[str] = field(default_factory=list)
    must_contain: list[str] = field(default_factory=list)
    doc: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    lang: str = ""
    klass: str = ""  # the error class the item probes (part_whole, unit_focus, entity_span…), or ""

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def gold_from_dict(row: dict[str, Any], line: int = 0) -> GoldItem:
    """A ``GoldItem`` from one JSON object; a string ``doc`` (or ``answers``…) becomes a one-item list."""
    if not isinstance(row, dict) or not isinstance(row.get("question"), str) or not row["question"].strip():
        raise ValueError(f"line {line}: needs an object with a non-empty 'question'")
    qtype = row.get("type", "")
    if qtype not in TYPES:
        raise ValueError(f"line {line}: type {qtype!r} is not one of {', '.join(TYPES)}")

    def strings(key: str) -> list[str]:
        value = row.get(key) or []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    return GoldItem(
        str(row.get("id") or f"line{line}"), row["question"], qtype, strings("answers"), strings("must_contain"),
        strings("doc"), strings("evidence"), str(row.get("lang", "")), str(row.get("class", "")),
    )


# -- normalisation -------------------------------------------------------------------------------
def norm(text: str) -> str:
    """Matching form: NFKC, t2s, lower case, no citation markers, no thousands separators."""
    text = normalize(text or "")
    text = _MARKER.sub("", text)
    return _THOUSANDS.sub("", text)


def verdict(text: str) -> str | None:
    """'yes' / 'no' when a text starts with 是/yes or 否/不是/no (after normalising), else None."""
    m = _VERDICT.match(_LEAD.sub("", norm(text)))
    if not m:
        return None
    return "no" if m.group("no") else "yes"


# -- answer verdicts -------------------------------------------------------------------------------
def answer_correct(item: GoldItem, answer: str, found: bool) -> bool:
    """Answer accuracy for one item (see the module docstring)."""
    if not item.answerable:
        return not found
    if not found:
        return False
    if item.type == "yesno":
        gold = next((v for v in map(verdict, item.must_contain + item.answers) if v), None)
        return gold is not None and verdict(answer) == gold
    text = norm(answer)
    needed = [norm(s) for s in item.must_contain if s.strip()]
    if needed and all(s in text for s in needed):
        return True
    return any(norm(a) and norm(a) in text for a in item.answers)


def figure_values(text: str, years: bool = False) -> list[float]:
    """Values of the figures in a text (万/亿 expanded, separators dropped), in order of appearance."""
    return [f.value for f in find_figures(norm(text)) if years or not f.is_year]


def gold_figures(item: GoldItem) -> set[float]:
    """Every figure value the gold accepts (from ``must_contain`` and ``answers``)."""
    return {v for s in item.must_contain + item.answers for v in figure_values(s, years=True)}


def needs_figure(item: GoldItem) -> bool:
    return item.type not in ("yesno", "unanswerable") and any(figure_values(s, True) for s in item.must_contain)


def strict_correct(item: GoldItem, answer: str, found: bool) -> bool:
    """Correct, and (for items whose ``must_contain`` has figures) every line's first figure is a gold one."""
    if not answer_correct(item, answer, found):
        return False
    if found and item.type == "entity" and not needs_figure(item):  # the asked name is stated first
        lead = re.split(r"\s—— |\s?——\s?| — ", answer, maxsplit=1)
        return len(lead) == 2 and any(norm(a) and norm(a) in norm(lead[0]) for a in item.answers + item.must_contain)
    if not found or not needs_figure(item):
        return True
    gold = gold_figures(item)
    # when the gold is a year or date (is_year covers dates too), years and dates count as stated figures
    allow_years = not any(figure_values(s) for s in item.must_contain + item.answers)
    firsts = [vals[0] for line in answer.splitlines() if (vals := figure_values(line, years=allow_years))]
    return bool(firsts) and all(any(math.isclose(v, g) for g in gold) for v in firsts)


def grounded(answer: str, found: bool, cited_passages: list[str], question: str = "") -> bool | None:
    """Whether every figure of a found answer is in a cited passage or echoes the question (None for refusals)."""
    return None if not found else not ungrounded(answer, cited_passages, question)


# -- evidence in passages --------------------------------------------------------------------------
def holds(passage: str, quote: str) -> bool:
    """A passage holds a quote: normalised substring, or a common run covering ≥ 80% of the quote."""
    p, q = norm(passage), norm(quote)
    if not q:
        return False
    if q in p:
        return True
    match = SequenceMatcher(None, q, p, autojunk=False).find_longest_match(0, len(q), 0, len(p))
    return match.size >= COVERAGE * len(q)


@dataclass(frozen=True)
class Passage:
    doc: str
    text: str


def evidence_groups(item: GoldItem) -> list[tuple[str | None, list[str]]]:
    """What retrieval must find: per report for multi-report items, else any one quote anywhere.

    With several reports and one quote per report, quote *i* belongs to report *i*; with several reports
    and another number of quotes, each report needs one of its own passages to hold any quote.
    """
    if not item.evidence:
        return []
    if len(item.doc) > 1 and len(item.evidence) == len(item.doc):
        return [(d, [q]) for d, q in zip(item.doc, item.evidence, strict=True)]
    if len(item.doc) > 1:
        return [(d, list(item.evidence)) for d in item.doc]
    return [(None, list(item.evidence))]


def evidence_rank(item: GoldItem, passages: list[Passage]) -> int | None:
    """1-based rank at which the retrieved passages (best first) hold the item's evidence, or None.

    For a per-report group the rank counts only that report's passages (each report of a multi-report
    question is retrieved on its own); the item's rank is its worst group's rank.
    """
    groups = evidence_groups(item)
    if not groups:
        return None
    worst = 0
    for doc, quotes in groups:
        pool = [p for p in passages if doc is None or p.doc == doc]
        rank = next((i for i, p in enumerate(pool, 1) if any(holds(p.text, q) for q in quotes)), None)
        if rank is None:
            return None
        worst = max(worst, rank)
    return worst


def cited_holding(item: GoldItem, cited: list[str]) -> int:
    """How many cited passages hold any of the item's evidence quotes."""
    return sum(1 for text in cited if any(holds(text, q) for q in item.evidence))


# -- aggregation -------------------------------------------------------------------------------------
@dataclass
class Verdict:
    """Everything scored about one answer (``rank``/``cited_*`` are None where they do not apply)."""

    id: str
    type: str
    lang: str
    klass: str
    docs: list[str]
    answerable: bool
    correct: bool
    strict: bool
    refused: bool
    rank: int | None
    scored_retrieval: bool
    cited: int
    cited_holding: int | None
    grounded: bool | None
    latency_ms: float
    error: str = ""


def judge(item: GoldItem, ans: dict[str, Any], passages: list[Passage]) -> Verdict:
    """Score one answer object (``Answer.to_dict()`` shape) against its gold item."""
    text, found = ans.get("answer", ""), bool(ans.get("found")) and not ans.get("error")
    cites = [c.get("text", "") for c in ans.get("citations", [])] if found else []
    retrieval = item.answerable and bool(evidence_groups(item))
    return Verdict(
        id=item.id,
        type=item.type,
        lang=item.lang,
        klass=item.klass,
        docs=list(item.doc),
        answerable=item.answerable,
        correct=answer_correct(item, text, found),
        strict=strict_correct(item, text, found),
        refused=not found,
        rank=evidence_rank(item, passages) if retrieval else None,
        scored_retrieval=retrieval,
        cited=len(cites),
        cited_holding=cited_holding(item, cites) if retrieval and found else None,
        grounded=grounded(text, found, cites, item.question),
        latency_ms=float(ans.get("latency_ms", 0.0) or 0.0),
        error=str(ans.get("error", "")),
    )


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(verdicts: list[Verdict]) -> dict[str, float | int | None]:
    """The value of each ``eval.registry`` metric over a set of verdicts (None where no item qualifies),
    plus ``n``.

    citation_precision is the mean, over found answerable answers with citations, of the share of cited
    passages holding evidence; grounding_rate is over found answers; MRR counts a miss as 0.
    """
    answerable = [v for v in verdicts if v.answerable]
    unanswerable = [v for v in verdicts if not v.answerable]
    scored = [v for v in answerable if v.scored_retrieval]
    cited_shares = [v.cited_holding / v.cited for v in scored if v.cited_holding is not None and v.cited]
    found = [v for v in verdicts if v.grounded is not None]
    latencies = [v.latency_ms for v in verdicts]
    return {
        "n": len(verdicts),
        "answer_accuracy": _rate(sum(v.correct for v in verdicts), len(verdicts)),
        "strict_accuracy": _rate(sum(v.strict for v in verdicts), len(verdicts)),
        "refusal_accuracy": _rate(sum(v.refused for v in unanswerable), len(unanswerable)),
        "false_refusal_rate": _rate(sum(v.refused for v in answerable), len(answerable)),
        "hit@1": _rate(sum(v.rank == 1 for v in scored), len(scored)),
        "hit@5": _rate(sum(v.rank is not None and v.rank <= 5 for v in scored), len(scored)),
        "mrr": sum(1 / v.rank for v in scored if v.rank) / len(scored) if scored else None,
        "citation_precision": _mean(cited_shares),
        "grounding_rate": _rate(sum(bool(v.grounded) for v in found), len(found)),
        "latency_p50_ms": percentile(latencies, 50) if latencies else None,
        "latency_p95_ms": percentile(latencies, 95) if latencies else None,
    }


def breakdown(verdicts: list[Verdict], key: str) -> dict[str, dict[str, float | int | None]]:
    """Metrics per question type ('type'), language ('lang') or report ('doc': an item counts for each
    of its reports; items without one go under '-')."""
    groups: dict[str, list[Verdict]] = {}
    for v in verdicts:
        names = (v.docs or ["-"]) if key == "doc" else [getattr(v, key) or "-"]
        for name in names:
            groups.setdefault(name, []).append(v)
    order = {t: i for i, t in enumerate(TYPES)}
    return {name: summarize(vs) for name, vs in sorted(groups.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))}


# -- refusal-threshold calibration -----------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """One answer given with refusal off: its confidence, whether the item is answerable, whether the
    answer (if kept) is correct, and whether an answer was produced at all."""

    confidence: float
    answerable: bool
    correct: bool
    found: bool


def threshold_score(points: list[Point], threshold: float) -> float:
    """Answer accuracy on answerable + refusal accuracy on unanswerable, refusing below ``threshold``."""
    ans = [p for p in points if p.answerable]
    una = [p for p in points if not p.answerable]
    acc = sum(p.found and p.correct and p.confidence >= threshold for p in ans) / len(ans) if ans else 0.0
    ref = sum(not p.found or p.confidence < threshold for p in una) / len(una) if una else 0.0
    return acc + ref


def best_threshold(points: list[Point]) -> tuple[float, float]:
    """The threshold (midpoint between neighbouring confidences, or 0) with the best score, and that
    score; ties go to the middle of the best run of candidates."""
    confs = sorted({round(p.confidence, 6) for p in points})
    candidates = [0.0] + [(a + b) / 2 for a, b in zip(confs, confs[1:], strict=False)]
    candidates += [confs[-1] + 1e-6] if confs else []
    scored = [(t, threshold_score(points, t)) for t in candidates]
    top = max(s for _, s in scored)
    best = [t for t, s in scored if math.isclose(s, top)]
    return best[len(best) // 2], top
