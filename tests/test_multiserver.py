"""Several app servers, one store: a real ``chroma run`` on loopback, two real ``fulian-qa serve`` processes (each
with its own data dir), and two concurrent ``fulian-qa index`` runs into one collection."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from index.chunk import chunk_report
from index.load import named_reports, read_report
from index.store import make_client
from tests.conftest import SEEDS
from tests.index.test_server import _chroma_run, _free_port

pytestmark = pytest.mark.server
REPORT = SEEDS / "002_73b7ae9f94230e8b.txt"  # 天水 2016
QUESTION = "天水培训了多少陇原巧手"
VISIBLE_WITHIN = 5.0  # seconds from a write's response to the other app server seeing it


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    proc, port = _chroma_run(tmp_path_factory.mktemp("chroma"))
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def _env(data_dir: Path, models_from: Path, port: int, collection: str) -> dict[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    (models_from / "models").mkdir(parents=True, exist_ok=True)
    if not (data_dir / "models").exists():
        (data_dir / "models").symlink_to(models_from / "models", target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FQA_")}
    return env | {
        "FQA_DATA_DIR": str(data_dir),
        "FQA_CHROMA_HOST": "127.0.0.1",
        "FQA_CHROMA_PORT": str(port),
        "FQA_COLLECTION": collection,
        "FQA_API_TOKEN": "t",
        "FQA_SYNC_INTERVAL": "0.5",
    }


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "fulian_qa", *args]


def _until(check, seconds: float, start: float | None = None) -> float:
    """Poll ``check`` until true; the seconds since ``start`` (default: now) it took (fails after ``seconds``)."""
    start = time.monotonic() if start is None else start
    while not check():
        assert time.monotonic() - start < seconds, f"not reached within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - start


def _listed(url: str) -> set[str]:
    return {d["doc"] for d in httpx.get(f"{url}/api/documents", timeout=30).json()["documents"]}


def _ask(url: str) -> dict:
    res = httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=120)
    assert res.status_code == 200, res.text
    return res.json()


def _answers(url: str) -> bool:
    """The app server answers the question from the report (the figure, citing it)."""
    answer = _ask(url)
    return answer["found"] and answer["answer"].startswith("3426人") and answer["citations"][0]["doc"] == REPORT.name


def _gone(url: str) -> bool:
    """The app server neither lists the report nor answers from it."""
    if REPORT.name in _listed(url):
        return False
    answer = _ask(url)
    return not answer["found"] and all(c["doc"] != REPORT.name for c in answer["citations"])


@pytest.fixture
def two_apps(chroma, tmp_path, models_cache, embedder):
    procs, urls = [], []
    for name in ("a", "b"):
        port = _free_port()
        env = _env(tmp_path / name, models_cache, chroma, "shared")
        log = (tmp_path / f"{name}.log").open("wb")  # noqa: SIM115 (the process writes it until it ends)
        procs.append(subprocess.Popen(_cli("serve", "--port", str(port)), env=env, stdout=log, stderr=log))
        urls.append(f"http://127.0.0.1:{port}")

    def ready(url: str) -> bool:
        try:
            return httpx.get(f"{url}/api/health/live", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        for url, proc in zip(urls, procs, strict=True):
            _until(lambda url=url, proc=proc: proc.poll() is None and ready(url), 600)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def test_an_upload_or_delete_through_one_app_server_is_seen_by_the_other(two_apps):
    a, b = two_apps
    auth = {"Authorization": "Bearer t"}
    assert not _ask(b)["found"]  # b has answered from an empty store before the upload
    files = {"file": (REPORT.name, REPORT.read_bytes(), "text/plain")}
    res = httpx.post(f"{a}/api/documents", files=files, headers=auth, timeout=600)
    written = time.monotonic()
    assert res.status_code == 201, res.text
    took = _until(lambda: _answers(b), VISIBLE_WITHIN, written)
    print(f"upload through one app server answerable through the other {took:.2f} s after the upload's response")
    assert _answers(a) and REPORT.name in _listed(b)  # the server that took the upload applied it before answering

    res = httpx.delete(f"{b}/api/documents/{REPORT.name}", headers=auth, timeout=120)
    written = time.monotonic()
    assert res.status_code == 200, res.text
    took = _until(lambda: _gone(a), VISIBLE_WITHIN, written)
    print(f"delete through one app server gone from the other {took:.2f} s after the delete's response")
    assert _gone(b)


def test_two_concurrent_index_runs_leave_the_chunk_set_of_one_run(chroma, tmp_path, models_cache, embedder):
    collection = "concurrent"
    runs = []
    for name in ("one", "two"):
        env = _env(tmp_path / name, models_cache, chroma, collection)
        log = (tmp_path / f"{name}.log").open("wb")  # noqa: SIM115 (the process writes it until it ends)
        runs.append(subprocess.Popen(_cli("index", str(SEEDS)), env=env, stdout=log, stderr=log))
    logs = [tmp_path / f"{n}.log" for n in ("one", "two")]
    assert [run.wait(timeout=1800) for run in runs] == [0, 0], [log.read_text()[-2000:] for log in logs]

    settings = Settings(data_dir=tmp_path / "one", chroma_host="127.0.0.1", chroma_port=chroma, collection=collection)
    stored = make_client(settings).get_collection(collection).get(include=["metadatas"])
    expected = set()
    for path, name in named_reports([SEEDS]):
        text = read_report(path, name).text
        expected |= {c.id for c in chunk_report(name, text, hashlib.sha256(text.encode()).hexdigest(),
                                                settings.chunk_size, settings.chunk_overlap)}
    ids = stored["ids"]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert {m["doc"] for m in stored["metadatas"]} == {name for _, name in named_reports([SEEDS])}
