"""The small interfaces the parts are wired through: an embedder and a chunk store.

Two implementations each: ``index.embed.SentenceEmbedder`` (any sentence-transformers model) and a test
double; ``index.store.ChromaStore`` over a local ``PersistentClient`` or a ``chroma run`` server
(``HttpClient``). The chat model is LangChain's own ``BaseChatModel``. Leaves out: implementations.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from core.types import StoredChunk


class Embedder(Protocol):
    """Text → unit vectors; ``name`` identifies the model in the store."""

    name: str

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray: ...

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def warm_up(self) -> None: ...


class Store(Protocol):
    """Chunks with their vectors and metadata."""

    def count(self) -> int: ...

    def existing_ids(self, ids: list[str]) -> set[str]: ...

    def upsert(self, ids: list[str], vectors: np.ndarray, texts: list[str], metas: list[dict[str, Any]]) -> None: ...

    def delete_ids(self, ids: list[str]) -> None: ...

    def chunks(self, where: dict[str, Any] | None = None) -> list[StoredChunk]: ...

    def doc_ids(self, doc: str) -> list[str]: ...

    def all_ids(self) -> list[str]: ...

    def rows(self, ids: list[str]) -> list[tuple[str, str, dict[str, Any]]]: ...

    def vectors(self, ids: list[str]) -> tuple[list[str], np.ndarray]: ...

    def doc_with_sha(self, doc_sha: str) -> str | None: ...

    def delete_doc(self, doc: str) -> int: ...

    def query(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[StoredChunk, float]]: ...
