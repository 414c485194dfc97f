"""Encoder comparison: the ONNX fp32 and int8 builds of multilingual-e5-small on the gold set, speed and size.

Usage: ``python bench/encoders.py [--work DIR] [--models DIR] [--gold eval/gold.jsonl]`` (writes
``bench/encoders.md``). For each of ``FQA_ENCODER=onnx`` and ``onnx-int8``, in a data dir of its own whose
``models/`` links the converted model and the fp32 build from ``--models`` (the int8 build is made there when
missing): a child process loads the encoder, times the raw encoding of every seed passage (the text the indexer
embeds) and of the gold questions, then indexes the seed reports into a fresh store through the product's
``Indexer`` (passages, evidence sentences, store); then ``fulian-qa eval --gold GOLD --systems main`` runs over
that store with the same encoder. Prints and writes figures; the verdict follows the rule that int8 may be the
default only if its hit@5 and answer accuracy are within 0.01 of fp32's.
Leaves out: the torch encoder (its vectors are fp32's) and GPU providers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENCODERS = ("onnx", "onnx-int8")
TOLERANCE = 0.01  # int8 may be the default when hit@5 and accuracy are this close to fp32's
METRICS = ("hit@5", "answer_accuracy", "hit@1", "mrr", "strict_accuracy", "false_refusal_rate", "latency_p50_ms",
           "latency_p95_ms")
ROUNDS = 3  # raw encoding is timed this many times; the fastest round counts (others share the machine)


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def precision(encoder: str) -> str:
    return "int8" if encoder == "onnx-int8" else "fp32"


def data_dir(work: Path, encoder: str, models: Path) -> Path:
    """``work/<encoder>`` without a store, its ``models/`` holding links to the shared conversion and fp32 build."""
    from index.e5convert import MODEL_DIRNAME
    from index.onnx_export import folder_name

    data = work / encoder
    if data.exists():
        for child in data.iterdir():
            if child.name != "models":
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    own = data / "models"
    own.mkdir(parents=True, exist_ok=True)
    for name in (MODEL_DIRNAME, folder_name("fp32")):
        link = own / name
        if (models / name).exists() and not link.exists():
            link.symlink_to((models / name).resolve(), target_is_directory=True)
    return data


def disk_mb(folder: Path) -> float:
    """Bytes of the files in a build folder (links followed), in MB."""
    return sum(p.stat().st_size for p in folder.resolve().rglob("*") if p.is_file()) / 1e6


def seed_passages() -> list[str]:
    """What the indexer embeds for every passage of the seed reports."""
    from core.settings import Settings
    from core.types import ChunkMeta
    from index.chunk import chunk_report
    from index.indexer import embed_text
    from index.load import named_reports, read_report
    from index.meta import detect_city, detect_year

    settings = Settings()
    texts = []
    for path, name in named_reports([ROOT / "seeds"]):
        report = read_report(path, name)
        city, year = detect_city(report.text), detect_year(report.text)
        for c in chunk_report(name, report.text, "x", settings.chunk_size, settings.chunk_overlap):
            texts.append(embed_text(ChunkMeta(c.doc, city, year, c.section_path), c.text))
    return texts


def timed(fn: Any, rounds: int) -> tuple[float, float]:
    """(fastest wall seconds, its CPU seconds) of ``rounds`` calls of ``fn``."""
    best = (float("inf"), 0.0)
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def probe(gold: Path) -> dict[str, Any]:
    """In a child process (the FQA_* environment set): load the encoder, time raw encoding, index the seeds."""
    from core.settings import Settings
    from index.embed import get_embedder
    from index.indexer import Indexer
    from index.onnx_export import folder_name

    settings = Settings()
    t = time.perf_counter()
    embedder = get_embedder(settings.embed_model, settings.models_dir, settings.encoder)
    embedder.warm_up()
    load_s = time.perf_counter() - t
    passages = seed_passages()
    questions = [json.loads(line)["question"] for line in gold.read_text(encoding="utf-8").splitlines() if line]
    embedder.encode_passages(passages[:16])  # first-call costs out of the timing
    p_wall, p_cpu = timed(lambda: embedder.encode_passages(passages), ROUNDS)
    q_wall, q_cpu = timed(lambda: [embedder.encode_queries([q]) for q in questions], ROUNDS)
    indexer = Indexer.from_settings(settings, embedder)
    wall, cpu = time.perf_counter(), time.process_time()
    outcomes = indexer.index_paths([ROOT / "seeds"])
    index_wall, index_cpu = time.perf_counter() - wall, time.process_time() - cpu
    indexed = sum(o.chunks for o in outcomes)
    if any(o.status != "indexed" for o in outcomes):
        raise RuntimeError(f"seed indexing: {[(o.doc, o.status, o.message) for o in outcomes]}")
    return {
        "store_name": embedder.name,
        "model_mb": disk_mb(settings.models_dir / folder_name(precision(settings.encoder))),
        "load_s": load_s,
        "passages": len(passages),
        "raw_passages_per_s": len(passages) / p_wall,
        "raw_passages_per_cpu_s": len(passages) / p_cpu,
        "questions": len(questions),
        "query_ms": 1000 * q_wall / len(questions),
        "query_cpu_ms": 1000 * q_cpu / len(questions),
        "indexed_passages": indexed,
        "index_s": index_wall,
        "index_passages_per_s": indexed / index_wall,
        "index_passages_per_cpu_s": indexed / index_cpu,
    }


def measure(encoder: str, work: Path, models: Path, gold: Path) -> dict[str, Any]:
    """Probe and eval one encoder in its own data dir."""
    data = data_dir(work, encoder, models)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FQA_")}
    env |= {"FQA_DATA_DIR": str(data), "FQA_ENCODER": encoder, "FQA_ANSWERER": "extractive"}
    print(f"[{encoder}] encoder and seed indexing ...", flush=True)
    out = subprocess.run([sys.executable, __file__, "--probe", "--gold", str(gold)], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{encoder} probe failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"[{encoder}] {result}", flush=True)
    print(f"[{encoder}] eval ...", flush=True)
    report = data / "eval"
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "fulian_qa", "eval", "--gold", str(gold), "--systems", "main",
                           "--report", str(report)], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{encoder} eval failed:\n{done.stderr[-3000:]}")
    metrics = json.loads((report / "metrics.json").read_text(encoding="utf-8"))["systems"]["main"]["metrics"]
    result |= {"encoder": encoder, "eval_s": time.perf_counter() - t, "metrics": metrics}
    print(f"[{encoder}] {', '.join(f'{m} {metrics[m]:.4f}' for m in METRICS)}", flush=True)
    return result


def git_state() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.rstrip()

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "core", "index", "qa", "eval").splitlines()]
    return f"`{git('rev-parse', '--short', 'HEAD')}`" + (
        f" with uncommitted changes to {', '.join(dirty)}" if dirty else ""
    )


def verdict(fp32: dict[str, Any], int8: dict[str, Any]) -> tuple[bool, str]:
    """Whether int8 passes the rule, and the sentence that says so."""
    gaps = {m: int8["metrics"][m] - fp32["metrics"][m] for m in ("hit@5", "answer_accuracy")}
    ok = all(g >= -TOLERANCE for g in gaps.values())
    said = "; ".join(f"{m} {g:+.4f}" for m, g in gaps.items())
    return ok, f"int8 − fp32: {said} — {'within' if ok else 'not within'} {TOLERANCE} of fp32"


def report(run: dict[str, Any]) -> str:
    """The markdown report of one comparison run."""
    from core.settings import DEFAULT_ENCODER

    fp32, int8 = (run["results"][e] for e in ENCODERS)
    ok, said = verdict(fp32, int8)
    cols = " | ".join(f"`{e}` ({precision(e)})" for e in ENCODERS)
    rows = [
        ("model on disk", lambda r: f"{r['model_mb']:.0f} MB"),
        ("vectors stored as", lambda r: f"`{r['store_name']}`"),
        ("load (session open, first batch)", lambda r: f"{r['load_s']:.1f} s"),
        ("raw encoding, seed passages", lambda r: f"{r['raw_passages_per_s']:.1f} passages/s "
                                                  f"({r['raw_passages_per_cpu_s']:.1f} per CPU-s)"),
        ("one question's vector", lambda r: f"{r['query_ms']:.1f} ms (CPU {r['query_cpu_ms']:.1f} ms)"),
        ("indexing the seeds (passages + evidence sentences + store)",
         lambda r: f"{r['index_passages_per_s']:.1f} passages/s ({r['indexed_passages']} in {r['index_s']:.1f} s; "
                   f"{r['index_passages_per_cpu_s']:.1f} per CPU-s)"),
    ] + [(f"gold: {m}", lambda r, m=m: f"{r['metrics'][m]:.4f}" if "latency" not in m else
          f"{r['metrics'][m]:.0f}") for m in METRICS]
    lines = [
        "# Encoders: ONNX fp32 against int8",
        "",
        f"Date: {run['date']}; machine: {run['machine']}; load average (1/5/15 min) at the start {run['load_start']} "
        f"and at the end {run['load_end']} (the machine is shared: wall-time rates vary with it, CPU-time rates "
        f"less); code: {run['git']}. Gold set: `{run['gold']}` ({fp32['metrics']['n']} questions), "
        "`fulian-qa eval --gold … --systems main` with the extractive answerer, each encoder over its own index of "
        f"the seed reports. Raw encoding: the {fp32['passages']} seed passages as the indexer embeds them, one call, "
        f"batches of 16, fastest of {ROUNDS} rounds; a question's vector: every gold question alone, fastest of "
        f"{ROUNDS} rounds. Written by `python bench/encoders.py`.",
        "",
        f"| | {cols} |",
        "|---|---|---|",
        *(f"| {name} | {get(fp32)} | {get(int8)} |" for name, get in rows),
        "",
        "## Which is the default",
        "",
        f"The rule: int8 may be the default only if its hit@5 and answer accuracy are within {TOLERANCE} of fp32's. "
        f"Measured: {said}. ",
    ]
    speed = int8["raw_passages_per_cpu_s"] / fp32["raw_passages_per_cpu_s"]
    size = fp32["model_mb"] / int8["model_mb"]
    if ok:
        lines[-1] += (f"int8 passes; it encodes {speed:.1f}× as many passages per CPU-second and is {size:.1f}× "
                      "smaller. ")
    else:
        lines[-1] += (f"int8 fails the rule, although it encodes {speed:.1f}× as fast per CPU-second and is "
                      f"{size:.1f}× smaller. ")
    lines[-1] += (
        f"The default is `FQA_ENCODER={DEFAULT_ENCODER}`"
        + (" (fp32): its vectors are the torch model's own, so an index built with any of `onnx`/`torch` is "
           "queried with either, while int8 vectors are stored under their own name and need an index of their own."
           if DEFAULT_ENCODER == "onnx" else ".")
    )
    if ok and DEFAULT_ENCODER == "onnx":
        lines[-1] += (" int8 is allowed by the rule and is the choice for a machine short of memory or CPU (set "
                      "`FQA_ENCODER=onnx-int8` and re-index).")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / "artifacts" / "encoders", help="one data dir per encoder")
    parser.add_argument("--models", type=Path, default=ROOT / "data" / "models",
                        help="a models dir holding the converted model (and its fp32 build)")
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "encoders.md")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)  # the child's part
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the last run's JSON")
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(args.gold)))
        return 0
    saved = args.work / "last-run.json"
    if args.report_only:
        run = json.loads(saved.read_text(encoding="utf-8"))
    else:
        started = time.perf_counter()
        load_start = loadavg()
        gold = args.gold.resolve()
        results = {e: measure(e, args.work, args.models.resolve(), gold) for e in ENCODERS}
        run = {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}",
            "load_start": load_start,
            "load_end": loadavg(),
            "git": git_state(),
            "gold": str(gold.relative_to(ROOT)) if gold.is_relative_to(ROOT) else str(gold),
            "wall_s": time.perf_counter() - started,
            "results": results,
        }
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    text = report(run)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
