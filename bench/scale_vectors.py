"""Passage vectors for the scale benchmark from cached sentence vectors of the real encoder.

Embedding 100k passages with the real encoder takes hours here, so each distinct seed sentence is encoded
once (cached on disk) and a passage's vector is the length-weighted mean of its sentences' cached vectors,
normalised. Sentences are matched by a template key: the normalised sentence with every figure written
``0`` and every city ``@``, so a seed sentence moved to another city and year with scaled figures finds the
seed's vector. A piece no key matches (a heading line, a cut sentence) is encoded by the real encoder once
and cached too. ``CachedEmbedder`` is an ``core.interfaces.Embedder`` under the real model's name, so
the store holds vectors of the product's model. Leaves out: query vectors (the app server uses the real
encoder) and the fidelity of a mean of sentence vectors (the benchmark measures it on a sample).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.scale_archive import CITIES
from core.interfaces import Embedder
from core.sentences import split_sentences
from core.text import normalize

_DIGITS = re.compile(r"\d+")
_TOP_HEADING = re.compile(r"^[一二三四五六七八九十]+、")


@dataclass
class Keys:
    """Template keys of sentences (figures → 0, cities → @, top heading numerals → 〇)."""

    cities: list[str]

    def __post_init__(self) -> None:
        names = sorted({normalize(c) for c in self.cities}, key=len, reverse=True)
        self._city = re.compile("|".join(map(re.escape, names)))

    def of(self, sentence: str) -> str:
        key = _TOP_HEADING.sub("〇、", sentence.strip())
        return _DIGITS.sub("0", self._city.sub("@", key))


def pieces(norm: str) -> list[str]:
    """The sentences of normalised text, as the vector of a passage is built from them."""
    return [norm[s.start : s.end] for s in split_sentences(norm)]


@dataclass
class SentenceCache:
    """Template key → unit vector of the real encoder, kept in two files (keys JSON, vectors .npy)."""

    folder: Path
    keys: Keys
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    added: int = 0  # keys encoded since loading

    @property
    def _files(self) -> tuple[Path, Path]:
        return self.folder / "keys.json", self.folder / "vectors.npy"

    def load(self) -> SentenceCache:
        names, arrays = self._files
        if names.exists() and arrays.exists():
            keys = json.loads(names.read_text(encoding="utf-8"))
            matrix = np.load(arrays)
            if len(keys) == len(matrix):
                self.vectors = dict(zip(keys, matrix, strict=True))
        return self

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        names, arrays = self._files
        keys = list(self.vectors)
        tmp = arrays.with_suffix(".tmp.npy")
        np.save(tmp, np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 0), np.float32))
        tmp.replace(arrays)
        names.with_suffix(".tmp").write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
        names.with_suffix(".tmp").replace(names)

    def fill(self, texts: list[str], encoder: Embedder, batch: int = 64) -> int:
        """Encode the pieces of normalised ``texts`` whose key is not cached; how many were encoded."""
        todo: dict[str, str] = {}
        for text in texts:
            for piece in pieces(text):
                key = self.keys.of(piece)
                if key not in self.vectors and key not in todo:
                    todo[key] = piece
        items = list(todo.items())
        for i in range(0, len(items), batch):
            part = items[i : i + batch]
            vectors = encoder.encode_passages([p for _, p in part])
            for (key, _), vector in zip(part, vectors, strict=True):
                self.vectors[key] = np.asarray(vector, dtype=np.float32)
        self.added += len(items)
        return len(items)

    def compose(self, text: str) -> np.ndarray:
        """The length-weighted mean of the cached vectors of ``text``'s pieces, normalised (all must be cached)."""
        parts = pieces(text)
        matrix = np.stack([self.vectors[self.keys.of(p)] for p in parts])
        weights = np.asarray([len(p) for p in parts], dtype=np.float32)[:, None]
        mean = (matrix * weights).sum(axis=0)
        return (mean / (np.linalg.norm(mean) or 1.0)).astype(np.float32)


@dataclass
class CachedEmbedder:
    """An ``Embedder`` under the real model's name whose passage vectors come from ``SentenceCache``."""

    real: Embedder
    cache: SentenceCache
    passages: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.real.name

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        norm = [normalize(t) for t in texts]
        self.cache.fill(norm, self.real)
        self.passages += len(texts)
        return np.stack([self.cache.compose(t) for t in norm]) if norm else np.zeros((0, 0), np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.real.encode_queries(texts)

    def warm_up(self) -> None:
        self.real.warm_up()


def seed_cache(folder: Path, seeds: Path, encoder: Embedder, extra_cities: list[str]) -> SentenceCache:
    """The sentence cache with every seed sentence encoded (loaded from ``folder`` when already there)."""
    cache = SentenceCache(folder, Keys(CITIES + extra_cities)).load()
    texts = [normalize(p.read_text(encoding="utf-8")) for p in sorted(seeds.glob("*.txt"))]
    if cache.fill(texts, encoder):
        cache.save()
    cache.added = 0
    return cache
