"""Hybrid retrieval: dense (Chroma) over passages and over their sentences + BM25 over jieba tokens, fused by
reciprocal rank.

For English questions a third ranking orders passages by their sentence nearest the question (the
evidence-sentence vectors kept beside the store): a question in another language than the reports matches one
sentence far better than a passage's average of several topics. (Chinese questions have BM25 over the same words;
there the sentence ranking moved short caption lines up.)

Cities and years named in the question restrict the search to the matching reports; a year no matching
report covers is flagged so the answer can say so. Within a few reports (at most ``EXACT_MAX`` chunks) the
dense search is exact over their stored vectors, fetched by id (and kept, ``qa.vector_cache``), so its cost
follows the reports searched rather than the collection; a wider scope is the store's filtered query.
An English question's BM25 looks for its words' Chinese glosses (``lexical_terms``). ``qa.lc_retriever`` exposes
the same search as a LangChain retriever. Leaves out: re-ranking with a cross-encoder (none is available offline).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.interfaces import Embedder, Store
from core.text import tokens
from core.types import StoredChunk
from qa.corpus import Corpus
from qa.focus import domain_words
from qa.plan import Options, QuestionPlan
from qa.query import Query, parse
from qa.vector_cache import VectorCache

RRF_K = 60
BM25_DOMINANT = 2.5  # a BM25 top score this many times the second counts as a second first rank in the fusion
SENTENCE_POOL = 40  # nearest sentences read for the sentence ranking
# the chunk ids of the sentences nearest a vector, best first (within the given reports, or all)
NearestChunks = Callable[[np.ndarray, int, list[str] | None], list[str]]
EXACT_MAX = 3000  # a scoped dense search over at most this many chunks is exact, over their stored vectors


@dataclass
class Hit:
    """A retrieved chunk with its scores (``score`` is the fused one)."""

    chunk: StoredChunk
    score: float
    dense: float = 0.0
    bm25: float = 0.0

    @property
    def doc(self) -> str:
        return self.chunk.meta.doc


@dataclass
class Retrieval:
    """Hits plus what the retriever noticed about the question's scope."""

    hits: list[Hit]
    allowed_docs: list[str]
    uncovered_years: list[int] = field(default_factory=list)
    query_vector: np.ndarray | None = None
    timings: dict[str, float] = field(default_factory=dict)


def lexical_terms(query: Query) -> list[str]:
    """The words BM25 looks for: a Chinese question's own tokens; an English question's Chinese words (those it
    writes itself, the domain glossary's and each word's first gloss — the reports' own word for it; the looser
    senses after it pulled in passages about other things) besides its English tokens."""
    if query.lang != "en":
        return tokens(query.norm)
    own = [w for w in domain_words(query.norm) if len(w) > 1]  # the glossary's words (not a unit: 场, 期), then
    chinese = " ".join([*own, *(ws[0] for ws in query.glosses.values() if ws), *query.keywords])  # the first sense
    return tokens(query.norm) + tokens(chinese)


