"""Tokenise short texts without loading the whole Unigram vocabulary into ``tokenizers``.

Building the model's 250,002-piece Unigram tokenizer from ``tokenizer.json`` costs about a second of CPU, most of a
one-shot question's encoder start-up. A Unigram segmentation of a word only ever uses pieces that are substrings
of it, so ``PieceTokenizer`` keeps the vocabulary as a ``piece → id`` table read key by key (a ``core.disktable`` file
beside ``tokenizer.json``, made once) and, per text, builds a small Unigram model of the pieces that occur
in it plus the lowest-scored piece (which fixes the unknown-character penalty), with the same normalisation and
pre-tokenisation as the full tokenizer. The ids, framing (``<s> … </s>``), truncation and padding match the full
tokenizer's; ``tests/index/test_piece_tokenizer.py`` checks them on the seed reports and on generated text.
Leaves out: texts holding a special token's literal text (``<s>``, ``<mask>`` …) and pair encodings — callers use
the full tokenizer for those (``wants_full``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from core.disktable import DiskTable, write_table

PIECES_FILE = "tokenizer.pieces.sqlite"  # beside tokenizer.json
FORMAT = 2


@dataclass(frozen=True)
class Encoded:
    """One text's token ids and attention mask, as the full tokenizer's ``Encoding`` gives them."""

    ids: list[int]
    attention_mask: list[int]


class PieceIndex(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...


@dataclass
class Vocabulary:
    """The Unigram vocabulary as tables, and the tokenizer parts around the model (as JSON)."""

    index: PieceIndex  # piece → id (a dict, or a ``DiskTable`` read key by key)
    scores: np.ndarray  # float64, by id
    unk_id: int
    unk_piece: str
    bos_id: int
    eos_id: int
    max_piece: int  # longest piece, in characters
    min_id: int  # the lowest-scored piece
    min_piece: str
    specials: list[str]  # added tokens' texts
    shell: str  # tokenizer.json without the vocabulary

    def meta(self) -> str:
        """The small fields as JSON."""
        return json.dumps({k: v for k, v in vars(self).items() if k not in ("index", "scores")}, ensure_ascii=False)


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{FORMAT} {st.st_size} {st.st_mtime_ns}"


def derive(tokenizer_json: Path) -> tuple[Vocabulary, dict[str, int]]:
    """The tables of ``tokenizer_json`` (a Unigram ``tokenizers`` file with a ``<s> $A </s>`` template), and
    its piece → id table as a dict."""
    data = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    model = data["model"]
    if model.get("type") != "Unigram" or model.get("byte_fallback"):
        raise ValueError(f"{tokenizer_json.name}: not a plain Unigram tokenizer")
    pieces = [p for p, _ in model["vocab"]]
    scores = np.asarray([float(s) for _, s in model["vocab"]], dtype=np.float64)
    single = data["post_processor"]["single"]
    bos, eos = single[0]["SpecialToken"]["id"], single[-1]["SpecialToken"]["id"]
    special_ids = {t["content"]: int(t["id"]) for t in data.get("added_tokens", [])}
    shell = dict(data, model=dict(model, vocab=[], unk_id=None), added_tokens=[], post_processor=None,
                 truncation=None, padding=None)
    unk_id = int(model["unk_id"])
    min_id = int(np.argmin(scores))
    index = {p: i for i, p in enumerate(pieces)}
    vocab = Vocabulary(
        index=index,
        scores=scores,
        unk_id=unk_id,
        unk_piece=pieces[unk_id],
        bos_id=special_ids.get(bos, pieces.index(bos)),
        eos_id=special_ids.get(eos, pieces.index(eos)),
        max_piece=max(len(p) for p in pieces),
        min_id=min_id,
        min_piece=pieces[min_id],
        specials=sorted(special_ids),
        shell=json.dumps(shell, ensure_ascii=False),
    )
    return vocab, index


def load(tokenizer_json: Path) -> Vocabulary:
    """The tables from the ``DiskTable`` file beside ``tokenizer_json`` (pieces read key by key); derived (and the
    file written, when the folder is writable) when it is missing, unreadable or older than the tokenizer file."""
    cache = tokenizer_json.with_name(PIECES_FILE)
    stamp = _stamp(tokenizer_json)
    try:
        table = DiskTable(cache)
        if table.extra("stamp") == stamp:
            meta = json.loads(table.extra("meta"))
            scores = np.frombuffer(table.extra("scores"), dtype=np.float64)
            return Vocabulary(index=table, scores=scores, **meta)
    except (sqlite3.Error, TypeError, ValueError):
        pass
    vocab, index = derive(tokenizer_json)
    write_table(cache, index, {"stamp": stamp, "meta": vocab.meta(), "scores": vocab.scores.tobytes()})
    return vocab


class PieceTokenizer:
    """Encodes texts with the ids of the full Unigram tokenizer, building a per-text model of its pieces."""

    def __init__(self, vocab: Vocabulary, max_length: int, pad_id: int) -> None:
        from tokenizers import Tokenizer

        self.vocab = vocab
        self.max_length = max_length
        self.pad_id = pad_id
        shell = Tokenizer.from_str(vocab.shell.replace('"vocab": []', '"vocab": [["<unk>", 0.0]]', 1)
                                   .replace('"unk_id": null', '"unk_id": 0', 1))
        self._normalizer = shell.normalizer
        self._pre_tokenizer = shell.pre_tokenizer

    def wants_full(self, text: str) -> bool:
        """Whether ``text`` holds a special token's literal text (the full tokenizer splits those out)."""
        return any(s in text for s in self.vocab.specials)

    def words(self, text: str) -> list[str]:
        """``text`` normalised and split as the full tokenizer does before its model."""
        normalized = self._normalizer.normalize_str(text) if self._normalizer else text
        if self._pre_tokenizer is None:
            return [normalized]
        return [w for w, _ in self._pre_tokenizer.pre_tokenize_str(normalized)]

    def ids(self, text: str) -> list[int]:
        """The full tokenizer's ids of ``text``, ``<s>``/``</s>`` included, truncated at ``max_length``."""
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        v = self.vocab
        words = self.words(text)
        found = {v.unk_id: v.unk_piece, v.min_id: v.min_piece}
        for word in words:
            for start in range(len(word)):
                for end in range(start + 1, min(len(word), start + v.max_piece) + 1):
                    pid = v.index.get(word[start:end])
                    if pid is not None:
                        found[pid] = word[start:end]
        chosen = sorted(found)
        local = Tokenizer(Unigram([(found[i], float(v.scores[i])) for i in chosen], unk_id=chosen.index(v.unk_id),
                                  byte_fallback=False))
        body = [chosen[i] for i in local.encode(words, is_pretokenized=True, add_special_tokens=False).ids]
        return [v.bos_id, *body[: max(0, self.max_length - 2)], v.eos_id]

    def encode_batch(self, texts: list[str]) -> list[Encoded]:
        """Each text's ids, padded to the longest with ``pad_id`` (mask 0), as ``Tokenizer.encode_batch``."""
        rows = [self.ids(t) for t in texts]
        width = max((len(r) for r in rows), default=0)
        return [Encoded(r + [self.pad_id] * (width - len(r)), [1] * len(r) + [0] * (width - len(r))) for r in rows]
