"""Stored passage vectors kept in memory by chunk id, for the exact dense search within a few reports.

A chunk id is a hash of its report's text, offsets and words, so a cached vector never goes stale: a changed
passage comes with a new id and a removed one simply ages out. ``VectorCache.get`` answers from memory what it
holds and fetches the rest from the store in one call; the least recently used vectors are dropped beyond
``size`` (50,000 vectors of 384 floats are about 77 MB). Leaves out: choosing which chunks to search
(``qa.retrieve``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from core.interfaces import Store

SIZE = 50_000


class VectorCache:
    """The most recently used stored vectors of one store, by chunk id."""

    def __init__(self, store: Store, size: int = SIZE) -> None:
        self.store = store
        self.size = size
        self._rows: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """(the ids the store holds, in the asked order; their vectors, one row each)."""
        with self._lock:
            held = {i: self._rows[i] for i in ids if i in self._rows}
            for i in held:
                self._rows.move_to_end(i)
        missing = [i for i in ids if i not in held]
        if missing:
            found, matrix = self.store.vectors(missing)
            fetched = dict(zip(found, matrix, strict=True))
            held.update(fetched)
            with self._lock:
                self._rows.update(fetched)
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        order = [i for i in ids if i in held]
        if not order:
            return [], np.zeros((0, 0), dtype=np.float32)
        return order, np.stack([held[i] for i in order])
