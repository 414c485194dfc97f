"""The ONNX Runtime embedder: the same model and vectors as the sentence-transformers one, without torch.

``OnnxEmbedder`` runs a build made by ``index.onnx_export`` (fp32, or int8 with slightly different vectors) with
``onnxruntime`` and a ``tokenizers`` tokenizer (questions go through ``index.piece_tokenizer``, which gives the
same ids without building the whole vocabulary): the model's ``query: ``/``passage: `` prompts, truncation at its
maximum length (512 tokens), batches of similar length, mean pooling over the attention mask and L2
normalisation — what sentence-transformers does for this model. It imports numpy, tokenizers and onnxruntime
only, so a question answered with it never loads torch. The session is created lazily, once. Besides the
``core.interfaces.Embedder`` methods it has LangChain's ``embed_documents``/``embed_query``.
Leaves out: building the files (``index.onnx_export``), progress bars, and GPU execution providers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from index.modelcheck import ModelError
from index.onnx_export import CONFIG_FILE, INPUTS, MODEL_FILE, TOKENIZER_FILE
from index.piece_tokenizer import PieceTokenizer
from index.piece_tokenizer import load as load_vocabulary

T = TypeVar("T")


class OnnxEmbedder:
    """Lazy ONNX Runtime encoder of one build folder; ``name`` identifies its vectors in the store."""

    def __init__(self, name: str, folder: Path | str, batch_size: int = 16, threads: int = 0) -> None:
        self.name = name
        self.path = str(folder)
        self.batch_size = batch_size
        self.threads = threads  # 0: onnxruntime's default (one per physical core)
        self._lock = threading.Lock()
        self._parts: tuple[Any, dict[str, Any], PieceTokenizer] | None = None
        self._full: Any = None

    def _load(self) -> tuple[Any, dict[str, Any], PieceTokenizer]:
        """The session, the build's settings and the per-text tokenizer, opened once."""
        if self._parts is None:
            with self._lock:
                if self._parts is None:
                    self._parts = self._guarded(self._open_files)
        return self._parts

    def _full_tokenizer(self) -> Any:
        """The whole ``tokenizers`` tokenizer (about a second to build), for passages and unusual texts."""
        if self._full is None:
            with self._lock:
                if self._full is None:
                    self._full = self._guarded(self._open_full)
        return self._full

    def _guarded(self, open_: Callable[[], T]) -> T:
        try:
            return open_()
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise ModelError(
                f"cannot load the ONNX encoder from {self.path}: {first} — delete that folder to have it rebuilt, "
                f"or set FQA_ENCODER=torch"
            ) from exc

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = json.loads((Path(self.path) / CONFIG_FILE).read_text(encoding="utf-8"))
        return config

    def _open_files(self) -> tuple[Any, dict[str, Any], PieceTokenizer]:
        import onnxruntime as ort

        folder = Path(self.path)
        config = self._config()
        pieces = PieceTokenizer(load_vocabulary(folder / TOKENIZER_FILE), int(config["max_seq_length"]),
                                int(config["pad_id"]))
        options = ort.SessionOptions()
        options.log_severity_level = 3
        if self.threads:
            options.intra_op_num_threads = self.threads
        session = ort.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        return session, config, pieces

    def _open_full(self) -> Any:
        from tokenizers import Tokenizer

        config = self._config()
        tokenizer = Tokenizer.from_file(str(Path(self.path) / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
        tokenizer.enable_padding(pad_id=int(config["pad_id"]), pad_token=str(config["pad_token"]))
        return tokenizer

    def warm_up(self) -> None:
        """Load the model and run one encode so the first request is not slow."""
        self.encode_queries(["warm up"])

    def _batch(self, texts: list[str], short: bool) -> np.ndarray:
        session, config, pieces = self._load()
        if short and not any(pieces.wants_full(t) for t in texts):
            encodings: list[Any] = pieces.encode_batch(texts)
        else:
            encodings = self._full_tokenizer().encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = session.run(None, {INPUTS[0]: ids, INPUTS[1]: mask})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        if config.get("normalize", True):
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return pooled.astype(np.float32)

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        _, config, _ = self._load()
        if not texts:
            return np.zeros((0, int(config["dimension"])), dtype=np.float32)
        prompt = str(config.get("prompts", {}).get(kind, ""))
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths share a batch
        out = np.empty((len(texts), int(config["dimension"])), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            part = order[start : start + self.batch_size]
            out[part] = self._batch([prompt + texts[i] for i in part], short=kind == "query")
        return out

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage")

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    # LangChain Embeddings interface (duck-typed: importing langchain here would cost the question path)
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()
