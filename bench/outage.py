"""Outage benchmark: a real ``chroma run`` server killed (``SIGKILL``) and frozen (``SIGSTOP``) under steady traffic.

Usage: ``python bench/outage.py [--seconds 8] [--models DIR] [--out bench/outage.md]``. Starts ``chroma run`` on
loopback, indexes two seed reports into it, starts ``fulian-qa serve`` against it and keeps a few clients busy
(two asking ``/api/ask``, one ``/api/search``, one polling ``/api/health`` and one ``/api/documents`` and
``/api/health/live``, each on its own kept-alive connection). Then it kills the Chroma server, restarts it on the
same data dir and port, freezes it, and continues it — never restarting the app. For every phase it prints and
writes the status codes, content types, ``Retry-After`` and latencies of the requests started in it, and the time
from the restart (or ``SIGCONT``) to the first 200 from ``/api/ask`` and ``/api/health``; it counts the app's log
lines about the outage and its tracebacks. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
from harness import ROOT, SEEDS, chroma_run, data_dir, free_port, index, listening, loadavg, serve, stop

sys.path.insert(0, str(ROOT))
from index.store import PROBE_TIMEOUT, WATCH_AFTER  # noqa: E402

REPORTS = ("002_73b7ae9f94230e8b.txt", "000_50db6e2cd06eea04.txt")
QUESTIONS = [
    "天水培训了多少陇原巧手",
    "天水市妇联2016年开展了哪些工作",
    "How many people did Tianshui train?",
    "株洲组建了多少个姐妹帮帮团",
]
QUERIES = ["陇原巧手", "妇女创业就业", "家庭文明建设"]
INFLIGHT = "3"  # every question client is admitted, so each 503 seen is the store's


@dataclass
class Hit:
    """One request: which client, when it started and ended (s since the run began), what came back."""

    kind: str
    start: float
    end: float
    status: int  # 0: no HTTP answer (connection error or client timeout)
    json: bool
    retry_after: str
    detail: str


class Traffic:
    """Client threads, each on its own kept-alive connection, recording every request."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.t0 = time.monotonic()
        self.hits: list[Hit] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._loop, args=("ask", self._ask, 0.0)),
            threading.Thread(target=self._loop, args=("ask", self._ask, 0.0)),
            threading.Thread(target=self._loop, args=("search", self._search, 0.0)),
            threading.Thread(target=self._loop, args=("health", self._health, 0.2)),
            threading.Thread(target=self._loop, args=("reads", self._reads, 0.2)),
        ]

    def now(self) -> float:
        return time.monotonic() - self.t0

    def _ask(self, client: httpx.Client) -> tuple[str, httpx.Response]:
        return "ask", client.post("/api/ask", json={"question": random.choice(QUESTIONS)})

    def _search(self, client: httpx.Client) -> tuple[str, httpx.Response]:
        return "search", client.post("/api/search", json={"query": random.choice(QUERIES)})

    def _health(self, client: httpx.Client) -> tuple[str, httpx.Response]:
        return "health", client.get("/api/health")

    def _reads(self, client: httpx.Client) -> tuple[str, httpx.Response]:
        path = random.choice(["/api/documents", "/api/health/live"])
        return path.removeprefix("/api/"), client.get(path)

    def _loop(self, kind: str, call, pause: float) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            while not self.stopping.is_set():
                start = self.now()
                try:
                    name, res = call(client)
                    ctype = res.headers.get("content-type", "")
                    body = res.json() if ctype.startswith("application/json") else {"detail": res.text}
                    detail = body.get("detail") or body.get("checks") or "" if isinstance(body, dict) else ""
                    hit = Hit(
                        name,
                        start,
                        self.now(),
                        res.status_code,
                        ctype.startswith("application/json"),
                        res.headers.get("retry-after", ""),
                        str(detail)[:120],
                    )
                except httpx.HTTPError as exc:
                    hit = Hit(kind, start, self.now(), 0, False, "", f"{type(exc).__name__}: {exc}"[:120])
                with self._lock:
                    self.hits.append(hit)
                if pause:
                    self.stopping.wait(pause)

    def __enter__(self) -> Traffic:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join()

    def first_ok(self, kind: str, after: float) -> float | None:
        """End time of the first 200 from ``kind`` among requests started at or after ``after``."""
        with self._lock:
            ends = [h.end for h in self.hits if h.kind == kind and h.start >= after and h.status == 200]
        return min(ends) if ends else None


