"""Load benchmark: ``fulian-qa serve`` under 1/10/20/50/100 concurrent clients (locust, headless).

Usage: ``python bench/load.py [--seconds 30] [--models DIR] [--ignore-retry-after] [--out bench/load.md]``.
Indexes seeds/ into a temporary data dir (a local store), starts the server there, and for each client count
runs locust headless for ``--seconds``, then writes throughput, the p50/p95/p99 latency of admitted (200)
requests and its ratio to the single-client p95, the shed rate (503 with ``Retry-After``), other errors, the
server's peak RSS, and the CPU seconds spent in the level by the server, by locust and by everything else on
the machine, with the load averages before and after (locust and whatever else runs share the cores).
Clients wait what a 503's ``Retry-After`` asks before asking again; ``--ignore-retry-after`` re-asks at once.
Prints and writes figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
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


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its children."""
    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def children_cpu() -> float:
    """CPU seconds used by this process's reaped children (here: the locust runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores; neither idle nor waiting on I/O)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def run_level(url: str, clients: int, seconds: int, pid: int, work: Path, ignore_retry_after: bool) -> dict:
    log = work / f"load-{clients}.jsonl"
    env = {**os.environ, "FQA_LOAD_LOG": str(log), "FQA_LOAD_IGNORE_RETRY_AFTER": "1" if ignore_retry_after else "0"}
    stop, rss = threading.Event(), list[float]()
    sampler = threading.Thread(target=peak_rss, args=(pid, stop, rss))
    cpu0, locust0, busy0, t0 = server_cpu(pid), children_cpu(), machine_busy(), time.monotonic()
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
    wall = time.monotonic() - t0
    server_s, locust_s = server_cpu(pid) - cpu0, children_cpu() - locust0
    busy_s = machine_busy() - busy0
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
        "wall": wall,
        "server_cpu": server_s,
        "locust_cpu": locust_s,
        "other_cpu": max(0.0, busy_s - server_s - locust_s),
    }


def behaviour(ignore_retry_after: bool) -> str:
    """One line on what the clients do after a 503."""
    if ignore_retry_after:
        return "clients ignore `Retry-After` and re-ask at once after a 503 (`--ignore-retry-after`)"
    return "clients wait what a 503's `Retry-After` asks (capped at 10 s) before their next question"


def table(results: list[dict], seconds: int, inflight: str, load: tuple[str, str], ignore_retry_after: bool) -> str:
    """A Markdown section: the conditions of the run, then one row per client count."""
    single = next((r["p95"] for r in results if r["clients"] == 1), 0.0)
    title = "Clients that ignore `Retry-After`" if ignore_retry_after else "Clients that honour `Retry-After`"
    head = (
        f"## {title}\n\n"
        f"Machine: {platform.machine()}, CPython {platform.python_version()}, {os.cpu_count()} cores (shared with "
        f"other jobs), {date.today().isoformat()}; load average (1/5/15 min) {load[0]} before and {load[1]} after; "
        f"FQA_MAX_INFLIGHT={inflight}; {seconds} s per level; {behaviour(ignore_retry_after)}; locust headless on "
        "the same cores. CPU columns are CPU seconds used during the level (2 cores give 2 s per second): the "
        "server, locust, and every other process on the machine.\n\n"
        "| clients | requests/s | answered/s | p50 ms (answered) | p95 ms | p99 ms | p95 ÷ 1-client p95 | shed (503) "
        "| other errors | server CPU s | locust CPU s | other CPU s | server peak RSS MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r['clients']} | {r['requests'] / seconds:.1f} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
        f"| {r['p99']:.0f} | {r['p95'] / single if single else 0.0:.1f} | {r['shed']:.0%} | {r['errors']} "
        f"| {r['server_cpu']:.1f} | {r['locust_cpu']:.1f} | {r['other_cpu']:.1f} | {r['rss']:.0f} |"
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
    parser.add_argument(
        "--ignore-retry-after", action="store_true", help="clients re-ask at once after a 503 (the old behaviour)"
    )
    parser.add_argument("--logs", type=Path, help="folder to keep each level's request log in (JSON lines)")
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
            url = f"http://127.0.0.1:{port}"
            results.append(run_level(url, clients, args.seconds, server.pid, work, args.ignore_retry_after))
            print(json.dumps(results[-1]), flush=True)
            if args.logs:
                args.logs.mkdir(parents=True, exist_ok=True)
                shutil.copy(work / f"load-{clients}.jsonl", args.logs)
        after = loadavg()
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)
    from core.settings import Settings

    inflight = os.environ.get("FQA_MAX_INFLIGHT") or f"{Settings().max_inflight} (the default: half the CPU cores)"
    text = table(results, args.seconds, inflight, (before, after), args.ignore_retry_after)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
