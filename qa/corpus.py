"""The question side's view of the index: BM25, the chunk table, the catalogue and the bigram IDF, in step with
the store.

``Corpus`` opens this app server's own lexical index (``index.lexindex``, under ``$FQA_DATA_DIR/lexicon/``),
brings it in step with the store by chunk id when it starts (only the chunks it lacks are read, and their
tokens come stored with them), then follows the store's change feed (``index.changes``): ``sync()`` brings the
reports written or removed since in step by id, ``watch(interval)`` does that on a timer, and ``refresh(docs)``
at once (after this process wrote them). Each change swaps in a new ``Snapshot`` (catalogue, IDF), so a question
sees one consistent view. Leaves out: writing (``index.indexer``) and searching (``qa.retrieve``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.interfaces import Store
from core.text import pos_tags, tokens
from core.types import ChunkMeta, StoredChunk
from index.changes import KEEP, LATE, ChangeFeed, feed_beside
from index.indexer import embed_text
from index.lexindex import Entry, LexIndex, ReportRow
from qa.lexical import Idf
from qa.query import Catalog
from qa.romanise import TableFile, romanised

log = logging.getLogger("fulian_qa.corpus")
BATCH = 2000  # chunks read from the store and applied per step


def entry_of(cid: str, text: str, raw: dict[str, Any]) -> Entry:
    """A stored chunk as the lexical index takes it: its tokens as the indexer stored them, else tokenised now."""
    meta = ChunkMeta.parse(raw)
    kept = raw.get("toks")
    toks = str(kept).split() if kept is not None else tokens(embed_text(meta, text))
    return Entry(cid, text, meta, toks)


def build_catalog(reports: list[ReportRow], vocab: Any = None) -> Catalog:
    """Cities, years and reports, for recognising places and years in questions."""
    catalog = Catalog(vocab=vocab)
    for r in reports:
        catalog.doc_city[r.doc] = r.city
        if r.city:
            catalog.cities.setdefault(r.city, []).append(r.doc)
        catalog.years[r.doc] = set(r.years)
    return catalog


_PROPER_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")


def _is_proper(word: str) -> bool:
    tags = pos_tags(word)
    return len(tags) == 1 and tags[0][1] in ("ns", "nr", "nt", "nz")


@dataclass
class Vocabulary:
    """What the reports' text holds, asked of the lexical index (answers kept for this snapshot)."""

    lex: LexIndex
    _contains: dict[str, bool] = field(default_factory=dict)
    _spellings: TableFile | None = None

    def contains(self, text: str) -> bool:
        if text not in self._contains:
            if len(self._contains) > 10_000:
                self._contains.clear()
            self._contains[text] = self.lex.contains(text)
        return self._contains[text]

    def quoted_in(self, norm: str) -> list[str]:
        return self.lex.quoted_in(norm)

    def romanised(self, norm: str) -> dict[str, tuple[str, ...]]:
        if self._spellings is None:
            self._spellings = TableFile(self.lex.path, lambda: self.lex.stats.version, self._names)
        return romanised(norm, self._spellings.table())

    def _names(self) -> list[str]:
        """The names a question may spell in pinyin: the quoted ones, then the words jieba tags as a place,
        person, organisation or other proper name (芦淞, 义乌)."""
        proper = [t for t in self.lex.terms() if _PROPER_WORD.fullmatch(t) and _is_proper(t)]
        return list(dict.fromkeys([*self.lex.quoted_names(), *proper]))


@dataclass(frozen=True)
class Snapshot:
    """One consistent view of the index: the catalogue, the bigram IDF and the chunk count."""

    catalog: Catalog
    idf: Idf
    n: int

    @classmethod
    def of(cls, lex: LexIndex) -> Snapshot:
        n = lex.stats.n
        return cls(build_catalog(lex.reports(), Vocabulary(lex)), Idf.counted(n, lex.gram_df), n)


