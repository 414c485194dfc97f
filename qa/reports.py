"""Report management for a running service: list (with titles), read back, add (upload) and remove reports.

Writes go through the one ``index.indexer.Indexer``, then the written report is brought in step in the corpus
so the next question here sees it (other app servers learn of it from the store's change feed). Listings and
texts come from the lexical index's tables, not from a read of every chunk. Leaves out: answering
(``qa.service``) and the HTTP/UI checks on uploads.
"""

from __future__ import annotations

import threading

from pydantic import BaseModel

from core.types import IndexOutcome
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
        """Indexed reports with city, year and chunk count, by name (from the lexical index's report rows)."""
        return [
            ReportInfo(
                doc=r.doc,
                title=r.title or detect_title(r.first_text, r.city, r.years[0] if r.years else 0),
                city=r.city,
                year=r.years[0] if r.years else 0,
                chunks=r.chunks,
                indexed_at=r.indexed_at,
            )
            for r in self.corpus.reports()
        ]

    def text(self, name: str) -> str | None:
        """A report's text put back together from its passages (None when no report has that name).

        Passages overlap and hold every non-space character of the report, so the text is the report's own
        except that blank runs between passages come back as one line break.
        """
        chunks = self.corpus.doc_chunks(name)
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
            self.corpus.refresh([name])
        return outcome

    def remove(self, name: str) -> int:
        """Remove every chunk of a report; returns how many were removed."""
        removed = self.indexer.remove(name)
        with self._write_lock:
            self.corpus.refresh([name])
        return removed
