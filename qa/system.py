"""Build the running parts from settings once: embedder, store, corpus, searcher, answerers, services,
upload jobs and the feedback store.

``System.from_settings(settings)`` is what the CLI, the server, the eval and the benchmark start from; tests
pass their own embedder or store. Leaves out: any behaviour (each part owns its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.interfaces import Embedder, Store
from core.settings import Settings
from index.embed import get_embedder
from index.indexer import Indexer
from index.sentvec import beside
from index.store import ChromaStore
from qa.answer import ExtractiveAnswerer, Thresholds
from qa.corpus import Corpus
from qa.feedback import FeedbackStore, feedback_path
from qa.jobs import JobQueue
from qa.llm_answer import LLMAnswerer
from qa.reports import ReportManager
from qa.retrieve import HybridSearcher
from qa.service import QAService


@dataclass
class System:
    """The answering service and the report manager over one shared corpus; upload jobs and feedback beside."""

    settings: Settings
    service: QAService
    reports: ReportManager
    jobs: JobQueue = field(init=False)
    feedback: FeedbackStore = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = JobQueue(self.reports, self.settings.data_dir / "jobs", self.settings.max_upload_mb * 1024 * 1024)
        self.feedback = FeedbackStore(feedback_path(self.settings))

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        store: Store | None = None,
        thresholds: Thresholds = Thresholds(),
    ) -> System:
        embedder = embedder or get_embedder(settings.embed_model, settings.models_dir, settings.encoder)
        store = store or ChromaStore.from_settings(settings, embedder.name)
        corpus = Corpus(store, settings.data_dir / "lexicon" / settings.collection)
        corpus.watch(settings.sync_interval)
        sentences = beside(store)
        searcher = HybridSearcher(corpus, store, embedder, sentences.nearest_chunks if sentences else None)
        stored = sentences.get if sentences is not None else None
        extractive = ExtractiveAnswerer(
            lambda: corpus.snapshot.idf, embedder.encode_passages, thresholds, stored, corpus.doc_chunks
        )
        service = QAService(settings, corpus, searcher, extractive, LLMAnswerer(settings))
        indexer = Indexer.from_settings(settings, embedder, store)
        return cls(settings, service, ReportManager(indexer, corpus))