class HybridSearcher:
    """Dense (the store; for English questions also ``sentences``, the passages of the sentences nearest the
    question) + BM25 (the corpus's lexical index) search, fused by reciprocal rank."""

    def __init__(
        self, corpus: Corpus, store: Store, embedder: Embedder, sentences: NearestChunks | None = None
    ) -> None:
        self.corpus = corpus
        self.store = store
        self.vectors = VectorCache(store)
        self.embedder = embedder
        self.sentences = sentences

    def parse(self, question: str) -> Query:
        return parse(question, self.corpus.catalog)

    def scope(self, query: Query, filters: dict[str, Any] | None, options: Options) -> tuple[list[str], list[int]]:
        """The reports a question may draw on, and years it names that no such report covers."""
        catalog = self.corpus.catalog
        docs = sorted(catalog.doc_city)
        filters = filters or {}
        if filters.get("docs"):
            docs = [d for d in docs if d in set(filters["docs"])]
        if filters.get("cities"):
            docs = [d for d in docs if catalog.doc_city.get(d) in set(filters["cities"])]
        if not options.place_filter:
            return docs, []
        if query.cities:
            docs = [d for d in docs if catalog.doc_city.get(d) in set(query.cities)]
        uncovered: list[int] = []
        if query.years and docs:
            covered = [d for d in docs if catalog.years.get(d, set()) & set(query.years)]
            if covered:
                docs = covered
            else:
                uncovered = list(query.years)
        return docs, uncovered

    def dense(self, vector: np.ndarray, k: int, docs: set[str] | None) -> list[tuple[StoredChunk, float]]:
        """The ``k`` chunks nearest ``vector`` (within ``docs`` when given), with cosine similarity, best first.

        Within a few reports the search is exact over their chunks' stored vectors: a store's filtered
        nearest-neighbour query costs time in proportion to the whole collection, this in proportion to the
        reports searched."""
        ids = self.corpus.chunk_ids(sorted(docs), EXACT_MAX) if docs is not None else None
        if ids is None:
            return self.store.query(vector, k, None if docs is None else {"doc": {"$in": sorted(docs)}})
        found, matrix = self.vectors.get(ids)
        if not found:
            return []
        sims = (matrix @ vector) / np.maximum(np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector), 1e-12)
        best = np.argsort(-sims, kind="stable")[:k]
        chunks = self.corpus.chunks([found[i] for i in best])
        return [(chunks[found[i]], float(sims[i])) for i in best if found[i] in chunks]

    def search(
        self,
        query: Query,
        k: int = 8,
        filters: dict[str, Any] | None = None,
        options: Options = Options(),
        pool: int = 30,
    ) -> Retrieval:
        timings: dict[str, float] = {}
        snapshot = self.corpus.snapshot
        docs, uncovered = self.scope(query, filters, options)
        allowed = set(docs)
        all_docs = len(allowed) == len(snapshot.catalog.doc_city)
        dense_rank: dict[str, tuple[int, float]] = {}
        bm25_rank: dict[str, tuple[int, float]] = {}
        sentence_rank: dict[str, int] = {}
        vector = None
        found: dict[str, StoredChunk] = {}

        if options.dense and allowed:
            t = time.perf_counter()
            vector = self.embedder.encode_queries([query.norm])[0]
            timings["embed"] = time.perf_counter() - t
            t = time.perf_counter()
            for rank, (chunk, sim) in enumerate(self.dense(vector, pool, None if all_docs else allowed)):
                dense_rank[chunk.id] = (rank, sim)
                found[chunk.id] = chunk
            timings["dense"] = time.perf_counter() - t
            if self.sentences is not None and options.sentences and query.lang == "en":
                t = time.perf_counter()
                near = self.sentences(vector, SENTENCE_POOL, None if all_docs else sorted(allowed))
                missing = [c for c in near if c not in found]
                found.update(self.corpus.chunks(missing) if missing else {})
                sentence_rank = {cid: rank for rank, cid in enumerate(c for c in near if c in found)}
                timings["sentences"] = time.perf_counter() - t

        if options.bm25 and allowed:
            t = time.perf_counter()
            within = None if all_docs else sorted(allowed)
            for rank, (chunk, score) in enumerate(self.corpus.bm25(lexical_terms(query), pool, within)):
                bm25_rank[chunk.id] = (rank, score)
                found.setdefault(chunk.id, chunk)
            timings["bm25"] = time.perf_counter() - t

        t = time.perf_counter()
        hits = []
        lexical = sorted(bm25_rank.values())
        dominant = len(lexical) >= 2 and lexical[0][1] >= BM25_DOMINANT * lexical[1][1] > 0
        for cid, chunk in found.items():
            score = 0.0
            if cid in dense_rank:
                score += 1.0 / (RRF_K + dense_rank[cid][0] + 1)
            if cid in bm25_rank:
                score += 1.0 / (RRF_K + bm25_rank[cid][0] + 1)
                if dominant and bm25_rank[cid][0] == 0:
                    score += 1.0 / (RRF_K + 1)  # the question's words meet here far more than anywhere else
            if cid in sentence_rank:
                score += 1.0 / (RRF_K + sentence_rank[cid] + 1)
            hits.append(Hit(chunk, score, dense_rank.get(cid, (0, 0.0))[1], bm25_rank.get(cid, (0, 0.0))[1]))
        hits.sort(key=lambda h: -h.score)
        timings["fuse"] = time.perf_counter() - t
        return Retrieval(hits[:k], docs, uncovered, vector, timings)


    def retrieve(self, plan: QuestionPlan) -> list[Retrieval]:
        """One retrieval per target of the plan (per city for a multi-city question)."""
        k = max(plan.k, 5)
        return [self.search(t.query, k, plan.filters, plan.options) for t in plan.targets]
