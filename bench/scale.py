"""Scale benchmark: synthetic archives of 1k/10k/100k passages, local Chroma and a ``chroma run`` server.

Usage: ``python bench/scale.py [--sizes 1000,10000,100000] [--backends local,server]`` (writes
``bench/scale.md`` and ``bench/scale.png``); ``python bench/scale.py --smoke`` runs 1k passages on the local
store only and writes into the cache dir (it fails when any step fails; ``make test`` runs it).

For each size: an archive recombined from the seed reports (``bench.scale_archive``), indexed through the
product's ``Indexer`` with passage vectors composed from cached real-encoder sentence vectors
(``bench.scale_vectors``) in a child process; then an app server in a fresh process (``bench.scale_probe``):
``System.from_settings`` to ready, once right after indexing and once more as a restart, and every gold
question through ``QAService.ask`` with the answer's own per-stage timings. The real encoder's raw rate and the
pipeline's indexing rate with real encoding are measured on a sample. Prints and writes figures; asserts
nothing beyond "every step ran".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.stats import percentile  # noqa: E402

PROBE = ROOT / "bench" / "scale_probe.py"
SIZES = (1_000, 10_000, 100_000)
TARGET_P50_RATIO = 2.0  # query p50 at the largest size against the smallest
TARGET_STARTUP_S = 15.0  # app-server start-up at the largest size


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_run(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``chroma run`` on loopback over ``path``, in its own process group; (process, port) once it listens."""
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise BenchError("chroma run did not start")


def vm_hwm_mb(pid: int) -> float:
    """Peak resident memory of a running process (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def disk_mb(path: Path) -> float:
    """Bytes under ``path`` (symlinks not followed: the shared model is not counted), in MB."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            p = Path(root) / name
            if not p.is_symlink():
                total += p.stat().st_size
    return total / 1e6


def child_env(data_dir: Path, port: int | None) -> dict[str, str]:
    """The environment of an app server or indexer over ``data_dir`` (no FQA_* of the caller leaks in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FQA_")}
    env.update(FQA_DATA_DIR=str(data_dir), FQA_ANSWERER="extractive", PYTHONUNBUFFERED="1")
    if port:
        env.update(FQA_CHROMA_HOST="127.0.0.1", FQA_CHROMA_PORT=str(port))
    return env


def run_child(args: list[str], env: dict[str, str], out: Path, label: str) -> dict[str, Any]:
    """Run ``scale_probe.py`` with ``args`` (its output in ``out`` with .log); its JSON result (``BenchError`` when
    it fails)."""
    out.unlink(missing_ok=True)
    log = out.with_suffix(".log")
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as sink:
        code = subprocess.run(
            [sys.executable, str(PROBE), *args, "--out", str(out)], env=env, cwd=ROOT, stdout=sink, stderr=sink
        ).returncode
    if not out.exists():
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:])
        raise BenchError(f"{label} failed (exit {code}):\n{tail}")
    if code != 0:  # the result was written whole before the process ended
        print(f"[{label}] the child exited with code {code} after writing its result", flush=True)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["wall_s"] = time.perf_counter() - start
    return result


def kept_step(path: Path, keep: bool) -> dict[str, Any] | None:
    """A step's result an interrupted run of the same archive wrote (with ``keep``), else None."""
    if not (keep and path.exists()):
        return None
    print(f"kept {path}", flush=True)
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result


