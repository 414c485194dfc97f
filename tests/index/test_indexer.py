"""Indexing into a real Chroma store with the real model: idempotence, duplicates, crash recovery, model check."""

from __future__ import annotations

import shutil

import pytest

from index.indexer import Indexer
from index.load import read_report_bytes
from index.store import ChromaStore, StoreError
from tests.conftest import SEEDS

REPORT = SEEDS / "001_f3635435e2464913.txt"


def _indexer(settings, embedder, store) -> Indexer:
    return Indexer(embedder, store, settings.chunk_size, settings.chunk_overlap)


def test_reindexing_adds_nothing(fresh_settings, embedder, tmp_path):
    store = ChromaStore.from_settings(fresh_settings, embedder.name)
    first = _indexer(fresh_settings, embedder, store).index_paths([REPORT])
    count = store.count()
    second = _indexer(fresh_settings, embedder, store).index_paths([REPORT])
    assert first[0].status == "indexed" and first[0].added == count > 0
    assert second[0].status == "unchanged" and second[0].added == 0
    assert store.count() == count
    # the same text under another name is a duplicate, not a second copy
    copy = tmp_path / "copy.txt"
    shutil.copy(REPORT, copy)
    third = _indexer(fresh_settings, embedder, store).index_paths([copy])
    assert third[0].status == "duplicate"
    assert store.count() == count


def test_interrupted_indexing_is_completed_by_the_next_run(fresh_settings, embedder):
    store = ChromaStore.from_settings(fresh_settings, embedder.name)
    report = read_report_bytes(REPORT.name, REPORT.read_bytes())

    class Crash(RuntimeError):
        pass

    calls = {"n": 0}
    original = store.upsert

    def crashing_upsert(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            raise Crash("power cut")
        return original(*args, **kwargs)

    store.upsert = crashing_upsert
    import index.indexer as pipeline

    old_batch, pipeline.BATCH = pipeline.BATCH, 4
    try:
        with pytest.raises(Crash):
            _indexer(fresh_settings, embedder, store).index_report(report)
        partial = store.count()
        store.upsert = original
        outcome = _indexer(fresh_settings, embedder, store).index_report(report)
    finally:
        pipeline.BATCH = old_batch
    assert 0 < partial < outcome.chunks
    assert outcome.added == outcome.chunks - partial
    assert store.count() == outcome.chunks


def test_changed_report_replaces_its_old_chunks(fresh_settings, embedder):
    store = ChromaStore.from_settings(fresh_settings, embedder.name)
    indexer = _indexer(fresh_settings, embedder, store)
    indexer.index_report(read_report_bytes("r.txt", "青山市妇联培训家政服务员888人。".encode()))
    outcome = indexer.index_report(read_report_bytes("r.txt", "青山市妇联培训家政服务员999人。".encode()))
    assert outcome.removed == 1
    assert [c.text for c in store.chunks()] == ["青山市妇联培训家政服务员999人。"]


def test_store_refuses_another_embedding_model(fresh_settings, embedder):
    store = ChromaStore.from_settings(fresh_settings, embedder.name)
    _indexer(fresh_settings, embedder, store).index_paths([REPORT])
    other = ChromaStore.from_settings(fresh_settings, "some-other-model")
    with pytest.raises(StoreError, match="built with embedding model"):
        other.count()
