"""The one indexer: read → detect city/year → chunk → embed what is new → upsert → drop stale chunks.

The CLI, uploads through the API/UI and the benchmark all index through ``Indexer``. Idempotent and
crash-safe: chunk ids are content hashes, only chunks missing from the store are embedded, and a report's
old chunks are removed only after its new ones are stored, so an interrupted run (even ``kill -9``) loses
nothing and the next run completes it. A report whose text is already indexed under another name is skipped
as a duplicate. Writes go in bounded steps of ``step`` passages, taking turns (``index.turns``) with other
writers. A report is named by its path inside the folder indexed (``a/report.txt``), so same-named files in
two folders are two reports. Each passage is stored with its BM25 tokens, and each report written or removed is
recorded in the store's change feed (``index.changes``). Leaves out: the search side (``qa.corpus`` follows the
feed).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from core.interfaces import Embedder, Store
from core.settings import Settings
from core.text import normalize, tokens
from core.types import ChunkMeta, IndexOutcome
from index.changes import ChangeFeed, feed_beside
from index.chunk import Chunk, chunk_report
from index.embed import get_embedder
from index.load import MAX_UNPACKED, Report, ReportError, named_reports, read_report, read_report_bytes
from index.meta import detect_city, detect_title, detect_year
from index.sentvec import SentenceVectors, beside
from index.store import ChromaStore
from index.turns import Turns

BATCH = 32  # passages per write step unless the settings say otherwise
Progress = Callable[[str, int, int], None]  # (report, new passages stored, new passages in all) after each step
log = logging.getLogger("fulian_qa.index")


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
    step: int = 0  # passages per write step (0: BATCH)
    max_unpacked: int = MAX_UNPACKED
    turns: Turns = field(default_factory=Turns)
    sentences: SentenceVectors | None = None  # evidence-sentence vectors (default: beside a Chroma store)
    changes: ChangeFeed | None = None  # the store's change feed, told of every report written or removed

    def __post_init__(self) -> None:
        if self.sentences is None:
            self.sentences = beside(self.store)
        if self.changes is None:
            self.changes = feed_beside(self.store)

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder | None = None, store: Store | None = None) -> Indexer:
        embedder = embedder or get_embedder(settings.embed_model, settings.models_dir, settings.encoder)
        store = store or ChromaStore.from_settings(settings, embedder.name)
        return cls(
            embedder,
            store,
            settings.chunk_size,
            settings.chunk_overlap,
            settings.write_step,
            settings.max_unpacked_mb * 1024 * 1024,
        )

    def index_report(self, report: Report, progress: bool = False, on_step: Progress | None = None) -> IndexOutcome:
        """Index one decoded report (writes of the same report are serialised); ``on_step`` hears each step."""
        with self.turns.for_doc(report.name):
            try:
                outcome = self._index(report, progress, on_step)
            except BaseException:
                self._announce(report.name, quiet=True)  # whatever was stored before the failure
                raise
            if outcome.status == "indexed":
                self._announce(report.name)
            return outcome

    def _announce(self, doc: str, op: str = "index", quiet: bool = False) -> None:
        """Tell the change feed that ``doc`` was written or removed (``quiet``: a failure to do so is ignored)."""
        if self.changes is None:
            return
        try:
            with self.turns.step():
                self.changes.record(doc, op)
        except Exception:
            if not quiet:
                raise

    def _index(self, report: Report, progress: bool, on_step: Progress | None = None) -> IndexOutcome:
        doc_sha = hashlib.sha256(report.text.encode("utf-8")).hexdigest()
        with self.turns.step():
            other = self.store.doc_with_sha(doc_sha)
        if other is not None and other != report.name:
            return IndexOutcome(
                doc=report.name,
                status="duplicate",
                message=f"same text as already indexed report {other}",
                duplicate_of=other,
            )
        city, year = detect_city(report.text), detect_year(report.text)
        title, indexed_at = detect_title(report.text, city, year), datetime.now(UTC).isoformat(timespec="seconds")
        chunks = chunk_report(report.name, report.text, doc_sha, self.chunk_size, self.overlap)
        if not chunks:
            return IndexOutcome(doc=report.name, status="error", message="no text to index")
        metas = {
            c.id: ChunkMeta(c.doc, city, year, c.section_path, c.index, c.start, c.end, doc_sha, title, indexed_at)
            for c in chunks
        }
        with self.turns.step():
            have = self.store.existing_ids(list(metas))
        todo = [c for c in chunks if c.id not in have]
        self._backfill(report.name, [c for c in chunks if c.id in have])
        self._write(report.name, todo, metas, progress, on_step)
        with self.turns.step():
            stale = sorted(set(self.store.doc_ids(report.name)) - set(metas))
            self.store.delete_ids(stale)
            if self.sentences is not None and stale:
                self.sentences.delete_chunks(stale)
        status = "indexed" if todo or stale else "unchanged"
        return IndexOutcome(
            doc=report.name,
            status=status,
            chunks=len(chunks),
            added=len(todo),
            removed=len(stale),
            city=city,
            year=year,
            title=title,
        )

    def _write(
        self, doc: str, todo: list[Chunk], metas: dict[str, ChunkMeta], progress: bool, on_step: Progress | None = None
    ) -> None:
        """Embed and store ``todo`` one bounded step at a time."""
        size = self.step or BATCH
        if on_step:
            on_step(doc, 0, len(todo))
        for i in range(0, len(todo), size):
            part = todo[i : i + size]
            with self.turns.step():
                texts = [embed_text(metas[c.id], c.text) for c in part]
                vectors = self.embedder.encode_passages(texts, progress=progress)
                if self.sentences is not None:  # before the chunks: a crash leaves no chunk without them
                    self.sentences.put(doc, [(c.id, c.text) for c in part], self.embedder)
                kept = [  # with the BM25 tokens, so no app server tokenises the passage again
                    metas[c.id].to_store() | {"toks": " ".join(tokens(t))} for c, t in zip(part, texts, strict=True)
                ]
                self.store.upsert([c.id for c in part], vectors, [c.text for c in part], kept)
            log.info("%s: stored %d/%d new passages", doc, i + len(part), len(todo))
            if on_step:
                on_step(doc, i + len(part), len(todo))

    def _backfill(self, doc: str, stored: list[Chunk]) -> None:
        """Sentence vectors for stored chunks that have none (an index built before they were kept)."""
        if self.sentences is None or not stored:
            return
        with self.turns.step():
            have = self.sentences.chunks_with_vectors(doc)
        missing = [c for c in stored if c.id not in have]
        for i in range(0, len(missing), self.step or BATCH):
            with self.turns.step():
                self.sentences.put(doc, [(c.id, c.text) for c in missing[i : i + (self.step or BATCH)]], self.embedder)

    def index_bytes(self, name: str, data: bytes, on_step: Progress | None = None) -> IndexOutcome:
        """Index an uploaded file (raises ``ReportError`` for unreadable ones)."""
        return self.index_report(read_report_bytes(name, data, self.max_unpacked), on_step=on_step)

    def index_paths(
        self, paths: list[Path], on_outcome: Callable[[IndexOutcome], None] | None = None, progress: bool = False
    ) -> list[IndexOutcome]:
        """Index files and folders, each report named by its path inside its folder; a bad file is reported and
        skipped, the rest go on."""
        outcomes = []
        for path, name in named_reports(paths):
            try:
                outcome = self.index_report(read_report(path, name, self.max_unpacked), progress)
            except ReportError as exc:
                outcome = IndexOutcome(doc=name, status="error", message=str(exc))
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
        return outcomes

    def remove(self, doc: str) -> int:
        """Remove every chunk of a report; how many were removed."""
        with self.turns.for_doc(doc):
            with self.turns.step():
                removed = self.store.delete_doc(doc)
                if self.sentences is not None:
                    self.sentences.delete_doc(doc)
            if removed:
                self._announce(doc, "remove")
            return removed
