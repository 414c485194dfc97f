"""``fulian-qa eval``: run a gold set through each system, score it, print, write, gate.

Loads any gold JSONL of the documented schema, runs every question through each selected system (see
``eval.baselines``), scores the answers with ``eval.metrics``, prints a systems × metrics table, writes
the main system's answers + verdicts (``--out``) and the report (``--report``), applies
``--fail-under``/``--fail-over`` to the main system, and with ``--calibrate`` sweeps the refusal
threshold. Exit codes: 0 ok, 1 a floor/ceiling not met, 2 bad input. Leaves out: report layout
(``eval.report``) and the metric definitions (``eval.metrics``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval import baselines
from eval.metrics import (
    METRICS,
    GoldItem,
    Passage,
    Point,
    Verdict,
    best_threshold,
    breakdown,
    gold_from_dict,
    judge,
    summarize,
    threshold_score,
)

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

    @property
    def replaced(self) -> int:
        """LLM answers the checks replaced with the extractive answer."""
        return sum(1 for r in self.rows if r.get("answerer") == "extractive-fallback")


@dataclass
class EvalResult:
    gold: str
    items: list[GoldItem]
    runs: dict[str, SystemRun]
    doc_labels: dict[str, str] = field(default_factory=dict)


def load_gold(path: Path) -> list[GoldItem]:
    """Gold items from a JSONL file (raises ValueError with the line number on bad input)."""
    items = []
    with Path(path).open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{line_no}: invalid JSON: {exc}") from exc
            items.append(gold_from_dict(row, line_no))
    if not items:
        raise ValueError(f"{path}: no gold items")
    ids = [i.id for i in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{path}: duplicate ids {', '.join(dupes[:5])}")
    return items


def parse_limits(specs: list[str]) -> dict[str, float]:
    """``["answer_accuracy=0.8", ...]`` → {metric: value} (raises ValueError on unknown/malformed)."""
    limits = {}
    for spec in (s for raw in specs for s in raw.split(",") if s.strip()):
        name, sep, value = spec.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"{spec!r}: expected METRIC=VALUE")
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}")
        try:
            limits[name] = float(value)
        except ValueError:
            raise ValueError(f"{spec!r}: {value!r} is not a number") from None
    return limits


def check_limits(metrics: dict[str, Any], floors: dict[str, float], ceilings: dict[str, float]) -> list[str]:
    """Messages for every floor/ceiling the metrics miss (a metric with no value misses)."""
    failures = []
    for name, floor in floors.items():
        value = metrics.get(name)
        if value is None or value < floor:
            failures.append(f"{name} = {_fmt(value)} is below the floor {floor:g}")
    for name, ceiling in ceilings.items():
        value = metrics.get(name)
        if value is None or value > ceiling:
            failures.append(f"{name} = {_fmt(value)} is above the ceiling {ceiling:g}")
    return failures


def passages_of(ans: dict[str, Any], chunks: dict[str, Any]) -> list[Passage]:
    """The retrieved passages of an answer, in rank order, with their texts looked up by chunk id."""
    out = []
    for r in ans.get("retrieved", []):
        chunk = chunks.get(r.get("chunk_id"))
        if chunk is not None:
            out.append(Passage(chunk.meta.doc or r.get("doc", ""), chunk.text))
    return out


def run_system(service, name: str, items: list[GoldItem], answerer: str | None = None, log=None) -> SystemRun:
    """Ask every gold question through one system and score each answer."""
    from qa.plan import QuestionError

    ask = baselines.make_system(name, service, answerer)
    chunks = {c.id: c for c in service.corpus.snapshot.chunks}
    rows, verdicts = [], []
    began = time.perf_counter()
    for n, item in enumerate(items, 1):
        start = time.perf_counter()
        try:
            ans = ask(item.question, item.id)
        except QuestionError as exc:
            ans = {"id": item.id, "question": item.question, "answer": "", "found": False, "citations": [],
                   "retrieved": [], "error": str(exc)}
        wall = round((time.perf_counter() - start) * 1000, 1)
        ans["latency_ms"] = ans.get("latency_ms") or wall
        ans["id"] = item.id
        v = judge(item, ans, passages_of(ans, chunks))
        rows.append(ans | verdict_fields(name, v))
        verdicts.append(v)
        if log and (n % 25 == 0 or n == len(items)):
            log(f"  {name}: {n}/{len(items)} ({time.perf_counter() - began:.0f} s)")
    return SystemRun(name, rows, verdicts, time.perf_counter() - began)


def verdict_fields(system: str, v: Verdict) -> dict[str, Any]:
    """The per-question verdicts added to each answer object in ``--out``."""
    return {
        "system": system,
        "gold_type": v.type,
        "correct": v.correct,
        "strict_correct": v.strict,
        "refused": v.refused,
        "evidence_rank": v.rank,
        "cited_holding": v.cited_holding,
        "grounded": v.grounded,
    }


def score(run: SystemRun) -> SystemRun:
    run.metrics = summarize(run.verdicts)
    run.by_type = breakdown(run.verdicts, "type")
    run.by_lang = breakdown(run.verdicts, "lang")
    run.by_doc = breakdown(run.verdicts, "doc")
    return run


def run_eval(
    service, items: list[GoldItem], systems: list[str], answerer: str | None = None, gold: str = "", log=None
) -> EvalResult:
    """Every selected system over every item, scored (the service is warmed up first)."""
    service.warm_up()
    runs = {}
    both = answerer == "both"  # the full pipeline with each answerer, side by side
    for name in systems:
        if log:
            log(f"{name}: {len(items)} questions")
        runs[name] = score(run_system(service, name, items, "extractive" if both else answerer, log))
        if both and name == "main":
            llm_run = score(run_system(service, "main", items, "llm", log))
            llm_run.name = "main[llm]"
            runs[llm_run.name] = llm_run
            if log:
                log(f"main[llm]: the checks replaced {llm_run.replaced} of {len(items)} LLM answers")
    labels = {d: f"{d} ({c})" if c else d for d, c in service.corpus.catalog.doc_city.items()}
    return EvalResult(gold, items, runs, labels)


# -- calibration ---------------------------------------------------------------------------------
def calibration_points(run: SystemRun) -> dict[str, list[Point]]:
    """Per answer language (zh / en), the points of a run made with refusal off."""
    points: dict[str, list[Point]] = {}
    for row, v in zip(run.rows, run.verdicts, strict=True):
        lang = "en" if row.get("lang") == "en" else "zh"
        correct = v.correct if v.answerable else False
        points.setdefault(lang, []).append(Point(float(row.get("confidence", 0.0)), v.answerable, correct,
                                                 not v.refused))
    return points


def calibrate(run: SystemRun, current: dict[str, float]) -> list[str]:
    """Lines reporting, per language, today's refusal threshold and the best one with their scores."""
    lines = ["refusal threshold sweep (score = answer accuracy on answerable + refusal accuracy on unanswerable):"]
    for lang, points in sorted(calibration_points(run).items()):
        best, top = best_threshold(points)
        ans = sum(p.answerable for p in points)
        lines.append(f"  {lang}: {ans} answerable + {len(points) - ans} unanswerable questions")
        now = current.get(lang)
        if now is not None:
            lines.append(f"    current {now:.3f}: {_parts(points, now)}")
        if now is not None and threshold_score(points, now) >= top - 1e-9:
            lines.append("    the current threshold is already among the best")
        else:
            lines.append(f"    best    {best:.3f}: {_parts(points, best)}  <- suggested")
    return lines


