"""Upload jobs over the real store and model: ``POST /api/jobs`` answers 202 with a ``Location`` that is polled
until every file has its outcome (indexed / unchanged / duplicate of … / error with the reason); the report is
then listed with its title and indexing time, readable and answerable. The token is refused before any of the
body is read, with nothing written; and a server killed with ``kill -9`` in the middle of a job loses nothing:
the restarted queue finishes it, and the store holds exactly the passages of an uninterrupted run."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fulian_qa.api import create_app
from index.store import ChromaStore
from qa.system import System
from tests.conftest import ROOT, SEEDS
from tests.test_api import QINGSHAN, REPORT

NAME = "青山市妇联2024年工作总结.txt"
AUTH = {"Authorization": "Bearer t"}


@pytest.fixture
def token_settings(request, tmp_path):
    (tmp_path / "data").mkdir(exist_ok=True)
    return request.getfixturevalue("fresh_settings").model_copy(update={"api_token": "t"})


def _poll(client: TestClient, location: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        res = client.get(location, headers=AUTH)
        assert res.status_code == 200, res.text
        job = res.json()
        seen.append(job["state"])
        if job["state"] == "done":
            job["seen"] = seen
            return job
        time.sleep(0.1)
    raise AssertionError(f"job not done in {timeout} s: {job}")


def test_a_job_indexes_each_file_and_reports_each_outcome(token_settings, embedder):
    system = System.from_settings(token_settings, embedder=embedder)
    client = TestClient(create_app(system))
    files = [
        ("files", (NAME, REPORT.encode("utf-8"), "text/plain")),
        ("files", ("copy.txt", REPORT.encode("utf-8"), "text/plain")),
        ("files", ("scan.txt", b"\x00\x01\x02" * 100, "text/plain")),
        ("files", ("report.exe", b"MZ\x00\x00", "application/octet-stream")),
    ]
    before = datetime.now(UTC).replace(microsecond=0)
    res = client.post("/api/jobs", files=files, headers=AUTH)
    assert res.status_code == 202, res.text
    location = res.headers["location"]
    assert location == f"/api/jobs/{res.json()['id']}"
    submitted = {f["name"]: f for f in res.json()["files"]}
    exe = submitted["report.exe"]
    assert exe["state"] == "error" and "unsupported file type .exe" in exe["message"]
    assert submitted[NAME]["state"] in ("queued", "running", "done")

    job = _poll(client, location)
    got = {f["name"]: f for f in job["files"]}
    indexed = got[NAME]
    assert (indexed["state"], indexed["outcome"]) == ("done", "indexed")
    assert indexed["chunks"] > 0 and indexed["done"] == indexed["total"] == indexed["chunks"]
    assert (indexed["city"], indexed["year"], indexed["title"]) == ("青山", 2024, "青山市妇联2024年工作总结")
    assert (got["copy.txt"]["outcome"], got["copy.txt"]["duplicate_of"]) == ("duplicate", NAME)
    assert got["copy.txt"]["message"].startswith(f"duplicate of {NAME}")
    assert got["scan.txt"]["state"] == "error" and "binary" in got["scan.txt"]["message"]
    assert job["finished_at"] >= job["created"]

    docs = client.get("/api/documents").json()["documents"]
    listed_docs = [(d["doc"], d["title"], d["city"], d["year"]) for d in docs]
    assert listed_docs == [(NAME, "青山市妇联2024年工作总结", "青山", 2024)]
    assert docs[0]["chunks"] == indexed["chunks"]
    assert before <= datetime.fromisoformat(docs[0]["indexed_at"]) <= datetime.now(UTC)
    text = client.get(f"/api/documents/{NAME}/text").json()
    assert text["title"] == "青山市妇联2024年工作总结" and "培训家政服务员888人" in text["text"]
    assert [ln for ln in text["text"].splitlines() if ln] == [ln for ln in REPORT.splitlines() if ln]
    assert client.get("/api/documents/nothing.txt/text").status_code == 404
    answer = client.post("/api/ask", json={"question": QINGSHAN}).json()
    assert answer["found"] and "888" in answer["answer"] and answer["citations"][0]["doc"] == NAME, answer

    again = _poll(client, client.post("/api/jobs", files=files[:1], headers=AUTH).headers["location"])
    assert again["files"][0]["outcome"] == "unchanged"
    listed = client.get("/api/jobs", headers=AUTH).json()["jobs"]
    assert [j["id"] for j in listed] == [again["id"], job["id"]]
    assert client.get("/api/jobs/0123456789abcdef", headers=AUTH).status_code == 404
    assert client.get(location).status_code == 401


def test_a_job_with_no_usable_file_is_done_at_once_and_an_empty_job_is_refused(token_settings, embedder):
    client = TestClient(create_app(System.from_settings(token_settings, embedder=embedder)))
    res = client.post("/api/jobs", files=[("files", ("a.exe", b"MZ", "application/octet-stream"))], headers=AUTH)
    assert res.status_code == 202 and res.json()["state"] == "done"
    assert res.json()["files"][0]["outcome"] == "error"
    res = client.post("/api/jobs", data={"note": "no files"}, headers=AUTH)
    assert res.status_code == 422 and "files" in res.json()["detail"]


def _call_asgi(app, headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, bool]:
    """One POST /api/jobs straight through the ASGI app; (status, whether the app asked for the body)."""
    asked = {"body": False}
    sent: list[dict] = []

    async def receive() -> dict:
        asked["body"] = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/jobs", "raw_path": b"/api/jobs", "query_string": b"", "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], asked["body"]


@pytest.mark.parametrize(
    ("token", "auth", "code"), [("t", None, 401), ("t", b"Bearer wrong", 401), (None, b"Bearer t", 403)]
)
def test_the_token_is_refused_before_the_body_is_read_and_nothing_is_written(
    token, auth, code, fresh_settings, embedder
):
    settings = fresh_settings.model_copy(update={"api_token": token})
    app = create_app(System.from_settings(settings, embedder=embedder))
    part = b'--b\r\nContent-Disposition: form-data; name="files"; filename="r.txt"\r\n\r\n'
    body = part + REPORT.encode() + b"\r\n--b--\r\n"
    headers = [(b"content-type", b"multipart/form-data; boundary=b"), (b"content-length", str(len(body)).encode())]
    if auth:
        headers.append((b"authorization", auth))
    status, read = _call_asgi(app, headers, body)
    assert (status, read) == (code, False)
    assert not (settings.data_dir / "jobs").exists()
    assert ChromaStore.from_settings(settings, embedder.name).count() == 0


SERVER = """
import logging, sys
from core.settings import Settings
from qa.system import System
logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
system = System.from_settings(Settings())
files = [(p.rsplit("/", 1)[-1], open(p, "rb").read()) for p in sys.argv[1:]]
print(system.jobs.submit(files), flush=True)
system.jobs.wait(system.jobs.jobs()[0].id)
"""


def test_kill_9_in_the_middle_of_a_job_then_resume_completes_it(fresh_settings, seeded_settings, embedder):
    """A 'server' process submits a job of two seed reports and is killed after 3 stored steps."""
    reports = [SEEDS / "000_50db6e2cd06eea04.txt", SEEDS / "003_4eae8feafdbcf8d2.txt"]
    env = {**os.environ, "FQA_DATA_DIR": str(fresh_settings.data_dir), "FQA_WRITE_STEP": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, *map(str, reports)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None and proc.stdout is not None
    steps = 0
    for line in proc.stderr:
        if "stored" in line and "new passages" in line:
            steps += 1
            if steps == 3:
                os.kill(proc.pid, signal.SIGKILL)
                break
    job_id = proc.stdout.readline().strip()
    proc.stderr.close()
    proc.stdout.close()
    assert proc.wait(timeout=60) == -signal.SIGKILL and len(job_id) == 32

    system = System.from_settings(fresh_settings, embedder=embedder)  # the restarted server
    left = system.jobs.status(job_id)
    assert [f.state for f in left.files] in (["running", "queued"], ["done", "running"])
    assert system.jobs.resume() >= 1
    job = system.jobs.wait(job_id)
    assert [(f.name, f.outcome) for f in job.files] == [(p.name, "indexed") for p in reports]
    names = [p.name for p in reports]
    resumed = {c.id for c in ChromaStore.from_settings(fresh_settings, embedder.name).chunks()}
    uninterrupted = ChromaStore.from_settings(seeded_settings, embedder.name).chunks({"doc": {"$in": names}})
    assert resumed == {c.id for c in uninterrupted}
    assert not any((Path(fresh_settings.data_dir) / "jobs" / job_id / "files").iterdir())  # bytes dropped when done
