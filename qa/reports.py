"""Report management for a running service: list, add (upload) and remove reports.

Writes go through the one ``index.indexer.Indexer`` under a lock, then the corpus is refreshed so the
next question sees them. Leaves out: answering (``qa.service``) and the HTTP/UI checks on uploads.
"""

from __future__ import annotations

import threading

from pydantic import BaseModel

from core.types import IndexOutcome
from index.indexer import Indexer
from qa.corpus import Corpus


class ReportInfo(BaseModel):
    """An indexed report with its city, year and passage count."""

    doc: str
    city: str = ""
    year: int = 0
    chunks: int


class ReportManager:
    """Lists, adds and removes the reports of one corpus."""

    def __init__(self, indexer: Indexer, corpus: Corpus) -> None:
        self.indexer = indexer
        self.corpus = corpus
        self._write_lock = threading.Lock()

    def documents(self) -> list[ReportInfo]:
        """Indexed reports with city, year and chunk count, by name."""
        docs: dict[str, ReportInfo] = {}
        for c in self.corpus.snapshot.chunks:
            meta = c.meta
            info = docs.setdefault(meta.doc, ReportInfo(doc=meta.doc, city=meta.city, year=meta.year, chunks=0))
            info.chunks += 1
        return sorted(docs.values(), key=lambda d: d.doc)

    def add(self, name: str, data: bytes) -> IndexOutcome:
        """Index an uploaded report (raises ``ReportError`` for unreadable files)."""
        outcome = self.indexer.index_bytes(name, data)  # in bounded steps, taking turns with other writes
        with self._write_lock:
            self.corpus.refresh()
        return outcome

    def remove(self, name: str) -> int:
        """Remove every chunk of a report; returns how many were removed."""
        removed = self.indexer.remove(name)
        with self._write_lock:
            self.corpus.refresh()
        return removed
