"""The vector store: one Chroma collection of chunks, local on disk or a ``chroma run`` server.

The collection records which embedding model built it and refuses queries from another model.
Chunk metadata (``core.types.ChunkMeta``) is parsed once here, as chunks are read back. Every call goes through
one ``index.guard.Breaker``: a server call has a timeout (``FQA_STORE_TIMEOUT``), a call slower than
``WATCH_AFTER`` has the server's heartbeat asked (bounded by ``PROBE_TIMEOUT``), and an unreachable or frozen
server raises ``core.errors.StoreUnavailable`` (within about a second, and at once while the outage lasts) until
the heartbeat answers again.
Leaves out: sharding and multi-collection routing (one collection holds every report).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from core.settings import Settings
from core.types import ChunkMeta, StoredChunk
from index.guard import Breaker

log = logging.getLogger("fulian_qa.store")
T = TypeVar("T")
WATCH_AFTER = 0.25  # seconds a server call may run before the heartbeat is asked whether the server is there
PROBE_TIMEOUT = 0.5  # seconds the heartbeat may take; a slower one counts as an outage
# Vector index settings of the collections this package creates. Chroma's local segment re-reads every write not
# yet folded into the index on each new write, so with its default of folding every 1,000 writes a report's
# upsert slows as the backlog grows (0.1 → 0.8 s per 20 passages); folding every 100 keeps each write short
# (about 2.7× faster indexing, flat up to 30,000 passages). Collections made before keep their own settings.
HNSW: dict[str, Any] = {"space": "cosine", "sync_threshold": 100, "batch_size": 100}


class StoreError(RuntimeError):
    """The store cannot be used as asked (wrong model, unreachable server...)."""


def make_client(settings: Settings):
    """A Chroma client: ``HttpClient`` when FQA_CHROMA_HOST is set, else ``PersistentClient``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:
            raise StoreError(
                f"cannot reach Chroma server at {settings.chroma_host}:{settings.chroma_port}: {exc}"
            ) from exc
        set_timeout(client, settings.store_timeout)
        return client
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def heartbeat_probe(client: Any, seconds: float) -> Callable[[], object] | None:
    """One ``GET /heartbeat`` on the client's own session, given up after ``seconds`` (None without a session)."""
    import httpx

    server = getattr(client, "_server", None)
    session, url = getattr(server, "_session", None), getattr(server, "_api_url", None)
    if not isinstance(session, httpx.Client) or not url:
        return None

    def probe() -> object:
        return session.get(f"{url}/heartbeat", timeout=seconds).raise_for_status()

    return probe


