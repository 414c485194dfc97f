"""The change feed kept in the store: one record per report written or removed, read by every app server.

A small Chroma collection beside the chunks (``<collection>_changes``, local store and ``chroma run`` server
alike). Every write through ``index.indexer.Indexer`` — the CLI, uploads, deletes — appends a record (report
name, operation, writer, time) once the report's chunks are stored or removed. The records are the generation:
an app server has seen the store up to time ``t`` when it has applied every record up to ``t``. Each app server
asks for the records after the last one it applied (less ``LATE`` seconds, so a record whose write finished late,
or a writer whose clock is behind, is not missed; records already applied are skipped by id) and brings those
reports in step by id. Records older than ``KEEP`` seconds are pruned; an app server that could not read the
feed for that long reconciles every chunk by id instead. Leaves out: applying the changes (``qa.corpus``).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any

from core.interfaces import Store
from index.store import HNSW, ChromaStore

log = logging.getLogger("fulian_qa.index")
SUFFIX = "_changes"
LATE = 120.0  # seconds a record may land after its own time and still be read
KEEP = 7 * 24 * 3600.0  # seconds a record is kept


@dataclass(frozen=True)
class Change:
    """One report written (``index``) or removed (``remove``)."""

    id: str
    doc: str
    op: str
    at: float
    writer: str


class ChangeFeed:
    """The change records of one store."""

    def __init__(self, store: ChromaStore) -> None:
        self.store = store
        self.name = store.name + SUFFIX
        self.writer = f"{socket.gethostname()}:{os.getpid()}"
        self._collection: Any = None
        self._pruned = 0.0

    def _call(self, fn):
        try:
            return self.store.breaker.call(fn)
        except Exception as exc:
            if "does not exist" in str(exc).lower() or "not found" in str(exc).lower():
                self._collection = None
            raise

    @property
    def collection(self) -> Any:
        if self._collection is None:
            client = self.store.client
            self._collection = self._call(
                lambda: client.get_or_create_collection(
                    self.name, embedding_function=None, configuration={"hnsw": dict(HNSW)}, metadata={"feed": 1}
                )
            )
        return self._collection

    def record(self, doc: str, op: str = "index") -> Change:
        """Append a record that ``doc`` changed (prunes old records now and then)."""
        now = time.time()
        change = Change(f"{time.time_ns():020d}-{uuid.uuid4().hex[:12]}", doc, op, now, self.writer)
        col = self.collection
        meta = {"doc": doc, "op": op, "at": now, "writer": self.writer}
        self._call(lambda: col.add(ids=[change.id], embeddings=[[1.0]], metadatas=[meta]))
        if now - self._pruned > 3600:
            self._pruned = now
            self._call(lambda: col.delete(where={"at": {"$lt": now - KEEP}}))
        return change

    def since(self, at: float) -> list[Change]:
        """Records of time ``at`` or later, oldest first."""
        col = self.collection
        got = self._call(lambda: col.get(where={"at": {"$gte": at}}, include=["metadatas"]))
        out = [
            Change(i, str(m["doc"]), str(m.get("op", "index")), float(m["at"]), str(m.get("writer", "")))
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
        ]
        return sorted(out, key=lambda c: (c.at, c.id))


def feed_beside(store: Store) -> ChangeFeed | None:
    """The change feed kept beside ``store`` (``None`` for stores that cannot hold one)."""
    return ChangeFeed(store) if isinstance(store, ChromaStore) else None
