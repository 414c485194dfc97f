"""Index reports: read → detect city/year → chunk → embed what is new → upsert → drop stale chunks.

Idempotent and crash-safe: chunk ids are content hashes, only chunks missing from the store are
embedded, and a report's old chunks are removed only after its new ones are stored, so an interrupted
run loses nothing and the next run completes it. A report whose text is already indexed under another
name is skipped as a duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.chunk import Chunk, chunk_report
from index.embed import SentenceEmbedder
from index.load import Report, ReportError, find_reports, read_report
from index.meta import detect_city, detect_year
from index.normalize import normalize
from index.store import ChromaStore

BATCH = 64


@dataclass
class IndexOutcome:
    """What happened to one file."""

    doc: str
    status: str  # indexed | unchanged | duplicate | error
    chunks: int = 0
    added: int = 0
    removed: int = 0
    city: str = ""
    year: int = 0
    message: str = ""


def embed_text(city: str, year: int, section: list[str], text: str) -> str:
    """What the embedder and BM25 see for a chunk: place, year and heading give the passage context."""
    head = " ".join(p for p in (city, f"{year}年" if year else "", section[-1] if section else "") if p)
    return normalize(f"{head}\n{text}" if head else text)


def chunk_metadata(chunk: Chunk, city: str, year: int, doc_sha: str) -> dict:
    return {
        "doc": chunk.doc,
        "city": city,
        "year": year,
        "section": chunk.section_path,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "doc_sha": doc_sha,
    }


def index_report(
    report: Report,
    embedder: SentenceEmbedder,
    store: ChromaStore,
    chunk_size: int = 260,
    overlap: int = 60,
    progress: bool = False,
) -> IndexOutcome:
    """Index one decoded report into the store."""
    doc_sha = hashlib.sha256(report.text.encode("utf-8")).hexdigest()
    same = store.collection.get(where={"doc_sha": doc_sha}, include=["metadatas"], limit=1)
    if same["ids"] and same["metadatas"][0]["doc"] != report.name:
        other = same["metadatas"][0]["doc"]
        return IndexOutcome(report.name, "duplicate", message=f"same text as already indexed report {other}")

    city, year = detect_city(report.text), detect_year(report.text)
    chunks = chunk_report(report.name, report.text, doc_sha, chunk_size, overlap)
    if not chunks:
        return IndexOutcome(report.name, "error", message="no text to index")
    ids = [c.id for c in chunks]
    have = store.existing_ids(ids)
    todo = [c for c in chunks if c.id not in have]
    for i in range(0, len(todo), BATCH):
        part = todo[i : i + BATCH]
        vectors = embedder.encode_passages(
            [embed_text(city, year, c.section, c.text) for c in part], progress=progress
        )
        store.upsert(
            [c.id for c in part],
            vectors,
            [c.text for c in part],
            [chunk_metadata(c, city, year, doc_sha) for c in part],
        )
    stale = sorted(set(store.doc_ids(report.name)) - set(ids))
    store.delete_ids(stale)
    status = "indexed" if todo or stale else "unchanged"
    return IndexOutcome(report.name, status, len(chunks), len(todo), len(stale), city, year)


def index_paths(
    paths: list[Path],
    embedder: SentenceEmbedder,
    store: ChromaStore,
    chunk_size: int = 260,
    overlap: int = 60,
    on_outcome: Callable[[IndexOutcome], None] | None = None,
    progress: bool = False,
) -> list[IndexOutcome]:
    """Index files and folders; a bad file is reported and skipped, the rest go on."""
    outcomes = []
    for path in find_reports(paths):
        try:
            outcome = index_report(read_report(path), embedder, store, chunk_size, overlap, progress)
        except ReportError as exc:
            outcome = IndexOutcome(path.name, "error", message=str(exc))
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return outcomes