def _parts(points: list[Point], threshold: float) -> str:
    ans = [p for p in points if p.answerable]
    una = [p for p in points if not p.answerable]
    acc = sum(p.found and p.correct and p.confidence >= threshold for p in ans)
    ref = sum(not p.found or p.confidence < threshold for p in una)
    return (f"score {threshold_score(points, threshold):.3f} (answered right {acc}/{len(ans)}, "
            f"refused {ref}/{len(una)})")


# -- output --------------------------------------------------------------------------------------
def _fmt(value: Any, ms: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if ms else f"{value:.3f}"


SHORT = {
    "answer_accuracy": "acc", "strict_accuracy": "strict", "refusal_accuracy": "refuse", "false_refusal_rate":
    "false_ref", "hit@1": "hit@1", "hit@5": "hit@5", "mrr": "mrr", "citation_precision": "cite_prec",
    "grounding_rate": "grounded", "latency_p50_ms": "p50_ms", "latency_p95_ms": "p95_ms",
}


def table(rows: dict[str, dict[str, Any]], first: str = "system") -> str:
    """A compact fixed-width table of metrics, one row per key."""
    width = max([len(first), *(len(k) for k in rows)])
    head = f"{first:<{width}} {'n':>4} " + " ".join(f"{SHORT[m]:>9}" for m in METRICS)
    lines = [head]
    for key, m in rows.items():
        cells = " ".join(f"{_fmt(m.get(name), name.endswith('_ms')):>9}" for name in METRICS)
        lines.append(f"{key:<{width}} {m.get('n', 0):>4} {cells}")
    return "\n".join(lines)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(args: argparse.Namespace, service=None) -> int:
    """Entry point of ``fulian-qa eval`` (``service`` may be passed in, e.g. by tests)."""

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        floors = parse_limits(args.fail_under or [])
        ceilings = parse_limits(getattr(args, "fail_over", None) or [])
        systems = baselines.select(args.systems)
        items = load_gold(args.gold)
    except (ValueError, OSError) as exc:
        log(f"error: {exc}")
        return 2
    if getattr(args, "limit", None):
        items = items[: args.limit]
    if MAIN not in systems:
        systems.insert(0, MAIN)
    if getattr(args, "calibrate", False) and "no-refusal" not in systems:
        systems.append("no-refusal")
    if service is None:
        from core.settings import get_settings
        from qa.system import System

        service = System.from_settings(get_settings()).service
    if not service.corpus.snapshot.chunks:
        log("error: the index is empty; run `fulian-qa index` first")
        return 2

    result = run_eval(service, items, systems, args.answerer, str(args.gold), log)
    main_run = result.runs[MAIN]
    print(f"gold: {args.gold} ({len(items)} questions)")
    print(table({name: run.metrics for name, run in result.runs.items()}))
    print()
    print(table(main_run.by_type, "main by type"))
    if args.out:
        write_jsonl(args.out, main_run.rows)
        print(f"answers: {args.out}")
    if args.report:
        from eval.report import write_report

        paths = write_report(result, args.report)
        print("report: " + ", ".join(str(p) for p in paths))
    if getattr(args, "calibrate", False):
        current = {"zh": service.extractive.thresholds.zh, "en": service.extractive.thresholds.en}
        print("\n".join(calibrate(result.runs["no-refusal"], current)))
    failures = check_limits(main_run.metrics, floors, ceilings)
    for msg in failures:
        print(f"FAIL: {msg}", file=sys.stderr)
    return 1 if failures else 0

