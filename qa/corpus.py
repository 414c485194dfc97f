"""The in-memory side of the index: every chunk, the BM25 index, the catalogue and bigram IDF.

``Corpus`` holds one immutable ``Snapshot`` read from the store and swaps in a new one on ``refresh``
(after a write), so a question always sees one consistent view. Leaves out: writing (``index.indexer``)
and searching (``qa.retrieve``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from core.interfaces import Store
from core.text import normalize, tokens
from core.types import StoredChunk
from index.indexer import embed_text
from qa.lexical import Idf
from qa.query import Catalog


class Bm25:
    """BM25 (Okapi) over jieba tokens of each chunk's normalised text (with its place, year and heading)."""

    def __init__(self, chunks: list[StoredChunk]) -> None:
        from rank_bm25 import BM25Okapi

        self.chunks = chunks
        corpus = [tokens(embed_text(c.meta, c.text)) for c in chunks]
        self.model = BM25Okapi(corpus) if corpus else None

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if self.model is None or not query_tokens:
            return np.zeros(len(self.chunks))
        return np.asarray(self.model.get_scores(query_tokens), dtype=np.float64)


def build_catalog(chunks: list[StoredChunk]) -> Catalog:
    """Cities, years and the corpus vocabulary, for recognising places and years in questions."""
    catalog = Catalog()
    for c in chunks:
        doc, city, year = c.meta.doc, c.meta.city, c.meta.year
        catalog.doc_city[doc] = city
        if city:
            catalog.cities.setdefault(city, [])
            if doc not in catalog.cities[city]:
                catalog.cities[city].append(doc)
        catalog.years.setdefault(doc, set())
        if year:
            catalog.years[doc].add(year)
    catalog.corpus_text = normalize("\n".join(c.text for c in chunks))
    return catalog


@dataclass(frozen=True)
class Snapshot:
    """One consistent view of the store."""

    chunks: list[StoredChunk]
    bm25: Bm25
    catalog: Catalog
    idf: Idf

    @classmethod
    def of(cls, chunks: list[StoredChunk]) -> Snapshot:
        return cls(chunks, Bm25(chunks), build_catalog(chunks), Idf([c.text for c in chunks]))


class Corpus:
    """The current snapshot of one store; ``refresh`` re-reads it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self.snapshot = Snapshot.of(store.chunks())

    def refresh(self) -> None:
        """Re-read every chunk from the store (after indexing, uploads or deletes)."""
        snapshot = Snapshot.of(self.store.chunks())
        with self._lock:
            self.snapshot = snapshot

    @property
    def catalog(self) -> Catalog:
        return self.snapshot.catalog

    def coverage(self) -> str:
        """「东营2020、天水2016…」: the cities and years the reports cover."""
        cat = self.catalog
        parts = []
        for city, docs in sorted(cat.cities.items()):
            years = sorted({y for d in docs for y in cat.years.get(d, set())})
            parts.append(city + (f"{'/'.join(map(str, years))}" if years else ""))
        return "、".join(parts) or "-"
