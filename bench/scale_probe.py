"""The scale benchmark's child processes: index an archive, or start an app server and ask it questions.

``python bench/scale_probe.py index --archive DIR --vectors DIR --out FILE`` indexes a synthetic archive
through the product's ``Indexer`` with ``bench.scale_vectors.CachedEmbedder``; ``... ask --questions FILE
--out FILE`` times ``System.from_settings`` to ready (warmed up) in this fresh process, then asks each
question through ``QAService.ask`` and keeps the answer's own timings. The store, model and data dir come
from the ``FQA_*`` environment the parent sets, as for any app server. Each writes one JSON object to
``--out``. Leaves out: building archives and reporting (``bench/scale.py``).
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def index(archive: Path, vectors: Path, budget: float = 0.0) -> dict[str, Any]:
    """Index ``archive`` with cached sentence vectors (the seed reports first); counts, time and the cache misses
    encoded. ``budget``: stop starting new reports after that many seconds (0: index them all)."""
    from bench.scale_archive import CITIES
    from bench.scale_vectors import CachedEmbedder, Keys, SentenceCache
    from core.settings import Settings
    from core.types import IndexOutcome
    from index.embed import get_embedder
    from index.indexer import Indexer
    from index.load import ReportError, named_reports, read_report

    settings = Settings()
    real = get_embedder(settings.embed_model, settings.models_dir)
    cache = SentenceCache(vectors, Keys(CITIES)).load()
    embedder = CachedEmbedder(real, cache)
    indexer = Indexer.from_settings(settings, embedder)
    files = sorted(named_reports([archive]), key=lambda f: (not f[1].startswith("seed/"), f[1]))
    start, cpu = time.perf_counter(), time.process_time()
    outcomes: list[IndexOutcome] = []
    for path, name in files:
        if budget and time.perf_counter() - start > budget:
            break
        try:
            outcomes.append(indexer.index_report(read_report(path, name, indexer.max_unpacked)))
        except ReportError as exc:
            outcomes.append(IndexOutcome(doc=name, status="error", message=str(exc)))
        if len(outcomes) % max(1, len(files) // 20) == 0:
            print(f"{len(outcomes)}/{len(files)} reports, {sum(o.chunks for o in outcomes)} passages, "
                  f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    if cache.added:
        cache.save()
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "reports": len(outcomes),
        "partial": len(outcomes) < len(files),
        "statuses": dict(Counter(o.status for o in outcomes)),
        "errors": [f"{o.doc}: {o.message}" for o in outcomes if o.status == "error"][:5],
        "passages": sum(o.chunks for o in outcomes),
        "added": sum(o.added for o in outcomes),
        "encoded_passages": embedder.passages,
        "cache_misses_encoded": cache.added,
        "peak_rss_mb": peak_rss_mb(),
    }


def ask(questions: list[str]) -> dict[str, Any]:
    """Start-up to ready, then every question once: latency and the answer's per-stage timings."""
    from core.settings import Settings
    from qa.system import System

    imported, cpu_imported = time.perf_counter(), time.process_time()
    system = System.from_settings(Settings())
    built = time.perf_counter()
    system.service.warm_up()
    ready, cpu_ready = time.perf_counter(), time.process_time()
    rss_ready = peak_rss_mb()
    answers: list[dict[str, Any]] = []
    errors: list[str] = []
    for q in questions:
        cpu = time.process_time()
        try:
            ans = system.service.ask(q, answerer="extractive")
        except Exception as exc:  # recorded, and the parent fails the run
            errors.append(f"{q}: {type(exc).__name__}: {exc}")
            continue
        cpu_ms = (time.process_time() - cpu) * 1000
        answers.append({"latency_ms": ans.latency_ms, "cpu_ms": cpu_ms, "timings_ms": ans.timings_ms,
                        "found": ans.found})
    return {
        "import_s": imported - T0,
        "from_settings_s": built - imported,
        "warm_up_s": ready - built,
        "startup_s": ready - imported,
        "startup_cpu_s": cpu_ready - cpu_imported,
        "process_to_ready_s": ready - T0,
        "rss_ready_mb": rss_ready,
        "peak_rss_mb": peak_rss_mb(),
        "answers": answers,
        "errors": errors[:10],
        "error_count": len(errors),
        "reports_listed": len(system.reports.documents()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="mode", required=True)
    p_index = sub.add_parser("index")
    p_index.add_argument("--archive", type=Path, required=True)
    p_index.add_argument("--vectors", type=Path, required=True)
    p_index.add_argument("--budget", type=float, default=0.0, help="seconds after which no new report is started")
    p_ask = sub.add_parser("ask")
    p_ask.add_argument("--questions", type=Path, required=True, help="a JSON list of questions")
    for p in (p_index, p_ask):
        p.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.mode == "index":
        result = index(args.archive, args.vectors, args.budget)
    else:
        result = ask(json.loads(args.questions.read_text(encoding="utf-8")))
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no interpreter teardown under the native threads still running (the store's, the sync timer)


if __name__ == "__main__":
    sys.exit(main())
