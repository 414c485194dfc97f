"""Evidence-sentence vectors, computed when a report is indexed and kept beside its chunks.

The answerer scores English questions by the similarity between the question and each sentence of the retrieved
passages; those sentence vectors are encoded here at index time (``evidence_sentences`` of each chunk, with the
passage prompt) and stored in a second Chroma collection, ``<collection>_sentences``, keyed by chunk id and
offsets, so a question never encodes passage text. Works the same on the local store and a Chroma server.
Written before the chunks they belong to, so an interrupted run leaves at worst unused vectors that the next
run overwrites. Leaves out: scoring (``qa.evidence``) and sentence splitting (``core.sentences``).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from core.interfaces import Embedder, Store
from core.sentences import evidence_sentences
from index.store import HNSW, ChromaStore

log = logging.getLogger("fulian_qa.index")
SUFFIX = "_sentences"
Key = tuple[str, int, int]  # (chunk id, start, end) within the chunk text


def key_id(key: Key) -> str:
    return f"{key[0]}:{key[1]}-{key[2]}"


class SentenceVectors:
    """Sentence vectors of one store's chunks (one Chroma collection beside the chunk collection)."""

    def __init__(self, store: ChromaStore) -> None:
        self.store = store
        self.name = store.name + SUFFIX
        self._collection: Any = None

    def _call(self, fn):
        return self.store.breaker.call(fn)

    @property
    def collection(self) -> Any:
        if self._collection is None:
            client = self.store.client
            self._collection = self._call(
                lambda: client.get_or_create_collection(
                    self.name,
                    embedding_function=None,
                    configuration={"hnsw": dict(HNSW)},
                    metadata={"embed_model": self.store.embed_model},
                )
            )
        return self._collection

    def put(self, doc: str, chunks: list[tuple[str, str]], embedder: Embedder) -> int:
        """Encode and store the evidence sentences of ``chunks`` ((chunk id, text)) of report ``doc``."""
        keys: list[Key] = []
        texts: list[str] = []
        for chunk_id, text in chunks:
            for span in evidence_sentences(text):
                keys.append((chunk_id, span.start, span.end))
                texts.append(text[span.start : span.end])
        if not keys:
            return 0
        vectors = embedder.encode_passages(texts)
        col = self.collection
        for i in range(0, len(keys), 1000):
            part = keys[i : i + 1000]
            ids = [key_id(k) for k in part]
            metas = [{"chunk": k[0], "doc": doc, "start": k[1], "end": k[2]} for k in part]
            block = vectors[i : i + 1000]
            self._call(lambda ids=ids, block=block, metas=metas: col.upsert(ids=ids, embeddings=block, metadatas=metas))
        return len(keys)

    def get(self, chunk_ids: list[str]) -> dict[Key, np.ndarray]:
        """The stored sentence vectors of these chunks, by (chunk id, start, end)."""
        if not chunk_ids:
            return {}
        col = self.collection
        where = {"chunk": {"$in": list(dict.fromkeys(chunk_ids))}}
        got = self._call(lambda: col.get(where=where, include=["embeddings", "metadatas"]))
        out: dict[Key, np.ndarray] = {}
        for meta, vector in zip(got["metadatas"], got["embeddings"], strict=True):
            out[(str(meta["chunk"]), int(meta["start"]), int(meta["end"]))] = np.asarray(vector, dtype=np.float32)
        return out

    def nearest_chunks(self, vector: np.ndarray, k: int, docs: list[str] | None = None) -> list[str]:
        """Ids of the chunks holding the ``k`` sentences nearest ``vector`` (within ``docs`` when given), in the
        order of their best sentence."""
        col = self.collection
        where = {"doc": {"$in": docs}} if docs is not None else None
        got = self._call(
            lambda: col.query(query_embeddings=[vector.tolist()], n_results=k, where=where, include=["metadatas"])
        )
        return list(dict.fromkeys(str(m["chunk"]) for m in (got["metadatas"] or [[]])[0]))

    def chunks_with_vectors(self, doc: str) -> set[str]:
        """Ids of the chunks of ``doc`` that have sentence vectors stored."""
        col = self.collection
        got = self._call(lambda: col.get(where={"doc": doc}, include=["metadatas"]))
        return {str(m["chunk"]) for m in got["metadatas"]}

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        col = self.collection
        for i in range(0, len(chunk_ids), 500):
            part = chunk_ids[i : i + 500]
            self._call(lambda part=part: col.delete(where={"chunk": {"$in": part}}))

    def delete_doc(self, doc: str) -> None:
        col = self.collection
        self._call(lambda: col.delete(where={"doc": doc}))


def beside(store: Store) -> SentenceVectors | None:
    """The sentence vectors kept beside ``store`` (``None`` for stores that cannot hold them)."""
    return SentenceVectors(store) if isinstance(store, ChromaStore) else None
