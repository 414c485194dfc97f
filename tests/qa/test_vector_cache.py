"""The vector cache answers from memory what it holds, fetches only the rest, keeps the asked order and drops the
least recently used. A real local Chroma store."""

from __future__ import annotations

import numpy as np

from qa.vector_cache import VectorCache


class Counting:
    """A real store, counting the ids asked of it."""

    def __init__(self, store) -> None:
        self.store = store
        self.asked: list[str] = []

    def vectors(self, ids):
        self.asked += ids
        return self.store.vectors(ids)


def test_cached_vectors_are_the_stored_ones_and_fetched_once(system):
    store = system.service.searcher.store
    ids = system.service.corpus.chunk_ids(sorted(system.service.corpus.catalog.doc_city)[:1], 3000)
    assert ids and len(ids) > 5
    counting = Counting(store)
    cache = VectorCache(counting, size=len(ids))  # type: ignore[arg-type]
    found, matrix = cache.get(ids[:5])
    want_ids, want = store.vectors(ids[:5])  # in the store's order
    stored = dict(zip(want_ids, want, strict=True))
    assert found == ids[:5] and np.allclose(matrix, np.stack([stored[i] for i in found]))
    found, matrix = cache.get(list(reversed(ids)) + ["no-such-chunk"])  # the asked order; unknown ids left out
    assert found == list(reversed(ids)) and matrix.shape == (len(ids), want.shape[1])
    assert sorted(counting.asked) == sorted(ids + ["no-such-chunk"])  # the first five were not asked again
    cache.get(["no-such-chunk"])
    assert counting.asked.count("no-such-chunk") == 2  # an unknown id is asked each time, never cached


def test_the_least_recently_used_vectors_are_dropped(system):
    store = system.service.searcher.store
    ids = system.service.corpus.chunk_ids(sorted(system.service.corpus.catalog.doc_city)[:1], 3000)[:4]
    counting = Counting(store)
    cache = VectorCache(counting, size=2)  # type: ignore[arg-type]
    cache.get(ids[:2])
    cache.get(ids[:1])  # ids[0] used again: ids[1] is now the oldest
    cache.get(ids[2:3])  # over size: ids[1] dropped
    counting.asked.clear()
    cache.get(ids[:3])
    assert counting.asked == [ids[1]]
