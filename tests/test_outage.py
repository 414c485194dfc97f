"""Honest failure against a real ``chroma run`` server on loopback: killed or frozen, every question and
write gets a JSON 503 with ``Retry-After``, health turns 503 ``degraded``, liveness stays 200, one log line
per outage — and after the server is back the same app serves again, without a restart."""

from __future__ import annotations

import logging
import os
import signal
import time

import pytest
from fastapi.testclient import TestClient

from fulian_qa.api import create_app
from index.indexer import Indexer
from index.store import ChromaStore
from qa.system import System
from tests.conftest import SEEDS
from tests.index.test_server import _chroma_run, _free_port

pytestmark = pytest.mark.server
Q = "天水培训了多少陇原巧手"


def _start(path, port):
    proc, got = _chroma_run(path, port)
    assert got == port
    return proc


def _stop(proc, sig=signal.SIGKILL):
    os.killpg(proc.pid, sig)
    if sig == signal.SIGKILL:
        proc.wait(timeout=20)


def _until(check, seconds: float = 60.0):
    """Poll ``check`` until it is true (a bound on waiting, not a speed assertion)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.2)


@pytest.fixture
def served(tmp_path, fresh_settings, embedder):
    port = _free_port()
    path = tmp_path / "server-store"
    proc = _start(path, port)
    settings = fresh_settings.model_copy(
        update={"chroma_host": "127.0.0.1", "chroma_port": port, "api_token": "t", "store_timeout": 1.0,
                "store_retry_after": 2.0}
    )
    store = ChromaStore.from_settings(settings, embedder.name)
    Indexer(embedder, store, settings.chunk_size, settings.chunk_overlap).index_paths(
        [SEEDS / "002_73b7ae9f94230e8b.txt"]
    )
    client = TestClient(create_app(System.from_settings(settings, embedder=embedder, store=store)))
    state = {"proc": proc}
    yield client, state, path, port
    _stop(state["proc"])


def _all_unavailable(client) -> list[int]:
    auth = {"Authorization": "Bearer t"}
    files = {"file": ("r.txt", "青山市妇联培训家政服务员888人。".encode(), "text/plain")}
    answers = [
        client.post("/api/ask", json={"question": Q}),
        client.post("/api/search", json={"query": "陇原巧手"}),
        client.post("/api/documents", files=files, headers=auth),
        client.delete("/api/documents/002_73b7ae9f94230e8b.txt", headers=auth),
    ]
    for res in answers:
        assert res.headers["content-type"] == "application/json", res.text
        assert res.headers["retry-after"] == "2" and "store" in res.json()["detail"]  # FQA_STORE_RETRY_AFTER
    return [res.status_code for res in answers]


def test_killed_store_gives_503s_degraded_health_and_recovers_without_restart(served, caplog):
    client, state, path, port = served
    assert client.post("/api/ask", json={"question": Q}).json()["found"]
    assert client.get("/api/health").json()["checks"] == {"store": "ok"}

    caplog.set_level(logging.WARNING, logger="fulian_qa.store")
    _stop(state["proc"])
    assert _all_unavailable(client) == [503, 503, 503, 503]
    assert _all_unavailable(client) == [503, 503, 503, 503]
    health = client.get("/api/health")
    assert health.status_code == 503 and health.json()["status"] == "degraded"
    assert health.headers["retry-after"] == "2"  # the same wait as every other answer of the outage
    assert health.json()["checks"]["store"].startswith("down")
    assert client.get("/api/health/ready").status_code == 503
    assert client.get("/api/health/live").status_code == 200
    assert client.get("/api/documents").status_code == 200  # the catalogue in memory still answers
    down_lines = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(down_lines) == 1 and down_lines[0].exc_info is None

    state["proc"] = _start(path, port)
    _until(lambda: client.get("/api/health").status_code == 200)
    assert client.post("/api/ask", json={"question": Q}).json()["found"]
    assert any("is back" in r.getMessage() for r in caplog.records)


def test_frozen_store_times_out_into_503_and_thaws(served):
    client, state, _, _ = served
    os.killpg(state["proc"].pid, signal.SIGSTOP)
    try:
        res = client.post("/api/ask", json={"question": Q})
        assert res.status_code == 503 and res.headers["retry-after"] == "2"
        assert client.get("/api/health").status_code == 503
        assert client.get("/api/health/live").status_code == 200
    finally:
        os.killpg(state["proc"].pid, signal.SIGCONT)
    _until(lambda: client.get("/api/health").status_code == 200)
    assert client.post("/api/ask", json={"question": Q}).json()["found"]