def link_models(data_dir: Path, models: Path) -> None:
    """A fresh ``data_dir`` whose models/ is the shared converted model."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    models.mkdir(parents=True, exist_ok=True)
    (data_dir / "models").symlink_to(models, target_is_directory=True)


def stage_stats(answers: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """p50/p95/mean in ms of the total and of every stage the answers recorded."""
    series: dict[str, list[float]] = {"total": [a["latency_ms"] for a in answers]}
    if answers and "cpu_ms" in answers[0]:
        series["cpu"] = [a["cpu_ms"] for a in answers]
    for a in answers:
        for stage, ms in a["timings_ms"].items():
            series.setdefault(stage, []).append(ms)
    return {
        stage: {"p50": percentile(v, 50), "p95": percentile(v, 95), "mean": sum(v) / len(v), "n": len(v)}
        for stage, v in series.items()
        if v
    }


def measure(
    size: int, backend: str, archive: Any, work: Path, vectors: Path, questions: Path, first_start: bool = True,
    serve_local: bool = False, budget: float = 0.0, keep: bool = False,
) -> dict[str, Any]:
    """Index ``archive`` into a fresh store of ``backend``, then start an app server (twice when ``first_start``:
    right after indexing, then as a restart) and ask it every question. ``serve_local``: the server mode serves
    the local run's store of this size (indexed already) instead of indexing through the server. ``budget``:
    indexing starts no new report after that many seconds, and the run measures the part indexed."""
    data = work / "runs" / f"{size}-{backend}"
    done = data.with_name(data.name + ".json")
    if done.exists():  # measured by an earlier, interrupted run of the same archives
        print(f"[{size}/{backend}] kept from {done}", flush=True)
        kept: dict[str, Any] = json.loads(done.read_text(encoding="utf-8"))
        return kept
    indexed = kept_step(data / "index.json", keep)
    if indexed is None:
        link_models(data, work / "models")
    server = None
    port = None
    local_store = work / "runs" / f"{size}-local" / "chroma"
    served = local_store if serve_local and backend == "server" else data / "chroma-server"
    if backend == "server":
        if serve_local and not (local_store.exists() and (work / "runs" / f"{size}-local.json").exists()):
            raise BenchError(f"{size}/server: no measured local store of this size to serve")
        server, port = chroma_run(served)
    try:
        env = child_env(data, port)
        label = f"{size}/{backend}"
        if indexed is not None:
            pass
        elif served == local_store:
            indexed = dict(json.loads(local_store.with_name("index.json").read_text(encoding="utf-8")), served=True)
            print(f"[{label}] serving the local store {local_store}", flush=True)
        else:
            print(f"[{label}] indexing {archive.files} files, {archive.passages} passages ...", flush=True)
            indexed = run_child(
                ["index", "--archive", str(archive.folder), "--vectors", str(vectors), "--budget", str(budget)], env,
                data / "index.json", f"indexing {label}",
            )
            if indexed["statuses"].get("error"):
                raise BenchError(f"indexing {label}: reports failed: {indexed['errors']}")
            print(f"[{label}] indexed in {indexed['seconds']:.0f} s", flush=True)
        first = kept_step(data / "first.json", keep)
        if first_start and first is None:
            first = run_child(["ask", "--questions", str(questions.with_name("none.json"))], env,
                              data / "first.json", f"first start {label}")
            print(f"[{label}] first start {first['startup_s']:.1f} s", flush=True)
        asked = run_child(["ask", "--questions", str(questions)], env, data / "ask.json", f"questions {label}")
        if asked["error_count"]:
            raise BenchError(f"questions {label}: {asked['error_count']} failed: {asked['errors']}")
        server_rss = vm_hwm_mb(server.pid) if server else 0.0
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
    answers = asked.pop("answers")
    stages = stage_stats(answers)
    made = archive.to_json()
    if indexed.get("partial"):  # the part indexed within the budget is what was measured
        made |= {"files": indexed["reports"], "passages": indexed["passages"], "partial_of": archive.passages}
    result = {
        "commit": git_state()["commit"],
        "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]),  # when the questions had been asked
        "size": size,
        "backend": backend,
        "archive": made,
        "index": indexed,
        "first_start": first,
        "restart": asked,
        "stages": stages,
        "disk_mb": disk_mb(data) + (disk_mb(served) if served == local_store else 0.0),
        "server_rss_mb": server_rss,
        "found_share": sum(a["found"] for a in answers) / max(1, len(answers)),
    }
    print(
        f"[{label}] start-up {asked['startup_s']:.1f} s, p50 {stages['total']['p50']:.0f} ms, "
        f"p95 {stages['total']['p95']:.0f} ms, RSS {asked['peak_rss_mb']:.0f} MB, disk {result['disk_mb']:.0f} MB",
        flush=True,
    )
    done.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return result


def encoder_figures(archive: Any, work: Path, sample: int) -> dict[str, Any]:
    """The real encoder's raw passages/s and the pipeline's indexing passages/s with real encoding, on the first
    ``sample`` passages of the archive's synthetic reports, and how close composed vectors come to real ones."""
    import numpy as np

    from bench.scale_archive import CITIES
    from bench.scale_vectors import Keys, SentenceCache
    from core.settings import Settings
    from core.text import normalize
    from core.types import ChunkMeta
    from index.chunk import chunk_report
    from index.embed import get_embedder
    from index.indexer import Indexer, embed_text
    from index.load import read_report
    from index.meta import detect_city, detect_year

    settings = Settings(data_dir=work / "sample")
    link_models(settings.data_dir, work / "models")
    real = get_embedder(settings.embed_model, settings.models_dir)
    t = time.perf_counter()
    real.warm_up()
    load_s = time.perf_counter() - t
    texts: list[str] = []
    staged: dict[str, str] = {}  # file name → the text indexed (the last one cut to make up ``sample`` passages)
    for path in sorted(archive.folder.rglob("r*/*.txt")):
        report = read_report(path)
        city, year = detect_city(report.text), detect_year(report.text)
        chunks = chunk_report(report.name, report.text, "x", settings.chunk_size, settings.chunk_overlap)
        chunks = chunks[: sample - len(texts)]
        texts += [embed_text(ChunkMeta(c.doc, city, year, c.section_path), c.text) for c in chunks]
        staged[path.name] = report.text[: chunks[-1].end]
        if len(texts) >= sample:
            break
    t, cpu = time.perf_counter(), time.process_time()
    real_vectors = real.encode_passages(texts)
    raw_s, raw_cpu = time.perf_counter() - t, time.process_time() - cpu
    cache = SentenceCache(work / "vectors" / real.name, Keys(CITIES)).load()
    cache.fill(texts, real)
    composed = np.stack([cache.compose(normalize(x)) for x in texts])
    cosine = (composed * real_vectors).sum(axis=1)
    staging = work / "sample" / "files"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, text in staged.items():
        (staging / name).write_text(text, encoding="utf-8")
    indexer = Indexer.from_settings(settings, real)
    t, cpu = time.perf_counter(), time.process_time()
    outcomes = indexer.index_paths([staging])
    index_s, index_cpu = time.perf_counter() - t, time.process_time() - cpu
    indexed = sum(o.chunks for o in outcomes)
    return {
        "model": real.name,
        "model_load_s": load_s,
        "raw_passages": len(texts),
        "raw_passages_per_s": len(texts) / raw_s,
        "raw_passages_per_cpu_s": len(texts) / raw_cpu,
        "pipeline_passages": indexed,
        "pipeline_passages_per_s": indexed / index_s,
        "pipeline_passages_per_cpu_s": indexed / index_cpu,
        "composed_cosine_mean": float(cosine.mean()),
        "composed_cosine_min": float(cosine.min()),
    }


