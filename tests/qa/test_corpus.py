"""The question side's view of the index follows writes: a report indexed or removed after the corpus opened is
in (or out of) its snapshot — the catalogue, the chunk count — after ``sync`` (another process wrote it) or
``refresh`` (this one did). Real Chroma store, real model, real lexical index."""

from __future__ import annotations

from index.indexer import Indexer
from index.load import read_report
from index.store import ChromaStore
from qa.corpus import Corpus
from tests.conftest import SEEDS

REPORT = SEEDS / "002_73b7ae9f94230e8b.txt"  # 天水 2016


def _parts(settings, embedder):
    store = ChromaStore.from_settings(settings, embedder.name)
    indexer = Indexer(embedder, store, settings.chunk_size, settings.chunk_overlap)
    return store, indexer


def test_a_report_written_after_opening_is_in_the_snapshot_after_sync(fresh_settings, embedder):
    store, indexer = _parts(fresh_settings, embedder)
    corpus = Corpus(store, fresh_settings.data_dir / "lexicon" / fresh_settings.collection)
    assert corpus.empty and corpus.reports() == []

    outcome = indexer.index_report(read_report(REPORT))
    assert corpus.sync() == outcome.chunks
    assert not corpus.empty and corpus.snapshot.n == outcome.chunks
    assert corpus.catalog.cities == {"天水": [REPORT.name]} and corpus.catalog.years[REPORT.name] == {2016}
    assert [c.meta.doc for c, _ in corpus.bm25(["陇原", "巧手"], 3)] == [REPORT.name] * 3

    assert indexer.remove(REPORT.name) == outcome.chunks
    assert corpus.sync() == outcome.chunks
    assert corpus.empty and corpus.catalog.cities == {} and corpus.reports() == []


def test_a_report_this_process_wrote_is_in_the_snapshot_after_refresh(fresh_settings, embedder):
    store, indexer = _parts(fresh_settings, embedder)
    corpus = Corpus(store, fresh_settings.data_dir / "lexicon" / fresh_settings.collection)
    before = corpus.snapshot
    outcome = indexer.index_report(read_report(REPORT))
    assert corpus.refresh([REPORT.name]) == outcome.chunks
    assert corpus.snapshot is not before and corpus.snapshot.n == outcome.chunks
    assert "天水" in corpus.catalog.cities
    unchanged = corpus.snapshot
    assert corpus.refresh([REPORT.name]) == 0 and corpus.snapshot is unchanged  # nothing new: the same snapshot
