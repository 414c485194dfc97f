"""Processes the benchmarks start on loopback: a ``chroma run`` server, ``fulian-qa index`` and ``fulian-qa serve``.

Servers run in their own process group, so a signal (``SIGKILL``, ``SIGSTOP``) reaches the whole server.
A data dir links its ``models/`` to one shared folder, so the embedding model is converted once for every run.
Leaves out: measuring (each benchmark measures what it needs).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SEEDS = ROOT / "seeds"
FQA = [sys.executable, "-m", "fulian_qa"]  # the code of this tree (run from ROOT), whatever is installed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> str:
    """The 1/5/15-minute load averages, as ``/proc/loadavg`` gives them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def data_dir(work: Path, models: Path) -> Path:
    """``work/data`` with ``models/`` linked to ``models`` (created when missing; the model is converted into it)."""
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    models.mkdir(parents=True, exist_ok=True)
    (data / "models").symlink_to(models.resolve(), target_is_directory=True)
    return data


def index(paths: list[Path], env: dict[str, str]) -> None:
    """``fulian-qa index PATHS`` with ``env`` (raises when it fails)."""
    subprocess.run([*FQA, "index", *map(str, paths)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def chroma_run(path: Path, port: int, log: Path) -> subprocess.Popen:
    """``chroma run`` serving ``path`` on ``port``, returned once the port accepts connections."""
    exe = shutil.which("chroma") or str(BIN / "chroma")
    with log.open("ab") as out:
        proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while not listening(port):
        if time.monotonic() > deadline or proc.poll() is not None:
            stop(proc, signal.SIGKILL)
            raise RuntimeError(f"chroma run did not start (see {log})")
        time.sleep(0.05)
    return proc


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """``fulian-qa serve`` on ``port`` with ``env``, returned once ``/api/health`` answers 200."""
    with log.open("ab") as out:
        proc = subprocess.Popen([*FQA, "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop(proc, signal.SIGKILL)
    raise RuntimeError(f"fulian-qa serve did not start (see {log})")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Send ``sig`` to the process group (a stopped group is continued first) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGCONT)
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