def git_state() -> dict[str, str]:
    """The commit measured and the product files changed on top of it in the working tree."""

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return proc.stdout.rstrip()

    dirty = git("status", "--porcelain", "--", "core", "index", "qa")
    return {
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "subject": git("log", "-1", "--format=%s").strip()[:120],
        "dirty": ", ".join(line[3:] for line in dirty.splitlines()),
    }


def gold_questions(limit: int | None) -> list[str]:
    lines = (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    return questions[:limit] if limit else questions


def _ms(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def report(run: dict[str, Any]) -> str:
    """The markdown report of one benchmark run."""
    enc = run["encoder"]
    results: list[dict[str, Any]] = run["results"]
    git = run["git"]
    per_cpu = (
        f" ({enc['raw_passages_per_cpu_s']:.1f} per CPU-second; the pipeline {enc['pipeline_passages_per_cpu_s']:.1f})"
        if "raw_passages_per_cpu_s" in enc else ""
    )
    lines = [
        "# Scale benchmark",
        "",
        f"Date: {run['date']}; machine: {run['machine']}; load average (1/5/15 min) at the start "
        f"{run['load_start']} and at the end {run['load_end']}; commit measured: `{git['commit']}` ({git['subject']})"
        + (f"; uncommitted product changes in the tree: {git['dirty']}" if git["dirty"] else "")
        + f"; total wall time {run['wall_s'] / 60:.1f} min."
        + (f" {run['note']}" if run.get("note") else ""),
        "",
        "Archives are recombined from the seed reports' own paragraphs (cities, years and figures varied; the five "
        "seed reports included) and indexed through the product's `Indexer` into the product's store, "
        "evidence-sentence vectors included. **Vectors: cached** — every distinct seed sentence was encoded once by "
        f"the real encoder ({enc['model']}) and a passage's vector is the length-weighted mean of its sentences' "
        f"cached vectors, normalised ({run['cache']['keys']} cached sentence vectors; "
        f"{run['cache']['seed_encoded']} encoded for this run's seed cache, the rest reused from the cache dir). "
        f"On a sample of {enc['raw_passages']} synthetic passages the composed vectors have cosine "
        f"{enc['composed_cosine_mean']:.3f} on average (min {enc['composed_cosine_min']:.3f}) to the real encoder's. "
        "Query vectors are the real encoder's. Questions: the "
        f"{run['questions']} questions of `eval/gold.jsonl`, each asked once after the app server's own warm-up.",
        "",
        "## Indexing",
        "",
        f"Real encoder alone: **{enc['raw_passages_per_s']:.1f} passages/s** ({enc['raw_passages']} passages); the "
        f"indexing pipeline with real encoding (read, detect, chunk, embed passages and evidence sentences, store): "
        f"**{enc['pipeline_passages_per_s']:.1f} passages/s** ({enc['pipeline_passages']} passages, local store)"
        f"{per_cpu}. The archives below are indexed with cached vectors, so their rate is the rest of the pipeline's "
        "(reading, city and year, chunking, BM25 tokens, the store's writes).",
        "",
        "| passages | files | store | indexing with cached vectors | passages/s | cache misses encoded | disk |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ix = r["index"]
        lines.append(
            f"| {r['archive']['passages']:,} | {r['archive']['files']:,} | {r['backend']} | "
            + ("(the local store, served) | - | - |" if ix.get("served") else
               f"{ix['seconds']:.0f} s | {ix['passages'] / ix['seconds']:.1f}"
               + (f" ({ix['passages'] / ix['cpu_seconds']:.1f} per CPU-s)" if ix.get("cpu_seconds") else "")
               + f" | {ix['cache_misses_encoded']} |")
            + f" {r['disk_mb']:.0f} MB |"
        )
    for r in results:
        if r["archive"].get("partial_of") and not r["index"].get("served"):
            got = r["archive"]
            lines += ["", f"The {r['size']:,} archive ({got['partial_of']:,} passages) was indexed for "
                      f"{r['index']['seconds'] / 60:.0f} min, the time this run gave it; the {got['passages']:,} "
                      f"passages of its first {got['files']:,} reports (the seed reports first) are what the "
                      f"{got['passages']:,} rows measure."]
    if any(r["index"].get("served") for r in results):
        lines += ["", "A server run marked *served* did not index through the server: `chroma run` served the "
                  "local run's store of that size (the same chunks), to save the indexing time."]
    lines += [
        "",
        "## App server",
        "",
        "Start-up is `System.from_settings` to ready (`QAService.warm_up` done: the model loaded and two questions "
        "answered) in a fresh process: first right after indexing, then again (a restart, split into "
        "`from_settings` + warm-up). Process to ready adds the interpreter's imports. RSS is the app server's peak; "
        "the Chroma server's own peak is beside it in server mode. Found: the share of questions answered (the "
        "rest refused). CPU figures are the app process's own CPU time, which other work on this shared machine does "
        "not inflate the way it inflates wall time.",
        "",
        "| passages | store | first start | restart (wall / CPU) | from_settings + warm-up | process to ready "
        "| query p50 | query p95 | query CPU p50 | found | app RSS | Chroma server RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        st, fs, tot = r["restart"], r["first_start"], r["stages"]["total"]
        cpu = r["stages"].get("cpu")
        lines.append(
            f"| {r['archive']['passages']:,} | {r['backend']} | "
            + (f"{fs['startup_s']:.1f} s" if fs else "-")
            + f" | {st['startup_s']:.1f} / {st.get('startup_cpu_s', 0):.1f} s | {st['from_settings_s']:.1f} + "
            f"{st['warm_up_s']:.1f} s | {st['process_to_ready_s']:.1f} s | {_ms(tot['p50'])} ms | "
            f"{_ms(tot['p95'])} ms | "
            + (f"{_ms(cpu['p50'])} ms" if cpu else "-")
            + f" | {r['found_share']:.2f} | {st['peak_rss_mb']:.0f} MB | "
            + (f"{r['server_rss_mb']:.0f} MB |" if r["backend"] == "server" else "- |")
        )
    stages = [s for s in dict.fromkeys(k for r in results for k in r["stages"]) if s not in ("total", "cpu")]
    lines += [
        "",
        "Per stage (the answer object's `timings_ms`), p50 / p95 in ms:",
        "",
        "| passages | store | " + " | ".join(stages) + " |",
        "|---|---|" + "---|" * len(stages),
    ]
    for r in results:
        cells = [
            f"{_ms(r['stages'][s]['p50'])} / {_ms(r['stages'][s]['p95'])}" if s in r["stages"] else "-"
            for s in stages
        ]
        lines.append(f"| {r['archive']['passages']:,} | {r['backend']} | " + " | ".join(cells) + " |")
    lines += ["", "## Against the targets", ""]
    for backend in dict.fromkeys(r["backend"] for r in results):
        rows = sorted((r for r in results if r["backend"] == backend), key=lambda r: r["size"])
        small, big = rows[0], rows[-1]
        if small is big:
            continue
        ratio = big["stages"]["total"]["p50"] / max(small["stages"]["total"]["p50"], 1e-9)
        startup = big["restart"]["startup_s"]
        lines.append(
            f"- {backend}: query p50 at {big['archive']['passages']:,} passages is {ratio:.2f}× the "
            f"{small['archive']['passages']:,} figure (target ≤ {TARGET_P50_RATIO:.0f}×: "
            f"{'met' if ratio <= TARGET_P50_RATIO else 'not met'}); app-server start-up (restart) "
            f"{startup:.1f} s (target ≤ {TARGET_STARTUP_S:.0f} s: "
            f"{'met' if startup <= TARGET_STARTUP_S else 'not met'})"
            + (
                f"; in the app process's CPU time, which the shared load does not inflate: query p50 "
                f"{big['stages']['cpu']['p50'] / max(small['stages']['cpu']['p50'], 1e-9):.2f}×, start-up "
                f"{big['restart']['startup_cpu_s']:.1f} s"
                if "cpu" in big["stages"] and "cpu" in small["stages"] and "startup_cpu_s" in big["restart"]
                else ""
            )
            + "."
        )
    loads = [f"{r['archive']['passages']:,} {r['backend']}: {r['load']}" for r in results if r.get("load")]
    if loads:
        lines += ["", "Load average (1/5/15 min) right after each row's questions: " + "; ".join(loads) + "."]
    commits = list(dict.fromkeys(r["commit"] for r in results if r.get("commit")))
    if len(commits) > 1:
        lines += ["", "Rows kept from earlier runs over the same archives (`--keep`) were measured at the commits "
                  + ", ".join(f"`{c}`" for c in commits) + " (work on the product went on between them)."]
    lines += ["", "![cost against size](scale.png)", ""]
    return "\n".join(lines)


def plot(results: list[dict[str, Any]], path: Path) -> None:
    """Cost against size, log-log: query p50 and p95, start-up, app-server RSS; one line per store."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        ("query p50 (ms)", lambda r: r["stages"]["total"]["p50"]),
        ("query p95 (ms)", lambda r: r["stages"]["total"]["p95"]),
        ("app-server start-up, restart (s)", lambda r: r["restart"]["startup_s"]),
        ("app-server peak RSS (MB)", lambda r: r["restart"]["peak_rss_mb"]),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), constrained_layout=True)
    for ax, (title, value) in zip(axes.flat, panels, strict=True):
        for backend in dict.fromkeys(r["backend"] for r in results):
            rows = sorted((r for r in results if r["backend"] == backend), key=lambda r: r["size"])
            xs = [r["archive"]["passages"] for r in rows]
            ax.plot(xs, [value(r) for r in rows], "o-", label=backend)
            if title.startswith("query p50") and all("cpu" in r["stages"] for r in rows):
                ax.plot(xs, [r["stages"]["cpu"]["p50"] for r in rows], "x--", label=f"{backend}, CPU time")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("passages")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle("fulian-qa: cost against archive size")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="passages per archive, comma-separated")
    parser.add_argument("--backends", default="local,server", help="local, server or both")
    parser.add_argument("--questions", type=int, default=0, help="first N gold questions (0: all)")
    parser.add_argument("--sample", type=int, default=64, help="passages encoded by the real encoder for its rate")
    parser.add_argument("--cache", type=Path, default=ROOT / "artifacts" / "scale", help="archives, vectors, stores")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "scale.md")
    parser.add_argument("--plot", type=Path, default=ROOT / "bench" / "scale.png")
    parser.add_argument("--seed", type=int, default=0, help="the archives' random seed")
    parser.add_argument("--smoke", action="store_true", help="1k passages, local store, 20 questions, into --cache")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the last run's JSON")
    parser.add_argument("--serve-local", default="", help="sizes whose server run serves the local run's store "
                        "(comma-separated) instead of indexing through the server")
    parser.add_argument("--index-budget", type=float, default=0.0, help="seconds of indexing per store after which "
                        "no new report is started (the part indexed is measured; 0: no limit)")
    parser.add_argument("--note", default="", help="a sentence for the report's header (kept in the run's JSON)")
    parser.add_argument("--keep", action="store_true", help="keep the (size, store) runs an interrupted run measured")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.backends, args.questions, args.sample = "1000", "local", 20, 16
        args.out, args.plot = args.cache / "smoke" / "scale.md", args.cache / "smoke" / "scale.png"
    saved = args.cache / ("smoke.json" if args.smoke else "last-run.json")
    if args.report_only:
        run = json.loads(saved.read_text(encoding="utf-8"))
    else:
        try:
            run = bench(args)
        except BenchError as exc:
            print(f"scale benchmark failed: {exc}", file=sys.stderr)
            return 1
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.note:
        run["note"] = args.note
        saved.write_text(json.dumps(run, ensure_ascii=False, indent=1), encoding="utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = report(run)
    args.out.write_text(text, encoding="utf-8")
    plot(run["results"], args.plot)
    print(text)
    print(f"written to {args.out} and {args.plot}")
    return 0


def bench(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement of one run, as a JSON-able dict."""
    from bench.scale_archive import build_archive
    from bench.scale_vectors import seed_cache
    from core.settings import Settings
    from index.embed import get_embedder

    started = time.perf_counter()
    load_start = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    work: Path = args.cache
    sizes = sorted(int(s) for s in args.sizes.split(","))
    backends = [b for b in args.backends.split(",") if b]
    if not sizes or any(b not in ("local", "server") for b in backends):
        raise BenchError(f"bad --sizes/--backends: {args.sizes!r} {args.backends!r}")
    settings = Settings(data_dir=work / "sample")
    link_models(settings.data_dir, work / "models")
    real = get_embedder(settings.embed_model, settings.models_dir)
    vectors = work / "vectors" / real.name
    t = time.perf_counter()
    cache = seed_cache(vectors, ROOT / "seeds", real, [])
    print(f"sentence cache: {len(cache.vectors)} vectors ({time.perf_counter() - t:.0f} s)", flush=True)
    archives = {}
    for size in sizes:
        t = time.perf_counter()
        archives[size] = build_archive(
            work / "archives" / str(size), size, ROOT / "seeds", settings.chunk_size, settings.chunk_overlap, args.seed
        )
        print(f"archive {size}: {archives[size].files} files, {archives[size].passages} passages "
              f"({time.perf_counter() - t:.0f} s)", flush=True)
    kept_encoder = work / "encoder.json"
    if args.keep and kept_encoder.exists():
        encoder = json.loads(kept_encoder.read_text(encoding="utf-8"))
    else:
        encoder = encoder_figures(archives[sizes[0]], work, args.sample)
        kept_encoder.write_text(json.dumps(encoder), encoding="utf-8")
    print(f"encoder: {encoder}", flush=True)
    questions = gold_questions(args.questions or None)
    qfile = work / "questions.json"
    qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    qfile.with_name("none.json").write_text("[]", encoding="utf-8")
    if not args.keep:
        for old in (work / "runs").glob("*.json"):
            old.unlink()
    serve_local = {int(s) for s in args.serve_local.split(",") if s}
    results = [  # every size on one store, then the next store (the first is the one that matters more)
        measure(size, backend, archives[size], work, vectors, qfile, not args.smoke, size in serve_local,
                args.index_budget, args.keep)
        for backend in backends
        for size in sizes
    ]
    for r in results:
        if r["index"]["passages"] != r["archive"]["passages"] and not r["index"].get("partial"):
            raise BenchError(f"{r['size']}/{r['backend']}: indexed {r['index']['passages']} passages, "
                             f"the archive has {r['archive']['passages']}")
        if r["restart"]["reports_listed"] != r["archive"]["files"]:
            raise BenchError(f"{r['size']}/{r['backend']}: the app server lists {r['restart']['reports_listed']} "
                             f"reports, the archive has {r['archive']['files']}")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}",
        "load_start": load_start,
        "load_end": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "git": git_state(),
        "wall_s": time.perf_counter() - started,
        "questions": len(questions),
        "cache": {"keys": len(cache.vectors), "seed_encoded": cache.added},
        "encoder": encoder,
        "results": results,
    }


if __name__ == "__main__":
    sys.exit(main())
