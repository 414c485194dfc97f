"""The lexical index an app server keeps on its own disk, in step with the store's chunks.

One folder per collection (``$FQA_DATA_DIR/lexicon/<collection>/``): ``table.sqlite`` holds every chunk with its
jieba tokens, one row per report (city, years, title, passages), the document frequencies of tokens (BM25) and of
character bigrams (``grams``), the quoted names of the reports, and a little state; ``tantivy/`` holds the
postings (tokens, bigrams, report, city, year). ``apply(put, drop)`` changes both in one step (interrupted, the
postings are rebuilt from the table when next opened, without re-tokenising); opening is instant.

BM25 is Okapi exactly as ``rank_bm25.BM25Okapi`` scores it (k1 1.5, b 0.75, ε 0.25 of the mean idf for terms in
more than half the chunks) from the kept statistics. tantivy (whose own BM25 uses k1 1.2 and Lucene's idf) picks
the candidates among the allowed reports, ``CANDIDATES`` of them; they are scored exactly and the best returned,
so the ranking equals a full scan's whenever the full scan's best passages are among the candidates (always,
when no more chunks than that match). Leaves out: where chunks come from (``qa.corpus`` keeps this in step with
the store) and tokenising (the caller passes tokens).
"""

from __future__ import annotations

import fcntl
import json
import math
import re
import shutil
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.text import CJK_RUNS, normalize
from core.types import ChunkMeta, StoredChunk

SCHEMA = 1  # bump when what is kept per chunk changes: an older folder is rebuilt from the store
K1, B, EPSILON = 1.5, 0.75, 0.25  # rank_bm25.BM25Okapi's defaults
CANDIDATES = 400  # tantivy's best matches scored exactly per search
QUOTED = re.compile(r"[“\"「『‘《]([^“”\"「」『』‘’《》\n]{2,12})[”\"」』’》]")  # a short quoted name
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:\.[0-9]+)?")
_BRACKETS = re.compile(r"[()（）]")


def grams(text: str) -> set[str]:
    """Character bigrams of CJK runs plus whole Latin/number words, of normalised text.

    Brackets are dropped first, so 「14055人(次)」 offers the bigram 人次.
    """
    out: set[str] = set()
    for run in _CJK_RUN.findall(_BRACKETS.sub("", text)):
        if run[0].isascii() or len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def quoted_names(norm: str) -> set[str]:
    """The short quoted names (“最美庭院”, 《家庭教育促进法》) in normalised text."""
    return {m.group(1) for m in QUOTED.finditer(norm)}


@dataclass(frozen=True)
class Entry:
    """A chunk as it goes in: its text, metadata and the BM25 tokens of ``embed_text``."""

    id: str
    text: str
    meta: ChunkMeta
    toks: list[str]


@dataclass(frozen=True)
class ReportRow:
    """One report as the index knows it."""

    doc: str
    city: str
    years: tuple[int, ...]
    title: str
    indexed_at: str
    chunks: int
    first_text: str  # the text of its first passage (for a title when none was kept)


@dataclass(frozen=True)
class Stats:
    """Corpus-wide figures BM25 needs (and the bigram IDF's chunk count)."""

    n: int = 0
    tokens: int = 0
    avg_idf: float = 0.0
    version: int = 0  # bumped by every applied change (other processes reload when it moves)


