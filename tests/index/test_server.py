"""The same code against a ``chroma run`` server on loopback: index, answer, and serve an existing local store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.indexer import Indexer
from index.store import ChromaStore, StoreError
from qa.system import System
from tests.conftest import SEEDS

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_run(path: Path, port: int | None = None):
    """``chroma run`` in its own process group (so a signal reaches the server itself); (process, port)."""
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = port or _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("chroma run did not start")
    return proc, port


@pytest.fixture
def server(tmp_path):
    proc, port = _chroma_run(tmp_path / "server-store")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_index_and_answer_through_a_chroma_server(server, fresh_settings, embedder):
    settings = fresh_settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": server})
    store = ChromaStore.from_settings(settings, embedder.name)
    indexer = Indexer(embedder, store, settings.chunk_size, settings.chunk_overlap)
    outcomes = indexer.index_paths([SEEDS / "002_73b7ae9f94230e8b.txt"])
    assert outcomes[0].status == "indexed"
    assert not settings.chroma_dir.exists()  # nothing was written to the local store
    service = System.from_settings(settings, embedder=embedder, store=store).service
    ans = service.ask("天水培训了多少陇原巧手")
    assert ans.found and ans.answer.startswith("3426人")
    # idempotent through the server too
    assert indexer.index_paths([SEEDS / "002_73b7ae9f94230e8b.txt"])[0].status == "unchanged"


def test_a_local_store_moves_to_a_server_by_pointing_chroma_run_at_it(seeded_settings, embedder, tmp_path):
    copy = tmp_path / "moved"
    shutil.copytree(seeded_settings.chroma_dir, copy)
    proc, port = _chroma_run(copy)
    try:
        settings = seeded_settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port})
        system = System.from_settings(settings, embedder=embedder)
        assert len(system.reports.documents()) == 5
        assert system.service.ask("株洲组建了多少个姐妹帮帮团").answer.startswith("1471")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_unreachable_server_gives_a_clear_error(fresh_settings, embedder):
    settings = fresh_settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": _free_port()})
    with pytest.raises(StoreError, match="Chroma server"):
        ChromaStore.from_settings(settings, embedder.name).count()
