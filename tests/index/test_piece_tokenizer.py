"""The per-text tokenizer gives the full tokenizer's ids: on every sentence of the seed reports, on the gold
questions, on generated text, with truncation and padding; its table is cached and rebuilt when stale. Real
model files."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.settings import DEFAULT_EMBED_MODEL
from index.embed import get_embedder
from index.onnx_embed import OnnxEmbedder
from index.piece_tokenizer import PIECES_FILE, PieceTokenizer, load
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def build(models_cache, tmp_path_factory) -> Path:
    """A private copy of the tokenizer files (the cache beside them is written by these tests)."""
    embedder = get_embedder(DEFAULT_EMBED_MODEL, models_cache / "models", "onnx")
    assert isinstance(embedder, OnnxEmbedder)
    folder = tmp_path_factory.mktemp("pieces")
    for name in ("tokenizer.json", "encoder.json"):
        (folder / name).write_bytes((Path(embedder.path) / name).read_bytes())
    return folder


@pytest.fixture(scope="module")
def full(build):
    from tokenizers import Tokenizer

    config = json.loads((build / "encoder.json").read_text(encoding="utf-8"))
    tok = Tokenizer.from_file(str(build / "tokenizer.json"))
    tok.enable_truncation(max_length=int(config["max_seq_length"]))
    return tok


@pytest.fixture(scope="module")
def pieces(build) -> PieceTokenizer:
    config = json.loads((build / "encoder.json").read_text(encoding="utf-8"))
    load(build / "tokenizer.json")  # writes the table file the tokenizer below reads key by key
    vocab = load(build / "tokenizer.json")
    assert not isinstance(vocab.index, dict)
    return PieceTokenizer(vocab, int(config["max_seq_length"]), int(config["pad_id"]))


def corpus_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "seeds").iterdir()):
        text = path.read_text(encoding="utf-8")
        texts += [s for s in re.split(r"(?<=[。；！？\n])", text) if s.strip()]
        texts.append(text)  # whole reports: past 512 tokens
    for line in (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            texts.append("query: " + json.loads(line)["question"])
    return texts


def test_same_ids_as_the_full_tokenizer_on_the_reports_and_questions(full, pieces):
    texts = corpus_texts()
    assert len(texts) > 500
    mismatched = [t[:60] for t in texts if pieces.ids(t) != full.encode(t).ids]
    assert mismatched == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
       | st.text(alphabet="天水培训陇原巧手妇联ＡＢ１２①ﬁ　 \t\n.,，。%℃㎡ⅣⅫabcXYZ0123456789-", max_size=120))
def test_same_ids_on_generated_text(full, pieces, text):
    if pieces.wants_full(text):
        return
    assert pieces.ids(text) == full.encode(text).ids


def test_batches_are_padded_like_the_full_tokenizer(build, pieces):
    from tokenizers import Tokenizer

    config = json.loads((build / "encoder.json").read_text(encoding="utf-8"))
    tok = Tokenizer.from_file(str(build / "tokenizer.json"))
    tok.enable_truncation(max_length=int(config["max_seq_length"]))
    tok.enable_padding(pad_id=int(config["pad_id"]), pad_token=str(config["pad_token"]))
    batch = ["query: 天水培训了多少陇原巧手", "query: How many?", "query: " + "妇联" * 600]
    want = tok.encode_batch(batch)
    got = pieces.encode_batch(batch)
    assert [g.ids for g in got] == [w.ids for w in want]
    assert [g.attention_mask for g in got] == [w.attention_mask for w in want]


def test_special_token_text_goes_to_the_full_tokenizer(pieces):
    assert pieces.wants_full("what is <mask> here")
    assert not pieces.wants_full("天水培训了多少陇原巧手")


def test_the_table_is_cached_and_rebuilt_when_stale_or_damaged(build, full):
    cache = build / PIECES_FILE
    cache.unlink(missing_ok=True)
    texts = ["query: 天水培训了多少陇原巧手", "query: How many women were trained?", "ấ ①②"]

    def ids_with(vocab) -> list[list[int]]:
        return [PieceTokenizer(vocab, 512, 1).ids(t) for t in texts]

    want = [full.encode(t).ids for t in texts]
    first = load(build / "tokenizer.json")  # derived: a dict
    assert isinstance(first.index, dict) and cache.is_file() and ids_with(first) == want
    again = load(build / "tokenizer.json")  # read key by key from the file
    assert not isinstance(again.index, dict) and ids_with(again) == want
    cache.write_bytes(cache.read_bytes()[:1000])  # damaged: derived again, not trusted
    assert isinstance(load(build / "tokenizer.json").index, dict)
    assert not isinstance(load(build / "tokenizer.json").index, dict)
    stat = (build / "tokenizer.json").stat()
    os.utime(build / "tokenizer.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    stale = load(build / "tokenizer.json")  # the tokenizer file changed: derived again
    assert isinstance(stale.index, dict) and ids_with(stale) == want
    assert ids_with(load(build / "tokenizer.json")) == want


def test_questions_encode_without_building_the_full_tokenizer(models_cache):
    embedder = get_embedder(DEFAULT_EMBED_MODEL, models_cache / "models", "onnx")
    assert isinstance(embedder, OnnxEmbedder)
    fresh = OnnxEmbedder(embedder.name, embedder.path)
    vector = fresh.encode_queries(["天水培训了多少陇原巧手"])
    assert vector.shape == (1, 384)
    assert fresh._full is None
    reference = OnnxEmbedder(embedder.name, embedder.path)
    reference._full_tokenizer()
    same = reference._batch(["query: 天水培训了多少陇原巧手"], short=False)
    assert float((same * vector).sum()) > 0.9999
