"""``fulian-qa eval``: run a gold set through each system, score it, print, write, gate.

Loads any gold JSONL of the documented schema, runs every question through each selected system (see
``eval.baselines``), scores the answers with ``eval.metrics``, prints a systems × metrics table, writes
the main system's answers + verdicts (``--out``) and the report (``--report``), applies
``--fail-under``/``--fail-over`` to the main system (``eval.limits``), and with ``--calibrate`` sweeps the
refusal threshold (``eval.calibrate``). Exit codes: 0 ok, 1 a floor/ceiling not met, 2 bad input. Leaves
out: report layout (``eval.report``), metric definitions (``eval.metrics``, ``eval.registry``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval import baselines
from eval.calibrate import calibrate
from eval.jsonl import read_jsonl, write_jsonl
from eval.limits import check_limits, parse_limits
from eval.metrics import GoldItem, Passage, Verdict, breakdown, gold_from_dict, judge, summarize
from eval.registry import METRICS
from eval.result import MAIN, EvalResult, SystemRun

Log = Callable[[str], None]


def load_gold(path: Path) -> list[GoldItem]:
    """Gold items from a JSONL file (raises ValueError with the line number on bad input)."""
    items = [gold_from_dict(row, line_no) for line_no, row in read_jsonl(path)]
    if not items:
        raise ValueError(f"{path}: no gold items")
    ids = [i.id for i in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{path}: duplicate ids {', '.join(dupes[:5])}")
    return items


def passages_of(ans: dict[str, Any], chunks: dict[str, Any]) -> list[Passage]:
    """The retrieved passages of an answer, in rank order, with their texts looked up by chunk id."""
    out = []
    for r in ans.get("retrieved", []):
        chunk = chunks.get(r.get("chunk_id"))
        if chunk is not None:
            out.append(Passage(chunk.meta.doc or r.get("doc", ""), chunk.text))
    return out


def run_system(
    service: Any, name: str, items: list[GoldItem], answerer: str | None = None, log: Log | None = None
) -> SystemRun:
    """Ask every gold question through one system and score each answer."""
    from qa.plan import QuestionError

    ask = baselines.make_system(name, service, answerer)
    chunks = {c.id: c for c in service.corpus.all_chunks()}
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
    """The run with its metrics overall and by type, language and report filled in."""
    run.metrics = summarize(run.verdicts)
    run.by_type = breakdown(run.verdicts, "type")
    run.by_lang = breakdown(run.verdicts, "lang")
    run.by_doc = breakdown(run.verdicts, "doc")
    run.by_class = breakdown([v for v in run.verdicts if v.klass], "klass")
    return run


def run_eval(
    service: Any,
    items: list[GoldItem],
    systems: list[str],
    answerer: str | None = None,
    gold: str = "",
    log: Log | None = None,
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


# -- output --------------------------------------------------------------------------------------
def table(rows: dict[str, dict[str, Any]], first: str = "system") -> str:
    """A compact fixed-width table of every registry metric, one row per key."""
    width = max([len(first), *(len(k) for k in rows)])
    head = f"{first:<{width}} {'n':>4} " + " ".join(f"{m.short:>9}" for m in METRICS)
    lines = [head]
    for key, values in rows.items():
        cells = " ".join(f"{m.format(values.get(m.name)):>9}" for m in METRICS)
        lines.append(f"{key:<{width}} {values.get('n', 0):>4} {cells}")
    return "\n".join(lines)


def _systems(args: argparse.Namespace) -> list[str]:
    """The systems to run: the selection, with ``main`` first and ``no-refusal`` when calibrating."""
    systems = baselines.select(args.systems)
    if MAIN not in systems:
        systems.insert(0, MAIN)
    if getattr(args, "calibrate", False) and "no-refusal" not in systems:
        systems.append("no-refusal")
    return systems


def _print_and_write(args: argparse.Namespace, result: EvalResult, service: Any) -> None:
    """The stdout tables, ``--out``, ``--report`` and the ``--calibrate`` sweep."""
    main_run = result.runs[MAIN]
    print(f"gold: {args.gold} ({len(result.items)} questions)")
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


def main(args: argparse.Namespace, service: Any = None) -> int:
    """Entry point of ``fulian-qa eval`` (``service`` may be passed in, e.g. by tests)."""

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    try:
        floors = parse_limits(args.fail_under or [], "higher")
        ceilings = parse_limits(getattr(args, "fail_over", None) or [], "lower")
        systems = _systems(args)
        items = load_gold(args.gold)
    except (ValueError, OSError) as exc:
        log(f"error: {exc}")
        return 2
    if getattr(args, "limit", None):
        items = items[: args.limit]
    if service is None:
        from core.settings import get_settings
        from qa.system import System

        service = System.from_settings(get_settings()).service
    if service.corpus.empty:
        log("error: the index is empty; run `fulian-qa index` first")
        return 2
    result = run_eval(service, items, systems, args.answerer, str(args.gold), log)
    _print_and_write(args, result, service)
    failures = check_limits(result.runs[MAIN].metrics, floors, ceilings)
    for msg in failures:
        print(f"FAIL: {msg}", file=sys.stderr)
    return 1 if failures else 0