class Corpus:
    """The indexed reports as questions see them, kept in step with one store."""

    def __init__(self, store: Store, path: Path) -> None:
        self.store = store
        self.lex = LexIndex(path, str(getattr(store, "identity", "store")))
        self.feed: ChangeFeed | None = feed_beside(store)
        self._sync_lock = threading.Lock()
        self._seen: set[str] = set()
        self._cursor = 0.0
        self._read_at = 0.0  # when the feed (or the whole store) was last read
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._last_error = ""
        self.snapshot: Snapshot
        self._snapshot_of = -1  # the lexical index's version the snapshot was taken of
        self.reconcile()

    # --- keeping in step -------------------------------------------------------------------------------------

    def reconcile(self) -> int:
        """Bring every chunk in step with the store by id; how many chunks changed."""
        with self._sync_lock:
            started = time.time()
            theirs = set(self.store.all_ids())
            changed = self._apply(sorted(theirs - self.lex.ids()), self.lex.ids() - theirs)
            self._cursor, self._read_at = max(self._cursor, started), time.monotonic()
            self._swap(force=True)
            return changed

    def refresh(self, docs: Iterable[str] | None = None) -> int:
        """Bring the named reports (default: those the change feed names) in step with the store now."""
        if docs is None:
            return self.sync()
        with self._sync_lock:
            changed = self._reconcile_docs(set(docs))
            self._swap()
            return changed

    def sync(self) -> int:
        """Apply what the change feed records since the last sync; how many chunks changed."""
        if self.feed is None or time.monotonic() - self._read_at > KEEP / 2:
            return self.reconcile()
        with self._sync_lock:
            records = self.feed.since(self._cursor - LATE)
            fresh = [c for c in records if c.id not in self._seen]
            changed = self._reconcile_docs({c.doc for c in fresh}) if fresh else 0
            self._seen = {c.id for c in records}
            self._cursor = max([self._cursor] + [c.at for c in fresh])
            self._read_at = time.monotonic()
            self._swap()
            return changed

    def _reconcile_docs(self, docs: set[str]) -> int:
        changed = 0
        for doc in sorted(docs):
            theirs = set(self.store.doc_ids(doc))
            mine = self.lex.doc_ids(doc)
            changed += self._apply(sorted(theirs - mine), mine - theirs)
        return changed

    def _apply(self, missing: list[str], extra: set[str]) -> int:
        changed = self.lex.apply([], extra) if extra else 0
        for i in range(0, len(missing), BATCH):
            rows = self.store.rows(missing[i : i + BATCH])
            changed += self.lex.apply([entry_of(*row) for row in rows], [])
        return changed

    def _swap(self, force: bool = False) -> None:
        """A new snapshot when the lexical index changed since the last one (by this process or another)."""
        self.lex.reload()
        version = self.lex.stats.version
        if force or version != self._snapshot_of:
            self.snapshot = Snapshot.of(self.lex)
            self._snapshot_of = version

    def watch(self, interval: float) -> None:
        """Sync every ``interval`` seconds in a background thread (0: never); store outages are waited out."""
        if interval <= 0 or self._watcher is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.sync()
                    self._last_error = ""
                except Exception as exc:  # the store is down or refused: the next round tries again
                    message = f"{type(exc).__name__}: {exc}"
                    if message != self._last_error and "unavailable" not in message:
                        log.warning("change feed not applied: %s", message)
                    self._last_error = message

        self._watcher = threading.Thread(target=loop, name="fulian-qa-sync", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        """Stop the background sync."""
        self._stop.set()

    # --- reading ---------------------------------------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        return self.snapshot.catalog

    @property
    def empty(self) -> bool:
        return self.snapshot.n == 0

    def bm25(
        self, query_tokens: list[str], k: int, docs: Iterable[str] | None = None
    ) -> list[tuple[StoredChunk, float]]:
        """The ``k`` best chunks by BM25 (within ``docs`` when given), best first."""
        return self.lex.search(query_tokens, k, docs)

    def chunks(self, ids: list[str]) -> dict[str, StoredChunk]:
        return self.lex.chunks(ids)

    def chunk_ids(self, docs: Iterable[str], limit: int) -> list[str] | None:
        """The ids of every chunk of ``docs``, or None when they are more than ``limit``."""
        ids: list[str] = []
        for doc in docs:
            ids += self.lex.doc_ids(doc)
            if len(ids) > limit:
                return None
        return ids

    def doc_chunks(self, doc: str) -> list[StoredChunk]:
        return self.lex.doc_chunks(doc)

    def all_chunks(self) -> Iterator[StoredChunk]:
        """Every chunk (a full read: for evaluation, not for questions)."""
        return self.lex.all_chunks()

    def reports(self) -> list[ReportRow]:
        return self.lex.reports()

    def coverage(self) -> str:
        """「东营2020、天水2016…」: the cities and years the reports cover."""
        cat = self.catalog
        parts = []
        for city, docs in sorted(cat.cities.items()):
            years = sorted({y for d in docs for y in cat.years.get(d, set())})
            parts.append(city + (f"{'/'.join(map(str, years))}" if years else ""))
        return "、".join(parts) or "-"