def wait_back(traffic: Traffic, after: float, limit: float = 90.0) -> None:
    """Wait (at most ``limit`` s) until ask and health have each answered 200 since ``after``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if traffic.first_ok("ask", after) is not None and traffic.first_ok("health", after) is not None:
            return
        time.sleep(0.1)


def summary(hits: list[Hit]) -> dict:
    """Counts and worst cases of a set of requests, by endpoint."""
    out: dict = {}
    for kind in ("ask", "search", "health", "documents", "health/live"):
        group = [h for h in hits if h.kind == kind]
        if not group:
            continue
        ms = sorted((h.end - h.start) * 1000 for h in group)
        failed = [h for h in group if h.status != 200]
        out[kind] = {
            "n": len(group),
            "status": dict(sorted(Counter(h.status for h in group).items())),
            "json": sum(h.json for h in group),
            "retry_after": dict(Counter(h.retry_after for h in failed if h.status == 503)),
            "max_ms": round(ms[-1]),
            "p50_ms": round(ms[len(ms) // 2]),
            "max_failed_ms": round(max(((h.end - h.start) * 1000 for h in failed), default=0)),
            "details": dict(Counter(h.detail[:70] for h in failed).most_common(3)),
        }
    return out


def log_counts(text: str) -> dict[str, int]:
    return {
        "tracebacks": text.count("Traceback"),
        "outage lines": sum("unavailable:" in line for line in text.splitlines()),
        "back lines": sum(" is back after " in line for line in text.splitlines()),
        "500 responses logged": sum('" 500' in line for line in text.splitlines()),
    }


def run(args: argparse.Namespace, work: Path) -> dict:
    chroma_port, app_port = free_port(), free_port()
    store = work / "chroma-server"
    chroma_log, app_log = work / "chroma.log", work / "app.log"
    env = {
        **os.environ,
        "FQA_DATA_DIR": str(data_dir(work, args.models)),
        "FQA_CHROMA_HOST": "127.0.0.1",
        "FQA_CHROMA_PORT": str(chroma_port),
        "FQA_MAX_INFLIGHT": INFLIGHT,
    }
    chroma = chroma_run(store, chroma_port, chroma_log)
    index([SEEDS / r for r in REPORTS], env)
    app = serve(env, app_port, app_log)
    events: dict[str, float] = {}
    try:
        with Traffic(f"http://127.0.0.1:{app_port}") as traffic:
            time.sleep(args.seconds)
            events["kill"] = traffic.now()
            os.killpg(chroma.pid, signal.SIGKILL)
            chroma.wait(timeout=30)
            time.sleep(args.seconds)
            events["restart"] = traffic.now()
            chroma = chroma_run(store, chroma_port, chroma_log)
            events["listening"] = traffic.now()
            wait_back(traffic, events["restart"])
            events["back"] = traffic.now()
            time.sleep(args.seconds / 2)
            events["stop"] = traffic.now()
            os.killpg(chroma.pid, signal.SIGSTOP)
            time.sleep(args.seconds)
            events["cont"] = traffic.now()
            os.killpg(chroma.pid, signal.SIGCONT)
            wait_back(traffic, events["cont"])
            events["thawed"] = traffic.now()
            time.sleep(args.seconds / 2)
            events["end"] = traffic.now()
            load = loadavg()
            hits = list(traffic.hits)
            recovery = {
                name: {kind: traffic.first_ok(kind, events[at]) for kind in ("ask", "health")}
                for name, at in (("restart", "restart"), ("cont", "cont"))
            }
        still_listening = listening(chroma_port)
        app_alive = app.poll() is None
    finally:
        stop(app)
        stop(chroma)
    return {
        "events": events,
        "load": load,
        "hits": hits,
        "recovery": recovery,
        "app_alive": app_alive,
        "chroma_back": still_listening,
        "log": log_counts(app_log.read_text(errors="replace")),
    }


def phases(events: dict[str, float]) -> list[tuple[str, float, float]]:
    return [
        ("before (server up)", 0.0, events["kill"]),
        ("killed (SIGKILL)", events["kill"], events["restart"]),
        ("restarted, until ask and health are 200", events["restart"], events["back"]),
        ("up again", events["back"], events["stop"]),
        ("frozen (SIGSTOP)", events["stop"], events["cont"]),
        ("continued, until ask and health are 200", events["cont"], events["thawed"]),
        ("up again", events["thawed"], events["end"]),
    ]


def rows(hits: list[Hit], events: dict[str, float]) -> list[tuple[str, float | None, list[Hit]]]:
    """(phase, its length, the requests started in it); requests in flight at the kill or freeze get own rows."""

    def across(at: str) -> list[Hit]:
        return [h for h in hits if h.start < events[at] < h.end]

    flight = {id(h) for at in ("kill", "stop") for h in across(at)}
    out: list[tuple[str, float | None, list[Hit]]] = []
    for name, a, b in phases(events):
        if name.startswith("killed"):
            out.append(("in flight at the kill", None, across("kill")))
        if name.startswith("frozen"):
            out.append(("in flight at the freeze", None, across("stop")))
        out.append((name, b - a, [h for h in hits if a <= h.start < b and id(h) not in flight]))
    return out


def cell(s: dict | None) -> str:
    if not s:
        return "—"
    codes = ", ".join(f"{c or 'no answer'}×{n}" for c, n in s["status"].items())
    ra = ",".join(f"{k or 'none'}" for k in s["retry_after"]) or "—"
    return f"{codes}; JSON {s['json']}/{s['n']}; Retry-After {ra}; max {s['max_ms']} ms"


def report(result: dict, args: argparse.Namespace) -> str:
    ev, hits = result["events"], result["hits"]
    lines = [
        "# Outage",
        "",
        f"Machine: {platform.machine()}, CPython {platform.python_version()}, {os.cpu_count()} cores; "
        f"{time.strftime('%Y-%m-%d')}; load average at the end {result['load']}. `python bench/outage.py "
        f"--seconds {args.seconds}`: a `chroma run` server on loopback holding two seed reports, `fulian-qa serve` "
        f"against it (FQA_STORE_TIMEOUT and FQA_STORE_RETRY_AFTER at their defaults; a store call slower than "
        f"{WATCH_AFTER:g} s has the server's heartbeat asked, which may take {PROBE_TIMEOUT:g} s; "
        f"FQA_MAX_INFLIGHT={INFLIGHT} so every question client is admitted), two clients asking `/api/ask`, one "
        "`/api/search`, one polling `/api/health` every 0.2 s and one `/api/documents` or `/api/health/live`, each "
        "on one kept-alive connection. The app is never restarted. Requests are counted in the phase in which "
        "they started (those in flight at the kill or the freeze have rows of their own); `no answer` would be a "
        "dropped connection or a client timeout.",
        "",
        "| phase | s | /api/ask | /api/search | /api/health | /api/documents | /api/health/live |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, length, group in rows(hits, ev):
        s = summary(group)
        row = [cell(s.get(k)) for k in ("ask", "search", "health", "documents", "health/live")]
        lines.append(f"| {name} | {'' if length is None else f'{length:.1f}'} | " + " | ".join(row) + " |")
    rec = result["recovery"]

    def since(kind: str, at: str, key: str) -> str:
        t = rec[key][kind]
        return "not within 90 s" if t is None else f"{t - ev[at]:.1f} s"

    lines += [
        "",
        "| recovery | first 200 from /api/ask | first 200 from /api/health |",
        "|---|---|---|",
        f"| after `chroma run` was started again (it listened {ev['listening'] - ev['restart']:.1f} s later) | "
        f"{since('ask', 'restart', 'restart')} | {since('health', 'restart', 'restart')} |",
        f"| after the server began listening | {since('ask', 'listening', 'restart')} | "
        f"{since('health', 'listening', 'restart')} |",
        f"| after `SIGCONT` | {since('ask', 'cont', 'cont')} | {since('health', 'cont', 'cont')} |",
        "",
        f"App log over the run: {json.dumps(result['log'])}. App process alive at the end: {result['app_alive']}.",
        "",
        "Answers given while the store was down or frozen:",
        "",
    ]
    seen = Counter(h.detail[:110] for h in hits if h.status not in (200, 0) and h.start >= ev["kill"])
    lines += [f"- {n}× `{d}`" for d, n in seen.most_common(4)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the outage and of the freeze")
    parser.add_argument(
        "--models",
        type=Path,
        default=ROOT / "data" / "models",
        help="folder holding (or to receive) the converted embedding model",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "outage.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fqa-outage-"))
    try:
        result = run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(result, args)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
