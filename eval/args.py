"""Command-line options of ``fulian-qa eval`` (kept apart so the CLI parser stays light)."""

from __future__ import annotations

import argparse
from pathlib import Path

GOLD = Path(__file__).resolve().parent / "gold.jsonl"


def add_eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gold", type=Path, default=GOLD, help="gold JSONL file (default: eval/gold.jsonl)")
    p.add_argument("--out", type=Path, help="write one answer object + verdicts per question (JSONL, main system)")
    p.add_argument("--report", type=Path, help="folder for report.md, metrics.png, metrics.json and answers/")
    p.add_argument(
        "--fail-under", nargs="*", default=[], metavar="METRIC=VALUE",
        help="exit 1 below these floors ('default': the CI floors in eval/registry.py)",
    )
    p.add_argument(
        "--fail-over", nargs="*", default=[], metavar="METRIC=VALUE",
        help="exit 1 above these ceilings, e.g. false_refusal_rate, latency_p95_ms ('default': the CI ceilings)",
    )
    p.add_argument("--systems", default="all", help="comma list of systems to run, or 'all' / 'main'")
    p.add_argument("--answerer", default=None, help="extractive | llm | both (default: settings)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N gold questions")
    p.add_argument(
        "--calibrate", action="store_true", help="also sweep the refusal threshold (zh/en) and print the best one"
    )