def set_timeout(client: Any, seconds: float) -> None:
    """Give the HTTP client's calls a timeout (Chroma's own default is none)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 1.0))
    else:
        log.warning("Chroma client has no HTTP session to time out; store calls are unbounded")


class ChromaStore:
    """Chunks and their vectors in one cosine-space Chroma collection."""

    def __init__(self, client, name: str, embed_model: str, breaker: Breaker | None = None) -> None:
        self.client = client
        self.name = name
        self.embed_model = embed_model
        self.breaker = breaker or Breaker()
        self._collection = None

    @classmethod
    def from_settings(cls, settings: Settings, embed_model: str) -> ChromaStore:
        """The store the settings name, for vectors of ``embed_model`` (the embedder's name)."""
        client = make_client(settings)
        if not settings.chroma_host:  # a local store has no server to freeze
            return cls(client, settings.collection, embed_model, Breaker("store", settings.store_retry_after))
        probe = heartbeat_probe(client, min(PROBE_TIMEOUT, settings.store_timeout))
        breaker = Breaker("Chroma server", settings.store_retry_after, probe=probe, watch_after=WATCH_AFTER)
        return cls(client, settings.collection, embed_model, breaker)

    def _call(self, fn: Callable[[], T]) -> T:
        """One store call through the breaker; a vanished collection is looked up again next time."""
        try:
            return self.breaker.call(fn)
        except Exception as exc:
            if "does not exist" in str(exc).lower() or "not found" in str(exc).lower():
                self._collection = None
            raise

    def ping(self) -> None:
        """One cheap round trip to the store (``StoreUnavailable`` when it does not answer)."""
        self._call(lambda: self.client.heartbeat())

    @property
    def collection(self):
        if self._collection is None:
            col = self._call(
                lambda: self.client.get_or_create_collection(
                    self.name,
                    embedding_function=None,
                    configuration={"hnsw": dict(HNSW)},
                    metadata={"embed_model": self.embed_model},
                )
            )
            built_with = (col.metadata or {}).get("embed_model")
            if built_with and built_with != self.embed_model:
                raise StoreError(
                    f"collection '{self.name}' was built with embedding model '{built_with}', "
                    f"not '{self.embed_model}': set FQA_EMBED_MODEL={built_with}, or re-index into a new "
                    f"FQA_DATA_DIR / FQA_COLLECTION"
                )
            self._collection = col
        return self._collection

    def count(self) -> int:
        col = self.collection
        return self._call(lambda: col.count())

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        col = self.collection
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            found.update(self._call(lambda part=part: col.get(ids=part, include=[]))["ids"])  # type: ignore[misc]
        return found

    def upsert(self, ids: list[str], vectors: np.ndarray, texts: list[str], metas: list[dict[str, Any]]) -> None:
        col = self.collection
        batch = max(1, min(1000, self._call(lambda: self.client.get_max_batch_size())))
        for i in range(0, len(ids), batch):
            part = slice(i, i + batch)
            self._call(
                lambda part=part: col.upsert(  # type: ignore[misc]
                    ids=ids[part], embeddings=vectors[part], documents=texts[part], metadatas=metas[part]
                )
            )

    def delete_ids(self, ids: list[str]) -> None:
        col = self.collection
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            self._call(lambda part=part: col.delete(ids=part))  # type: ignore[misc]

    def chunks(self, where: dict[str, Any] | None = None) -> list[StoredChunk]:
        """Every chunk (optionally filtered), in report/position order."""
        col = self.collection
        got = self._call(lambda: col.get(where=where, include=["documents", "metadatas"]))
        rows = [
            StoredChunk(i, t, ChunkMeta.parse(m))
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        rows.sort(key=lambda c: (c.meta.doc, c.meta.start))
        return rows

    @property
    def identity(self) -> str:
        """Names this collection among every store (its name and Chroma's id for it)."""
        return f"{self.name}/{self.collection.id}"

    def all_ids(self, page: int = 10_000) -> list[str]:
        """Every chunk id (ids only, read a page at a time)."""
        col = self.collection
        out: list[str] = []
        while True:
            at = len(out)
            got = self._call(lambda at=at: col.get(include=[], limit=page, offset=at))["ids"]  # type: ignore[misc]
            out += got
            if len(got) < page:
                return out

    def rows(self, ids: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, raw metadata) of the chunks with these ids that the store holds."""
        col = self.collection
        out: list[tuple[str, str, dict[str, Any]]] = []
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            got = self._call(lambda part=part: col.get(ids=part, include=["documents", "metadatas"]))  # type: ignore[misc]
            rows = zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            out += [(c, t, dict(m or {})) for c, t, m in rows]
        return out

    def vectors(self, ids: list[str]) -> tuple[list[str], np.ndarray]:
        """The stored vectors of the chunks with these ids that the store holds: (their ids, one row each)."""
        col = self.collection
        found: list[str] = []
        rows: list[Any] = []
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            got = self._call(lambda part=part: col.get(ids=part, include=["embeddings"]))  # type: ignore[misc]
            found += got["ids"]
            rows += list(got["embeddings"])
        if not found:
            return [], np.zeros((0, 0), dtype=np.float32)
        return found, np.asarray(rows, dtype=np.float32).reshape(len(found), -1)

    def doc_ids(self, doc: str) -> list[str]:
        col = self.collection
        return self._call(lambda: col.get(where={"doc": doc}, include=[]))["ids"]

    def doc_with_sha(self, doc_sha: str) -> str | None:
        """The report already indexed with this text hash, if any."""
        col = self.collection
        got = self._call(lambda: col.get(where={"doc_sha": doc_sha}, include=["metadatas"], limit=1))
        return ChunkMeta.parse(got["metadatas"][0]).doc if got["ids"] else None

    def delete_doc(self, doc: str) -> int:
        ids = self.doc_ids(doc)
        self.delete_ids(ids)
        return len(ids)

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[StoredChunk, float]]:
        """Nearest chunks with cosine similarity (1 − distance)."""
        n = min(k, self.count())
        if n == 0:
            return []
        col = self.collection
        res = self._call(
            lambda: col.query(
                query_embeddings=[vector], n_results=n, where=where, include=["documents", "metadatas", "distances"]
            )
        )
        return [
            (StoredChunk(i, t, ChunkMeta.parse(m)), 1.0 - float(d))
            for i, t, m, d in zip(
                res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
            )
        ]
