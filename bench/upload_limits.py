"""Upload-limit benchmark: 300 MB sent to every route that takes files, and what the server wrote.

Usage: ``python bench/upload_limits.py [--mb 300] [--models DIR] [--out bench/upload_limits.md]``. Starts
``fulian-qa serve`` (API token set, ``TMPDIR`` pointing into the run's own folder) and sends a multipart body
of ``--mb`` MB over a raw socket — once with a ``Content-Length``, once chunked — without the token, with it
(over ``FQA_MAX_UPLOAD_MB``), and to Gradio's file routes. The client stops sending when the answer arrives.
For each request it records the status, the bytes the client got into the socket before the answer, the
server's ``write_bytes`` from ``/proc/<pid>/io``, and the size of ``FQA_DATA_DIR`` and of the temp dir (after,
and the peak while the request ran, counting files the server held open even once deleted). Prints and writes
a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import select
import shutil
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from harness import ROOT, data_dir, free_port, loadavg, serve, stop

TOKEN = "bench-token"
BOUNDARY = "fqaboundary7b3e"
PIECE = 64 * 1024
LINE = "天水市妇联全年共培训“陇原巧手”3426人,完成年计划的107.06%。\n".encode()


@dataclass
class Case:
    route: str
    chunked: bool
    token: bool
    label: str
    kb: int | None = None  # the file's size when not the run's --mb


CASES = [
    Case("/api/documents", False, False, "API upload, no token"),
    Case("/api/documents", True, False, "API upload, no token"),
    Case("/api/documents", False, True, "API upload, token, over FQA_MAX_UPLOAD_MB"),
    Case("/api/documents", True, True, "API upload, token, over FQA_MAX_UPLOAD_MB"),
    Case("/api/jobs", False, False, "API job upload, no token"),
    Case("/api/jobs", True, False, "API job upload, no token"),
    Case("/api/jobs", False, True, "API job upload, token, over FQA_MAX_UPLOAD_MB"),
    Case("/api/jobs", True, True, "API job upload, token, over FQA_MAX_UPLOAD_MB"),
    Case("/gradio_api/upload", False, False, "Gradio upload route"),
    Case("/gradio_api/upload", True, False, "Gradio upload route"),
    Case("/gradio_api/process_recording", False, False, "Gradio recording route"),
    Case("/gradio_api/process_recording", True, False, "Gradio recording route"),
    Case("/gradio_api/component_server", True, False, "Gradio component route"),
    Case("/gradio_api/process_recording", False, False, "Gradio recording route, 200 KB (under FQA_MAX_BODY_KB)", 200),
    Case("/gradio_api/component_server", False, False, "Gradio component route, 200 KB (under FQA_MAX_BODY_KB)", 200),
]


def tree_bytes(root: Path) -> int:
    """Bytes of the regular files under ``root`` (links not followed)."""
    total = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            total += st.st_size if not os.path.islink(os.path.join(dirpath, name)) else 0
    return total


def open_file_bytes(pid: int) -> int:
    """Bytes of the regular files ``pid`` holds open under a temp or data folder (deleted ones too)."""
    total = 0
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir() if fd_dir.exists() else []:
        try:
            target = os.readlink(fd)
            if target.startswith("/") and "fqa-upload-" in target:
                total += os.stat(fd).st_size
        except OSError:
            continue
    return total


def io_counters(pid: int) -> dict[str, int]:
    lines = Path(f"/proc/{pid}/io").read_text().splitlines()
    return {k: int(v) for k, v in (line.split(": ") for line in lines)}


def body_parts(route: str, size: int) -> tuple[bytes, bytes]:
    """The multipart head and tail around ``size`` bytes of file content."""
    field = "video" if "recording" in route else "files" if "gradio" in route else "file"
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


def send_until_answer(port: int, case: Case, size: int) -> dict:
    """Send the request piece by piece until the server answers; the answer and the byte counts."""
    head, tail = body_parts(case.route, size)
    headers = [f"POST {case.route} HTTP/1.1", f"Host: 127.0.0.1:{port}",
               f"Content-Type: multipart/form-data; boundary={BOUNDARY}"]
    if case.token:
        headers.append(f"Authorization: Bearer {TOKEN}")
    headers.append("Transfer-Encoding: chunked" if case.chunked else f"Content-Length: {len(head) + size + len(tail)}")
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())
    sock.setblocking(False)
    content = (LINE * (PIECE // len(LINE) + 1))[:PIECE]

    def pieces():
        yield head
        left = size
        while left > 0:
            yield content[: min(PIECE, left)]
            left -= PIECE
        yield tail

    frames = ((f"{len(p):x}\r\n".encode() + p + b"\r\n") if case.chunked else p for p in pieces())
    sent, pending, answered_at, note = 0, b"", None, ""
    frames_left = True
    started = time.monotonic()
    while answered_at is None and time.monotonic() - started < 120:
        want_write = [sock] if (pending or frames_left) else []
        readable, writable, _ = select.select([sock], want_write, [], 1.0)
        if readable:
            answered_at = time.monotonic()
            break
        if writable:
            if not pending:
                try:
                    pending = next(frames)
                except StopIteration:
                    frames_left = False
                    if case.chunked:
                        pending = b"0\r\n\r\n"
                    continue
            try:
                n = sock.send(pending)
            except OSError as exc:
                note = f"send stopped: {type(exc).__name__}"
                break
            sent += n
            pending = pending[n:]
    reply = read_reply(sock)
    sock.close()
    return {"sent": sent, "status": reply.get("status", 0), "detail": reply.get("detail", note),
            "wait_s": round((answered_at or time.monotonic()) - started, 2)}


def read_reply(sock: socket.socket) -> dict:
    """Status and JSON detail of the answer (whatever arrived within 10 s)."""
    sock.setblocking(True)
    sock.settimeout(10)
    data = b""
    try:
        while b"\r\n\r\n" not in data or len(data) < 64 * 1024:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = [int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")]
            if length and len(body) >= length[0]:
                break
    except OSError as exc:
        if not data:
            return {"detail": f"no answer: {type(exc).__name__}"}
    head, _, body = data.partition(b"\r\n\r\n")
    if not head:
        return {"detail": "no answer"}
    status = int(head.split(b" ")[1])
    try:
        detail = json.loads(body).get("detail", "")
    except ValueError:
        detail = body[:100].decode(errors="replace")
    return {"status": status, "detail": str(detail)[:100]}


class Watch:
    """Samples the largest size of the data dir, the temp dir and the files the server holds open."""

    def __init__(self, pid: int, data: Path, tmp: Path) -> None:
        self.pid, self.data, self.tmp = pid, data, tmp
        self.peak = {"data": 0, "tmp": 0, "open": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = {"data": tree_bytes(self.data), "tmp": tree_bytes(self.tmp), "open": open_file_bytes(self.pid)}
            self.peak = {k: max(v, now[k]) for k, v in self.peak.items()}
            self._stop.wait(0.02)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()


def measure(port: int, pid: int, data: Path, tmp: Path, case: Case, size: int) -> dict:
    before_io, before_data, before_tmp = io_counters(pid), tree_bytes(data), tree_bytes(tmp)
    before_open = open_file_bytes(pid)
    rss_before = psutil.Process(pid).memory_info().rss
    with Watch(pid, data, tmp) as watch:
        result = send_until_answer(port, case, size if case.kb is None else case.kb * 1024)
        time.sleep(1.0)  # let any clean-up after the answer run
    after_io = io_counters(pid)
    return {
        **result, "route": case.route, "label": case.label, "body": "chunked" if case.chunked else "Content-Length",
        "write_bytes": after_io["write_bytes"] - before_io["write_bytes"],
        "data_after": tree_bytes(data) - before_data, "tmp_after": tree_bytes(tmp) - before_tmp,
        "data_peak": watch.peak["data"] - before_data, "tmp_peak": watch.peak["tmp"] - before_tmp,
        "open_peak": watch.peak["open"] - before_open,
        "rss_mb": (psutil.Process(pid).memory_info().rss - rss_before) / 1e6,
    }


def kb(n: int | None) -> str:
    return "?" if n is None else f"{n / 1024:,.0f} KB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:,.1f} MB"


def report(results: list[dict], args: argparse.Namespace, load: str) -> str:
    head = (
        f"# Upload limits\n\nMachine: {platform.machine()}, CPython {platform.python_version()}, {os.cpu_count()} "
        f"cores; {time.strftime('%Y-%m-%d')}; load average at the end {load}. `python bench/upload_limits.py "
        f"--mb {args.mb}`: `fulian-qa serve` with FQA_API_TOKEN set and the default limits (FQA_MAX_UPLOAD_MB=20, "
        "FQA_MAX_BODY_KB=256); each request sends a multipart body of "
        f"{args.mb} MB (unless the row says otherwise) over a raw socket and stops when the answer arrives. "
        "*sent* is what the client got into the socket before the answer: loopback socket buffers take a few MB "
        "that nobody reads (the rows answered from the headers alone show how much); *written* is the server's "
        "`write_bytes` (`/proc/<pid>/io`); *data dir* and *temp dir* are the "
        "size changes after the answer, and the peak while the request ran (files the server held open, deleted or "
        "not, in *open files*: the growth of what the server holds open under the run's folder).\n\n"
        "| request | body | answer | sent | written | data dir after / peak | temp dir after / peak "
        "| open files peak | RSS change |\n|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r['label']} (`{r['route']}`) | {r['body']} | {r['status'] or 'none'} {r['detail'][:60]!r} "
        f"| {kb(r['sent'])} | {kb(r['write_bytes'])} "
        f"| {kb(r['data_after'])} / {kb(r['data_peak'])} | {kb(r['tmp_after'])} / {kb(r['tmp_peak'])} "
        f"| {kb(r['open_peak'])} | {r['rss_mb']:+.1f} MB |"
        for r in results
    ]
    return head + "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=300, help="size of the file sent, in megabytes")
    parser.add_argument("--models", type=Path, default=ROOT / "data" / "models",
                        help="folder holding (or to receive) the converted embedding model")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "upload_limits.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fqa-upload-"))
    tmp = work / "tmp"
    tmp.mkdir()
    data = data_dir(work, args.models)
    port = free_port()
    env = {**os.environ, "FQA_DATA_DIR": str(data), "FQA_API_TOKEN": TOKEN, "TMPDIR": str(tmp)}
    server = serve(env, port, work / "app.log")
    try:
        results = []
        for case in CASES:
            results.append(measure(port, server.pid, data, tmp, case, args.mb * 1024 * 1024))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        load = loadavg()
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)
    text = report(results, args, load)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
