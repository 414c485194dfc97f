"""Report management for a running service: list (with titles), read back, add (upload) and remove reports.

Writes go through the one ``index.indexer.Indexer`` under a lock, then the corpus is refreshed so the
next question sees them. Leaves out: answering (``qa.service``) and the HTTP/UI checks on uploads.
"""

from __future__ import annotations

import threading

from pydantic import BaseModel

from core.types import IndexOutcome, StoredChunk
from index.indexer import Indexer, Progress
from index.meta import detect_title
from qa.corpus import Corpus


class ReportInfo(BaseModel):
    """An indexed report with its title, city, year, passage count and when it was indexed."""

    doc: str
    title: str = ""
    city: str = ""
    year: int = 0
    chunks: int
    indexed_at: str = ""  # ISO 8601 (UTC) of its latest stored passage; "" for an index built before it was kept


class ReportManager:
    """Lists, adds and removes the reports of one corpus."""

    def __init__(self, indexer: Indexer, corpus: Corpus) -> None:
        self.indexer = indexer
        self.corpus = corpus
        self._write_lock = threading.Lock()

    def documents(self) -> list[ReportInfo]:
        """Indexed reports with city, year and chunk count, by name."""
        docs: dict[str, ReportInfo] = {}
        firsts: dict[str, StoredChunk] = {}
        for c in self.corpus.snapshot.chunks:
            meta = c.meta
            info = docs.setdefault(meta.doc, ReportInfo(doc=meta.doc, city=meta.city, year=meta.year, chunks=0))
            info.chunks += 1
            info.title = info.title or meta.title
            info.indexed_at = max(info.indexed_at, meta.indexed_at)
            if meta.doc not in firsts or meta.start < firsts[meta.doc].meta.start:
                firsts[meta.doc] = c
        for doc, info in docs.items():  # an index built before titles were kept: from its first passage
            info.title = info.title or detect_title(firsts[doc].text, info.city, info.year)
        return sorted(docs.values(), key=lambda d: d.doc)

    def text(self, name: str) -> str | None:
        """A report's text put back together from its passages (None when no report has that name).

        Passages overlap and hold every non-space character of the report, so the text is the report's own
        except that blank runs between passages come back as one line break.
        """
        chunks = sorted((c for c in self.corpus.snapshot.chunks if c.meta.doc == name), key=lambda c: c.meta.start)
        if not chunks:
            return None
        parts: list[str] = []
        end = chunks[0].meta.start
        for c in chunks:
            start = c.meta.start
            if start > end:
                parts.append("\n")
            parts.append(c.text[max(0, end - start) :])
            end = max(end, c.meta.end)
        return "".join(parts)

    def add(self, name: str, data: bytes, on_step: Progress | None = None) -> IndexOutcome:
        """Index an uploaded report (raises ``ReportError`` for unreadable files); ``on_step`` hears each step."""
        outcome = self.indexer.index_bytes(name, data, on_step)  # in bounded steps, taking turns with other writes
        with self._write_lock:
            self.corpus.refresh()
        return outcome

    def remove(self, name: str) -> int:
        """Remove every chunk of a report; returns how many were removed."""
        removed = self.indexer.remove(name)
        with self._write_lock:
            self.corpus.refresh()
        return removed
