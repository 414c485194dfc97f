"""The one indexer: read → detect city/year → chunk → embed what is new → upsert → drop stale chunks.

The CLI, uploads through the API/UI and the benchmark all index through ``Indexer``. Idempotent and
crash-safe: chunk ids are content hashes, only chunks missing from the store are embedded, and a report's
old chunks are removed only after its new ones are stored, so an interrupted run loses nothing and the
next run completes it. A report whose text is already indexed under another name is skipped as a duplicate.
Leaves out: the in-memory search side (``qa.corpus`` re-reads the store after a write).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.interfaces import Embedder, Store
from core.settings import Settings
from core.text import normalize
from core.types import ChunkMeta, IndexOutcome
from index.chunk import chunk_report
from index.embed import get_embedder
from index.load import Report, ReportError, find_reports, read_report, read_report_bytes
from index.meta import detect_city, detect_year
from index.store import ChromaStore

BATCH = 64


def embed_text(meta: ChunkMeta, text: str) -> str:
    """What the embedder and BM25 see for a chunk: place, year and heading give the passage context."""
    sections = meta.sections
    head = " ".join(
        p for p in (meta.city, f"{meta.year}年" if meta.year else "", sections[-1] if sections else "") if p
    )
    return normalize(f"{head}\n{text}" if head else text)


@dataclass
class Indexer:
    """Writes reports into one store with one embedder."""

    embedder: Embedder
    store: Store
    chunk_size: int
    overlap: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Indexer:
        embedder = get_embedder(settings.embed_model, settings.models_dir)
        store = ChromaStore.from_settings(settings, embedder.name)
        return cls(embedder, store, settings.chunk_size, settings.chunk_overlap)

    def index_report(self, report: Report, progress: bool = False) -> IndexOutcome:
        """Index one decoded report."""
        doc_sha = hashlib.sha256(report.text.encode("utf-8")).hexdigest()
        other = self.store.doc_with_sha(doc_sha)
        if other is not None and other != report.name:
            return IndexOutcome(
                doc=report.name, status="duplicate", message=f"same text as already indexed report {other}"
            )

        city, year = detect_city(report.text), detect_year(report.text)
        chunks = chunk_report(report.name, report.text, doc_sha, self.chunk_size, self.overlap)
        if not chunks:
            return IndexOutcome(doc=report.name, status="error", message="no text to index")
        metas = {c.id: ChunkMeta(c.doc, city, year, c.section_path, c.index, c.start, c.end, doc_sha) for c in chunks}
        have = self.store.existing_ids(list(metas))
        todo = [c for c in chunks if c.id not in have]
        for i in range(0, len(todo), BATCH):
            part = todo[i : i + BATCH]
            vectors = self.embedder.encode_passages([embed_text(metas[c.id], c.text) for c in part], progress=progress)
            self.store.upsert(
                [c.id for c in part], vectors, [c.text for c in part], [metas[c.id].to_store() for c in part]
            )
        stale = sorted(set(self.store.doc_ids(report.name)) - set(metas))
        self.store.delete_ids(stale)
        status = "indexed" if todo or stale else "unchanged"
        return IndexOutcome(
            doc=report.name,
            status=status,
            chunks=len(chunks),
            added=len(todo),
            removed=len(stale),
            city=city,
            year=year,
        )

    def index_bytes(self, name: str, data: bytes) -> IndexOutcome:
        """Index an uploaded file (raises ``ReportError`` for unreadable ones)."""
        return self.index_report(read_report_bytes(name, data))

    def index_paths(
        self, paths: list[Path], on_outcome: Callable[[IndexOutcome], None] | None = None, progress: bool = False
    ) -> list[IndexOutcome]:
        """Index files and folders; a bad file is reported and skipped, the rest go on."""
        outcomes = []
        for path in find_reports(paths):
            try:
                outcome = self.index_report(read_report(path), progress)
            except ReportError as exc:
                outcome = IndexOutcome(doc=path.name, status="error", message=str(exc))
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
        return outcomes

    def remove(self, doc: str) -> int:
        """Remove every chunk of a report; how many were removed."""
        return self.store.delete_doc(doc)