_TABLES = """
CREATE TABLE IF NOT EXISTS chunks(row INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc TEXT NOT NULL,
    start INTEGER NOT NULL, meta TEXT NOT NULL, text TEXT NOT NULL, toks TEXT NOT NULL, ntoks INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc, start);
CREATE TABLE IF NOT EXISTS docs(doc TEXT PRIMARY KEY, city TEXT NOT NULL, years TEXT NOT NULL, title TEXT NOT NULL,
    indexed_at TEXT NOT NULL, chunks INTEGER NOT NULL, first_text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS terms(term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS grams(gram TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quoted(name TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""


def _schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("row", stored=True, indexed=True, fast=True)
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("grams", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("doc", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("city", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("year", indexed=True)
    return sb.build()


class LexIndex:
    """The persisted lexical index of one collection (thread-safe; several processes may share the folder)."""

    def __init__(self, path: Path, identity: str) -> None:
        self.path = path
        self.identity = identity
        self._local = threading.local()
        self._write = threading.Lock()
        path.mkdir(parents=True, exist_ok=True)
        with self._locked():
            self._conn().executescript(_TABLES)
            kept = (self._state("identity"), self._state("schema"))
            if kept != (identity, str(SCHEMA)) and kept != (None, None):
                self._wipe()
            self._set_state({"identity": identity, "schema": str(SCHEMA)})
            import tantivy

            self._schema = _schema()
            self._tantivy = tantivy.Index(self._schema, path=str(self._tantivy_dir()))
            if self._state("dirty") == "1":
                self._rebuild_postings()
        self._version = -1
        self.reload()

    # --- storage ---------------------------------------------------------------------------------------------

    def _tantivy_dir(self) -> Path:
        d = self.path / "tantivy"
        d.mkdir(exist_ok=True)
        return d

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path / "table.sqlite", timeout=60, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken at once, so readers of other processes never see half of it)."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """This process's and every other process's writes to the folder, one at a time."""
        with self._write, open(self.path / "write.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _state(self, key: str) -> str | None:
        got = self._conn().execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if got is None else str(got[0])

    def _set_state(self, values: dict[str, str]) -> None:
        with self._db() as db:
            db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", list(values.items()))

    def _wipe(self) -> None:
        """Forget everything (another collection, or an older layout)."""
        with self._db() as db:
            for table in ("chunks", "docs", "terms", "grams", "quoted", "state"):
                db.execute(f"DELETE FROM {table}")
        shutil.rmtree(self.path / "tantivy", ignore_errors=True)

    def get_state(self, key: str) -> str | None:
        """A value the caller keeps here (e.g. how far it has read the change feed)."""
        return self._state(f"user.{key}")

    def set_state(self, key: str, value: str) -> None:
        self._set_state({f"user.{key}": value})

    # --- writing ---------------------------------------------------------------------------------------------

    def apply(self, put: Iterable[Entry], drop: Iterable[str]) -> int:
        """Add the chunks ``put`` and remove those with ids ``drop``; how many chunks changed.

        Idempotent: chunks already present are not added twice, absent ones are not removed."""
        puts = {e.id: e for e in put}
        drops = set(drop) - set(puts)
        with self._locked():
            with self._db() as db:
                present = self._rows_of(db, list(puts) + list(drops))
                gone = [rest for cid, rest in present.items() if cid in drops]
                new = [e for cid, e in puts.items() if cid not in present]
                if not gone and not new:
                    return 0
                terms: Counter[str] = Counter()
                gram_df: Counter[str] = Counter()
                quoted: Counter[str] = Counter()
                docs: set[str] = set()
                n_tokens = 0
                for _row, doc, text, toks in gone:
                    words = toks.split()
                    terms.subtract(set(words))
                    norm = normalize(text)
                    gram_df.subtract(grams(norm))
                    quoted.subtract(quoted_names(norm))
                    n_tokens -= len(words)
                    docs.add(doc)
                db.executemany("DELETE FROM chunks WHERE row = ?", [(g[0],) for g in gone])
                added: list[tuple[int, Entry, set[str]]] = []
                for e in new:
                    norm = normalize(e.text)
                    gs = grams(norm)
                    terms.update(set(e.toks))
                    gram_df.update(gs)
                    quoted.update(quoted_names(norm))
                    n_tokens += len(e.toks)
                    docs.add(e.meta.doc)
                    cur = db.execute(
                        "INSERT INTO chunks(id, doc, start, meta, text, toks, ntoks) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (e.id, e.meta.doc, e.meta.start, json.dumps(e.meta.to_store(), ensure_ascii=False), e.text,
                         " ".join(e.toks), len(e.toks)),
                    )
                    assert cur.lastrowid is not None
                    added.append((cur.lastrowid, e, gs))
                for table, key, counts in (("terms", "term", terms), ("grams", "gram", gram_df),
                                           ("quoted", "name", quoted)):
                    db.executemany(
                        f"INSERT INTO {table} VALUES (?, ?) ON CONFLICT({key}) DO UPDATE SET df = df + excluded.df",
                        [(k, v) for k, v in counts.items() if v],
                    )
                    db.execute(f"DELETE FROM {table} WHERE df <= 0")
                self._update_docs(db, docs)
                stats = self.stats
                n = stats.n - len(gone) + len(added)
                total = stats.tokens + n_tokens
                dfs = np.fromiter((r[0] for r in db.execute("SELECT df FROM terms")), dtype=np.float64)
                avg_idf = float(np.mean(np.log(n - dfs + 0.5) - np.log(dfs + 0.5))) if len(dfs) else 0.0
                db.executemany(
                    "INSERT OR REPLACE INTO state VALUES (?, ?)",
                    [("n", str(n)), ("tokens", str(total)), ("avg_idf", repr(avg_idf)), ("dirty", "1"),
                     ("version", str(stats.version + 1))],
                )
            writer = self._tantivy.writer(heap_size=50_000_000, num_threads=1)
            for row, *_ in gone:
                writer.delete_documents_by_term("row", row)
            for row, e, gs in added:
                writer.add_document(self._document(row, e.meta, e.toks, gs))
            writer.commit()
            writer.wait_merging_threads()
            self._set_state({"dirty": "0"})
        self.reload()
        return len(gone) + len(added)

    @staticmethod
    def _rows_of(db: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, str, str, str]]:
        out: dict[str, tuple[int, str, str, str]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for cid, row, doc, text, toks in db.execute(
                f"SELECT id, row, doc, text, toks FROM chunks WHERE id IN ({marks})", part
            ):
                out[cid] = (row, doc, text, toks)
        return out

    def _document(self, row: int, meta: ChunkMeta, toks: list[str], gs: set[str]) -> Any:
        import tantivy

        return tantivy.Document(
            row=row, body=" ".join(toks), grams=" ".join(sorted(gs)), doc=meta.doc, city=meta.city, year=meta.year
        )

    def _update_docs(self, db: sqlite3.Connection, docs: set[str]) -> None:
        for doc in docs:
            rows = db.execute("SELECT meta, text FROM chunks WHERE doc = ? ORDER BY start", (doc,)).fetchall()
            db.execute("DELETE FROM docs WHERE doc = ?", (doc,))
            if not rows:
                continue
            metas = [ChunkMeta.parse(json.loads(m)) for m, _ in rows]
            years = sorted({m.year for m in metas if m.year})
            db.execute(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                (doc, metas[0].city, ",".join(map(str, years)), next((m.title for m in metas if m.title), ""),
                 max(m.indexed_at for m in metas), len(rows), rows[0][1]),
            )

    def _rebuild_postings(self) -> None:
        """The postings again from the table (after an interrupted write); no tokenising."""
        import tantivy

        shutil.rmtree(self.path / "tantivy", ignore_errors=True)
        self._tantivy = tantivy.Index(self._schema, path=str(self._tantivy_dir()))
        writer = self._tantivy.writer(heap_size=100_000_000, num_threads=1)
        for row, meta, text, toks in self._conn().execute("SELECT row, meta, text, toks FROM chunks"):
            writer.add_document(self._document(row, ChunkMeta.parse(json.loads(meta)), toks.split(),
                                               grams(normalize(text))))
        writer.commit()
        writer.wait_merging_threads()
        self._set_state({"dirty": "0"})

    # --- reading ---------------------------------------------------------------------------------------------

    def reload(self) -> bool:
        """Pick up changes written since (by this or another process); whether there were any."""
        version = self.stats.version
        if version == self._version:
            return False
        self._tantivy.reload()
        self._version = version
        return True

    @property
    def stats(self) -> Stats:
        keys = "('n', 'tokens', 'avg_idf', 'version')"
        rows = dict(self._conn().execute(f"SELECT key, value FROM state WHERE key IN {keys}"))
        return Stats(int(rows.get("n", 0)), int(rows.get("tokens", 0)), float(rows.get("avg_idf", 0.0)),
                     int(rows.get("version", 0)))

    def ids(self) -> set[str]:
        return {r[0] for r in self._conn().execute("SELECT id FROM chunks")}

    def quoted_names(self) -> list[str]:
        """Every name the reports quote (3–12 characters of Chinese), most used first."""
        return [r[0] for r in self._conn().execute("SELECT name FROM quoted WHERE df > 0 ORDER BY df DESC, name")]

    def terms(self) -> list[str]:
        """Every word the reports' passages are indexed by (jieba tokens), most used first."""
        return [r[0] for r in self._conn().execute("SELECT term FROM terms WHERE df > 0 ORDER BY df DESC, term")]

    def doc_ids(self, doc: str) -> set[str]:
        return {r[0] for r in self._conn().execute("SELECT id FROM chunks WHERE doc = ?", (doc,))}

    def reports(self) -> list[ReportRow]:
        """Every report, by name."""
        return [
            ReportRow(doc, city, tuple(int(y) for y in years.split(",") if y), title, at, n, first)
            for doc, city, years, title, at, n, first in self._conn().execute("SELECT * FROM docs ORDER BY doc")
        ]

    def chunks(self, ids: list[str]) -> dict[str, StoredChunk]:
        """The chunks with these ids that the index holds."""
        out: dict[str, StoredChunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for cid, text, meta in self._conn().execute(
                f"SELECT id, text, meta FROM chunks WHERE id IN ({marks})", part
            ):
                out[cid] = StoredChunk(cid, text, ChunkMeta.parse(json.loads(meta)))
        return out

    def doc_chunks(self, doc: str) -> list[StoredChunk]:
        """A report's chunks in reading order."""
        rows = self._conn().execute("SELECT id, text, meta FROM chunks WHERE doc = ? ORDER BY start", (doc,))
        return [StoredChunk(cid, text, ChunkMeta.parse(json.loads(meta))) for cid, text, meta in rows]

    def all_chunks(self) -> Iterator[StoredChunk]:
        """Every chunk in report/position order (a full read: for evaluation and export, not for questions)."""
        for cid, text, meta in self._conn().execute("SELECT id, text, meta FROM chunks ORDER BY doc, start"):
            yield StoredChunk(cid, text, ChunkMeta.parse(json.loads(meta)))

    def gram_df(self, gram: str) -> int:
        got = self._conn().execute("SELECT df FROM grams WHERE gram = ?", (gram,)).fetchone()
        return int(got[0]) if got else 0

    def quoted_in(self, norm: str) -> list[str]:
        """The names the reports quote (3–12 characters of Chinese) that ``norm`` writes, in order of position."""
        subs: dict[str, int] = {}
        for i in range(len(norm)):
            for j in range(i + 3, min(len(norm), i + 12) + 1):
                s = norm[i:j]
                if CJK_RUNS.fullmatch(s):
                    subs.setdefault(s, i)
        found: list[str] = []
        keys = list(subs)
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            found += [r[0] for r in self._conn().execute(f"SELECT name FROM quoted WHERE name IN ({marks})", part)]
        return sorted(found, key=lambda s: subs[s])

    def contains(self, text: str) -> bool:
        """Whether some chunk's normalised text contains ``text`` (a few postings and texts read, no scan)."""
        import tantivy

        gs = sorted(grams(text))
        if not gs:
            return False
        if len(gs) == 1 and gs[0] == text:  # one bigram, one word: its count says
            if len(text) > 1 or text.isascii():
                return self.gram_df(text) > 0
            after = chr(ord(text) + 1)  # one character: some bigram starts with it
            return self._conn().execute("SELECT 1 FROM grams WHERE gram >= ? AND gram < ? LIMIT 1",
                                        (text, after)).fetchone() is not None
        searcher = self._tantivy.searcher()
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "grams", g)) for g in gs]
        )
        offset = 0
        while True:
            hits = searcher.search(query, 64, count=False, offset=offset).hits
            if not hits:
                return False
            rows = [searcher.doc(a)["row"][0] for _, a in hits]
            marks = ",".join("?" * len(rows))
            texts = self._conn().execute(f"SELECT text FROM chunks WHERE row IN ({marks})", rows)
            if any(text in normalize(t) for (t,) in texts):
                return True
            offset += len(hits)

    def search(
        self,
        query_tokens: list[str],
        k: int,
        docs: Iterable[str] | None = None,
        cities: Iterable[str] | None = None,
        years: Iterable[int] | None = None,
    ) -> list[tuple[StoredChunk, float]]:
        """The ``k`` best chunks by Okapi BM25 with a positive score, within the given reports, cities and years
        (``None``: no restriction), best first; ties in report/position order."""
        import tantivy

        stats = self.stats
        counts = Counter(query_tokens)
        if not counts or stats.n == 0 or k <= 0:
            return []
        schema = self._schema
        words = sorted(counts)
        match = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", w)) for w in words]
        )
        must = [(tantivy.Occur.Must, match)]
        for field, values in (("doc", docs), ("city", cities), ("year", years)):
            if values is not None:
                must.append((tantivy.Occur.Must, tantivy.Query.term_set_query(schema, field, list(values))))
        searcher = self._tantivy.searcher()
        hits = searcher.search(tantivy.Query.boolean_query(must), max(CANDIDATES, 4 * k), count=False).hits
        rows = [searcher.doc(a)["row"][0] for _, a in hits]
        if not rows:
            return []
        conn = self._conn()
        marks = ",".join("?" * len(rows))
        sql = f"SELECT row, id, doc, start, toks, ntoks FROM chunks WHERE row IN ({marks})"
        cands = conn.execute(sql, rows).fetchall()
        marks = ",".join("?" * len(words))
        df = dict(conn.execute(f"SELECT term, df FROM terms WHERE term IN ({marks})", words).fetchall())
        idf = {}
        for w in words:
            if w in df:
                value = math.log(stats.n - df[w] + 0.5) - math.log(df[w] + 0.5)
                idf[w] = EPSILON * stats.avg_idf if value < 0 else value
        avgdl = stats.tokens / stats.n
        scored = []
        asked = [t for t in query_tokens if t in idf]
        for _row, cid, doc, start, toks, ntoks in cands:
            tf = Counter(t for t in toks.split() if t in idf)
            norm = K1 * (1 - B + B * ntoks / avgdl)
            score = 0.0
            for w in asked:  # summed in the question's order, as a full scan sums
                score += idf[w] * (tf[w] * (K1 + 1) / (tf[w] + norm))
            if score > 0:
                scored.append((-score, doc, start, cid))
        best = sorted(scored)[:k]
        chunks = self.chunks([cid for *_, cid in best])
        return [(chunks[cid], -neg) for neg, _, _, cid in best if cid in chunks]
