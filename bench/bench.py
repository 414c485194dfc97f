"""Benchmark: indexing throughput against the raw encoder, query latency per stage, peak memory.

Usage: ``python bench/bench.py [--out bench/results.md]``. Indexes seeds/ into a fresh temporary
store, times the encoder alone on the same passages, then asks every question of eval/gold.jsonl and
eval/holdout.jsonl after a warm-up and prints p50/p95 overall and per stage. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import data_dir  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.stats import percentile  # noqa: E402


def pct(values: list[float], q: float) -> float:
    return percentile(values, q * 100)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--models", type=Path, default=ROOT / "artifacts" / "models", help="converted models, shared")
    args = parser.parse_args()

    from core.types import ChunkMeta
    from index.chunk import chunk_report
    from index.indexer import Indexer, embed_text
    from index.load import find_reports, read_report
    from qa.system import System

    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=data_dir(Path(tmp), args.models))
        t = time.perf_counter()
        indexer = Indexer.from_settings(settings)
        embedder = indexer.embedder
        embedder.warm_up()
        load_s = time.perf_counter() - t

        reports = [read_report(p) for p in find_reports([ROOT / "seeds"])]
        passages = [
            embed_text(ChunkMeta(c.doc, section=c.section_path), c.text)
            for r in reports
            for c in chunk_report(r.name, r.text, "x", settings.chunk_size, settings.chunk_overlap)
        ]
        t = time.perf_counter()
        embedder.encode_passages(passages)
        raw_s = time.perf_counter() - t

        t = time.perf_counter()
        outcomes = indexer.index_paths([ROOT / "seeds"])
        index_s = time.perf_counter() - t
        chunks = sum(o.chunks for o in outcomes)

        service = System.from_settings(settings, embedder=embedder, store=indexer.store).service
        items = [
            json.loads(line)
            for name in ("gold.jsonl", "holdout.jsonl")
            for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        questions = [item["question"] for item in items]
        for q in questions[:10]:
            service.ask(q)  # warm-up
        total: list[float] = []
        by_lang: dict[str, list[float]] = {}
        stages: dict[str, list[float]] = {}
        for item in items:
            ans = service.ask(item["question"])
            total.append(ans.latency_ms)
            by_lang.setdefault(item.get("lang", "?"), []).append(ans.latency_ms)
            for stage, ms in ans.timings_ms.items():
                stages.setdefault(stage, []).append(ms)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = [
        "# Benchmark",
        "",
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"CPU cores: {os.cpu_count()}; load average at the start {load_start:.1f}, at the end "
        f"{os.getloadavg()[0]:.1f}; encoder: {settings.encoder}; "
        f"model: {settings.embed_model}; date: {time.strftime('%Y-%m-%d')}",
        "",
        "| indexing | value |",
        "|---|---|",
        f"| model load + warm-up | {load_s:.1f} s |",
        f"| reports / chunks | {len(outcomes)} / {chunks} |",
        f"| index time (read, chunk, embed, store) | {index_s:.1f} s |",
        f"| indexing throughput | {chunks / index_s:.1f} passages/s |",
        f"| encoder alone on the same passages | {len(passages) / raw_s:.1f} passages/s |",
        "",
        f"Query latency over {len(total)} questions after a warm-up of 10 (milliseconds):",
        "",
        "| stage | p50 | p95 | mean |",
        "|---|---|---|---|",
        f"| **total** | {pct(total, .5):.1f} | {pct(total, .95):.1f} | {statistics.mean(total):.1f} |",
    ]
    for stage, values in stages.items():
        lines.append(f"| {stage} | {pct(values, .5):.1f} | {pct(values, .95):.1f} | {statistics.mean(values):.1f} |")
    lines += [
        "",
        "By the question's language (milliseconds):",
        "",
        "| language | questions | p50 | p95 | max |",
        "|---|---|---|---|---|",
    ]
    for lang, values in sorted(by_lang.items()):
        lines.append(
            f"| {lang} | {len(values)} | {pct(values, .5):.1f} | {pct(values, .95):.1f} | {max(values):.1f} |"
        )
    zh = [v for lang, values in by_lang.items() if lang.startswith("zh") for v in values]
    en = by_lang.get("en", [])
    if zh and en:
        lines += [
            "",
            f"English against Chinese: p50 {pct(en, .5) / pct(zh, .5):.2f}×, p95 {pct(en, .95) / pct(zh, .95):.2f}×, "
            f"slowest {max(en) / max(zh):.2f}×.",
        ]
    lines += ["", f"Peak RSS: {peak_mb:.0f} MB", ""]
    report = "\n".join(lines)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
