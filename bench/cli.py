"""Wall time of ``fulian-qa`` commands run as a user runs them: one subprocess per run, warm disk cache.

Times ``--help``, ``--version``, a usage error (``ask ""``), ``list`` and one-shot questions in Chinese and
English against an index of the seed reports, several runs each (one untimed run first warms the disk cache),
prints median and max, and writes ``bench/cli.md`` with the machine, the date and the load average.
Leaves out: building the index (``fulian-qa index seeds`` into ``FQA_DATA_DIR`` first) and answers' quality.

    FQA_DATA_DIR=/tmp/d fulian-qa index seeds && FQA_DATA_DIR=/tmp/d python bench/cli.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# as on a user's machine, the first (untimed) run leaves compiled modules behind for the next ones
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SCRIPT = str(Path(sys.executable).parent / "fulian-qa")
CASES: list[tuple[list[str], int]] = [  # (arguments, expected exit code)
    (["--help"], 0),
    (["--version"], 0),
    (["ask", ""], 2),  # a usage error
    (["list"], 0),
    (["ask", "天水培训了多少陇原巧手"], 0),
    (["ask", "How many women were trained as Longyuan Qiaoshou in Tianshui?"], 0),
]


# One question's path, step by step in one process: (CPU s, wall s) per step, printed as JSON lines.
STAGES = """
import json, sys, time
clock = [time.process_time(), time.perf_counter()]
def step(name):
    now = [time.process_time(), time.perf_counter()]
    print(json.dumps([name, now[0] - clock[0], now[1] - clock[1]]), flush=True)
    clock[:] = now
import numpy, pydantic_settings; step("import numpy, pydantic")
from core.settings import get_settings
settings = get_settings().model_copy(update={"sync_interval": 0.0})
from index.embed import get_embedder
embedder = get_embedder(settings.embed_model, settings.models_dir, settings.encoder)
step("find the ONNX build (stamp of its checked files)")
embedder.warm_up(); step("open the ONNX session, encode once")
import chromadb; step("import chromadb")
import langchain_core.runnables, langchain_core.retrievers; step("import langchain_core")
from core.text import jieba
jieba().initialize(); step("jieba dictionary and part-of-speech table")
from qa.system import System; step("import the rest of qa")
system = System.from_settings(settings, embedder=embedder); step("open the store and the lexical index")
system.service.ask(sys.argv[1]); step("first question")
system.service.ask(sys.argv[1]); step("the same question again")
"""

NOTES = """What is cached between runs: the model check compares a stamp of the verified files instead of hashing
them (`index.modelcheck`); a question is tokenised with a per-text Unigram model of its own pieces, read key by key
from `tokenizer.pieces.sqlite` beside the ONNX build (`index.piece_tokenizer`: the full 250k-piece tokenizer, ~1 s to
build, is only built for passages); jieba's prefix dictionary and tag table are read key by key from SQLite copies
under `<data dir>/cache` (`core.disktable`) instead of ~0.7 s of tables loaded whole. The console script opens the
encoder's session in a thread beside its imports (the step table above runs the steps one after another); the
English-to-Chinese dictionary is a SQLite table under `<data dir>/cache` read key by key (`qa.bilingual`), built
when reports are indexed. An English question also reads its candidate sentences' stored vectors from the store
(a Chinese one is scored on its words alone). Left: the imports of chromadb (`index.store`) and of
`langchain_core.runnables` (`qa.chain`, whose tracers load langsmith's type models) — the two largest steps above.
Timings move with other work on the machine: with two other processes busy on its two cores a one-shot question
took 3.1–3.4 s.
"""


def stages(question: str) -> list[tuple[str, float, float]]:
    """(step, CPU s, wall s) of one question's path, each step after the one before, in one process."""
    proc = subprocess.run([sys.executable, "-c", STAGES, question], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=True, env=ENV)
    return [tuple(json.loads(ln)) for ln in proc.stdout.splitlines() if ln.startswith("[")]


def once(args: list[str], code: int) -> float:
    """Seconds of one run of the console script (fails when it exits with another code)."""
    start = time.perf_counter()
    proc = subprocess.run([SCRIPT, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, env=ENV)
    took = time.perf_counter() - start
    if proc.returncode != code:
        raise SystemExit(f"fulian-qa {' '.join(args)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return took


def machine() -> str:
    """CPU model and count, memory, OS and Python."""
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
         if ln.startswith("model name")), platform.processor() or "?",
    )
    mem = next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
    return (f"{cpu}, {os.cpu_count()} cores, {int(mem) / 1024 / 1024:.1f} GB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "cli.md")
    args = parser.parse_args()
    if "FQA_DATA_DIR" not in os.environ:
        raise SystemExit("set FQA_DATA_DIR to a data dir holding the seed reports' index (fulian-qa index seeds)")
    load_before = os.getloadavg()
    rows = []
    for argv, code in CASES:
        label = shlex.join(["fulian-qa", *argv])
        once(argv, code)  # warms the disk cache
        times = [once(argv, code) for _ in range(args.runs)]
        rows.append((label, statistics.median(times), max(times)))
        print(f"{label:72} median {rows[-1][1]:6.2f} s  max {rows[-1][2]:6.2f} s", flush=True)
    steps = stages(CASES[4][0][1])
    for name, cpu, wall in steps:
        print(f"{name:50} CPU {cpu:6.2f} s  wall {wall:6.2f} s", flush=True)
    load_after = os.getloadavg()
    encoder = os.environ.get("FQA_ENCODER", "onnx")
    lines = [
        "# `fulian-qa` command times",
        "",
        "Wall time of the console script run as a subprocess, warm disk cache, one process per run "
        f"({args.runs} timed runs after one untimed), against an index of the five seed reports "
        f"(encoder `{encoder}`). Made by `python bench/cli.py`.",
        "",
        f"- machine: {machine()}",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "- compiled modules kept between runs, as on a user's machine (`PYTHONDONTWRITEBYTECODE` is dropped for "
        "the runs)",
        f"- load average (1/5/15 min) before: {' / '.join(f'{x:.2f}' for x in load_before)}; after: "
        f"{' / '.join(f'{x:.2f}' for x in load_after)}",
        "",
        "| command | median (s) | max (s) |",
        "|---|---|---|",
        *[f"| `{label}` | {med:.2f} | {mx:.2f} |" for label, med, mx in rows],
        "",
        "## Where a one-shot question's time goes",
        "",
        "The steps of the Chinese question's path one after another in one process (the console script opens "
        "the encoder's session in a thread beside its imports instead). CPU time is the process's, all threads.",
        "",
        "| step | CPU (s) | wall (s) |",
        "|---|---|---|",
        *[f"| {name} | {cpu:.2f} | {wall:.2f} |" for name, cpu, wall in steps],
        f"| total | {sum(c for _, c, _ in steps):.2f} | {sum(w for _, _, w in steps):.2f} |",
        "",
        NOTES,
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
