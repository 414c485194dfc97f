"""Load benchmark: ``fulian-qa serve`` under 1/10/20/50/100 concurrent clients (locust, headless).

Usage: ``python bench/load.py [--seconds 30] [--models DIR] [--out bench/load.md]``. Indexes seeds/ into a
temporary data dir (a local store), starts the server there, and for each client count runs locust headless
for ``--seconds``, then writes throughput, the p50/p95/p99 latency of admitted (200) requests, the shed rate
(503 with ``Retry-After``), other errors and the server's peak RSS, with the machine's load averages before
and after (locust and whatever else runs share the cores). Prints and writes figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import psutil
from harness import BIN, ROOT, SEEDS, data_dir, free_port, index, loadavg, serve, stop

sys.path.insert(0, str(ROOT))
from core.stats import percentile  # noqa: E402

CLIENTS = (1, 10, 20, 50, 100)


def peak_rss(pid: int, stop: threading.Event, out: list[float]) -> None:
    proc = psutil.Process(pid)
    while not stop.is_set():
        out.append(proc.memory_info().rss / 1e6)
        stop.wait(0.5)


def run_level(url: str, clients: int, seconds: int, pid: int, work: Path) -> dict:
    log = work / f"load-{clients}.jsonl"
    env = {**os.environ, "FQA_LOAD_LOG": str(log)}
    stop, rss = threading.Event(), list[float]()
    sampler = threading.Thread(target=peak_rss, args=(pid, stop, rss))
    sampler.start()
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(clients),
            "-r",
            str(clients),
            "-t",
            f"{seconds}s",
            "-H",
            url,
            "--only-summary",
            "--stop-timeout",
            "10",
        ],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stop.set()
    sampler.join()
    rows = [json.loads(line) for line in log.read_text().splitlines() if line]
    ok = [r["ms"] for r in rows if r["status"] == 200]
    shed = sum(r["status"] == 503 for r in rows)
    return {
        "clients": clients,
        "requests": len(rows),
        "answered": len(ok),
        "rps": len(ok) / seconds,
        "p50": percentile(ok, 50) if ok else 0.0,
        "p95": percentile(ok, 95) if ok else 0.0,
        "p99": percentile(ok, 99) if ok else 0.0,
        "shed": shed / max(1, len(rows)),
        "errors": len(rows) - len(ok) - shed,
        "rss": max(rss) if rss else 0.0,
    }


def table(results: list[dict], seconds: int, inflight: str, load: tuple[str, str]) -> str:
    head = (
        f"# Load\n\nMachine: {platform.machine()}, CPython {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average (1/5/15 min) {load[0]} before and {load[1]} after; FQA_MAX_INFLIGHT={inflight}; "
        f"{seconds} s per level; clients ask gold questions back to back (`python bench/load.py`, locust "
        "headless, on the same cores).\n\n"
        "| clients | requests | answered/s | p50 ms (answered) | p95 ms | p99 ms | shed (503) | other errors "
        "| server peak RSS MB |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r['clients']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
        f"| {r['shed']:.0%} | {r['errors']} | {r['rss']:.0f} |"
        for r in results
    ]
    return head + "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--clients", default=",".join(map(str, CLIENTS)))
    parser.add_argument(
        "--models",
        type=Path,
        default=ROOT / "data" / "models",
        help="folder holding (or to receive) the converted embedding model",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "load.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fqa-load-"))
    env = {**os.environ, "FQA_DATA_DIR": str(data_dir(work, args.models))}
    env.pop("FQA_CHROMA_HOST", None)
    index([SEEDS], env)
    port = free_port()
    server = serve(env, port, work / "app.log")
    before = loadavg()
    try:
        results = []
        for clients in (int(c) for c in args.clients.split(",")):
            results.append(run_level(f"http://127.0.0.1:{port}", clients, args.seconds, server.pid, work))
            print(json.dumps(results[-1]), flush=True)
        after = loadavg()
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)
    text = table(results, args.seconds, os.environ.get("FQA_MAX_INFLIGHT", "2"), (before, after))
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
