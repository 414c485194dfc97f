"""Hybrid retrieval: dense (Chroma) + BM25 over jieba tokens, fused by reciprocal rank.

Cities and years named in the question restrict the search to the matching reports through chunk
metadata; a year no matching report covers is flagged so the answer can say so. ``HybridRetriever``
exposes the same search as a LangChain retriever. Leaves out: re-ranking with a cross-encoder (none
is available offline) and query expansion.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.embed import SentenceEmbedder
from index.pipeline import embed_text
from index.store import ChromaStore, StoredChunk
from qa.query import Catalog, Query, parse, tokens

RRF_K = 60


@dataclass
class Hit:
    """A retrieved chunk with its scores (``score`` is the fused one)."""

    chunk: StoredChunk
    score: float
    dense: float = 0.0
    bm25: float = 0.0

    @property
    def doc(self) -> str:
        return self.chunk.meta.get("doc", "")


@dataclass(frozen=True)
class Options:
    """Switches for ablations: each part of retrieval can be turned off."""

    dense: bool = True
    bm25: bool = True
    place_filter: bool = True


@dataclass
class Retrieval:
    """Hits plus what the retriever noticed about the question's scope."""

    hits: list[Hit]
    allowed_docs: list[str]
    uncovered_years: list[int] = field(default_factory=list)
    query_vector: np.ndarray | None = None
    timings: dict[str, float] = field(default_factory=dict)


class Bm25:
    """BM25 (Okapi) over jieba tokens of each chunk's normalised text."""

    def __init__(self, chunks: list[StoredChunk]) -> None:
        from rank_bm25 import BM25Okapi

        self.chunks = chunks
        corpus = [tokens(_search_text(c)) for c in chunks]
        self.model = BM25Okapi(corpus) if corpus else None

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if self.model is None or not query_tokens:
            return np.zeros(len(self.chunks))
        return np.asarray(self.model.get_scores(query_tokens), dtype=np.float64)


def _search_text(chunk: StoredChunk) -> str:
    meta = chunk.meta
    section = meta.get("section", "").split(" > ")
    return embed_text(meta.get("city", ""), int(meta.get("year", 0) or 0), [s for s in section if s], chunk.text)


def build_catalog(chunks: list[StoredChunk]) -> Catalog:
    catalog = Catalog()
    texts = []
    for c in chunks:
        doc, city, year = c.meta.get("doc", ""), c.meta.get("city", ""), int(c.meta.get("year", 0) or 0)
        catalog.doc_city[doc] = city
        if city:
            catalog.cities.setdefault(city, [])
            if doc not in catalog.cities[city]:
                catalog.cities[city].append(doc)
        catalog.years.setdefault(doc, set())
        if year:
            catalog.years[doc].add(year)
        texts.append(c.text)
    from index.normalize import normalize

    catalog.corpus_text = normalize("\n".join(texts))
    return catalog


class HybridSearcher:
    """Dense + BM25 search over the store, with an in-memory BM25 index rebuilt on ``refresh``."""

    def __init__(self, store: ChromaStore, embedder: SentenceEmbedder) -> None:
        self.store = store
        self.embedder = embedder
        self._lock = threading.Lock()
        self.refresh()

    def refresh(self) -> None:
        """Re-read every chunk from the store (after indexing, uploads or deletes)."""
        chunks = self.store.chunks()
        bm25 = Bm25(chunks)
        catalog = build_catalog(chunks)
        with self._lock:
            self.chunks, self.bm25, self.catalog = chunks, bm25, catalog
            self.position = {c.id: i for i, c in enumerate(chunks)}

    def parse(self, question: str) -> Query:
        return parse(question, self.catalog)

    def scope(self, query: Query, filters: dict[str, Any] | None, options: Options) -> tuple[list[str], list[int]]:
        """The reports a question may draw on, and years it names that no such report covers."""
        docs = sorted(self.catalog.doc_city)
        filters = filters or {}
        if filters.get("docs"):
            docs = [d for d in docs if d in set(filters["docs"])]
        if filters.get("cities"):
            docs = [d for d in docs if self.catalog.doc_city.get(d) in set(filters["cities"])]
        if not options.place_filter:
            return docs, []
        if query.cities:
            docs = [d for d in docs if self.catalog.doc_city.get(d) in set(query.cities)]
        uncovered: list[int] = []
        if query.years and docs:
            covered = [d for d in docs if self.catalog.years.get(d, set()) & set(query.years)]
            if covered:
                docs = covered
            else:
                uncovered = list(query.years)
        return docs, uncovered

    def search(
        self,
        query: Query,
        k: int = 8,
        filters: dict[str, Any] | None = None,
        options: Options = Options(),
        pool: int = 30,
    ) -> Retrieval:
        timings: dict[str, float] = {}
        docs, uncovered = self.scope(query, filters, options)
        allowed = set(docs)
        all_docs = len(allowed) == len(self.catalog.doc_city)
        dense_rank: dict[str, tuple[int, float]] = {}
        bm25_rank: dict[str, tuple[int, float]] = {}
        vector = None
        found: dict[str, StoredChunk] = {}

        if options.dense and allowed:
            t = time.perf_counter()
            vector = self.embedder.encode_queries([query.norm])[0]
            timings["embed"] = time.perf_counter() - t
            t = time.perf_counter()
            where = None if all_docs else {"doc": {"$in": sorted(allowed)}}
            for rank, (chunk, sim) in enumerate(self.store.query(vector, pool, where)):
                dense_rank[chunk.id] = (rank, sim)
                found[chunk.id] = chunk
            timings["dense"] = time.perf_counter() - t

        if options.bm25 and allowed:
            t = time.perf_counter()
            scores = self.bm25.scores(tokens(query.norm))
            order = np.argsort(-scores)
            rank = 0
            for i in order:
                chunk = self.bm25.chunks[int(i)]
                if scores[i] <= 0 or rank >= pool:
                    break
                if chunk.meta.get("doc") not in allowed:
                    continue
                bm25_rank[chunk.id] = (rank, float(scores[i]))
                found.setdefault(chunk.id, chunk)
                rank += 1
            timings["bm25"] = time.perf_counter() - t

        t = time.perf_counter()
        hits = []
        for cid, chunk in found.items():
            score = 0.0
            if cid in dense_rank:
                score += 1.0 / (RRF_K + dense_rank[cid][0] + 1)
            if cid in bm25_rank:
                score += 1.0 / (RRF_K + bm25_rank[cid][0] + 1)
            hits.append(Hit(chunk, score, dense_rank.get(cid, (0, 0.0))[1], bm25_rank.get(cid, (0, 0.0))[1]))
        hits.sort(key=lambda h: -h.score)
        timings["fuse"] = time.perf_counter() - t
        return Retrieval(hits[:k], docs, uncovered, vector, timings)


def hit_to_document(hit: Hit) -> Document:
    meta = dict(hit.chunk.meta, chunk_id=hit.chunk.id, score=hit.score, dense=hit.dense, bm25=hit.bm25)
    return Document(page_content=hit.chunk.text, metadata=meta, id=hit.chunk.id)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over ``HybridSearcher`` (question in, cited passages out)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: Any
    k: int = 5
    filters: dict[str, Any] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.searcher.search(self.searcher.parse(query), self.k, self.filters)
        return [hit_to_document(h) for h in result.hits]
