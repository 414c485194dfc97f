"""The ONNX Runtime encoder: the same vectors as sentence-transformers (fp32) or close to them (int8), damaged
builds rebuilt, the store refusing to mix the two, and no torch on the question path. Real model, real builds."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.settings import DEFAULT_EMBED_MODEL, Settings
from index import onnx_export
from index.embed import INT8_SUFFIX, SentenceEmbedder, get_embedder, resolve_model_path, store_name
from index.indexer import Indexer
from index.modelcheck import problem
from index.onnx_embed import OnnxEmbedder
from index.store import ChromaStore, StoreError
from tests.conftest import ROOT

QUERIES = [
    "天水培训了多少陇原巧手",
    "株洲組建了多少個姐妹幫幫團",
    "How many women were trained in Tianshui?",
    "",
]
PASSAGES = [
    "实施“陇原巧手”培训项目,全年共培训“陇原巧手”3426人,完成年计划的107.06%。",
    "As a general guideline, the CDC's average requirement of protein for women is 46 grams per day.",
    "东营市妇联\n2020年工作总结\n一、围绕中心大局，巾帼建功展现新作为",
    "妇联" * 700,  # past 512 tokens: truncated as sentence-transformers does
    "短",
]
REPORT = "青山市妇联2024年工作总结\n全年培训家政服务员888人，举办好家风讲座12场。\n"


@pytest.fixture(scope="module")
def models(models_cache) -> Path:
    return models_cache / "models"


@pytest.fixture(scope="module")
def torch_embedder(models) -> SentenceEmbedder:
    return SentenceEmbedder(DEFAULT_EMBED_MODEL, resolve_model_path(DEFAULT_EMBED_MODEL, models))


@pytest.fixture(scope="module")
def fp32(models) -> OnnxEmbedder:
    embedder = get_embedder(DEFAULT_EMBED_MODEL, models, "onnx")
    assert isinstance(embedder, OnnxEmbedder)
    return embedder


@pytest.fixture(scope="module")
def int8(models) -> OnnxEmbedder:
    embedder = get_embedder(DEFAULT_EMBED_MODEL, models, "onnx-int8")
    assert isinstance(embedder, OnnxEmbedder)
    return embedder


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    assert a.shape == b.shape and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    return (a * b).sum(axis=1)


def test_fp32_onnx_vectors_are_the_torch_vectors(fp32, torch_embedder):
    assert fp32.name == torch_embedder.name == DEFAULT_EMBED_MODEL  # one store name: the vectors agree
    assert _cosines(fp32.encode_queries(QUERIES), torch_embedder.encode_queries(QUERIES)).min() >= 0.999
    assert _cosines(fp32.encode_passages(PASSAGES), torch_embedder.encode_passages(PASSAGES)).min() >= 0.999
    # a text's vector does not depend on the batch it is encoded in (padding is masked out)
    alone = fp32.encode_passages(PASSAGES[:1])
    assert _cosines(alone, fp32.encode_passages(PASSAGES)[:1]).min() >= 0.9999
    assert fp32.encode_passages([]).shape == (0, 384)
    assert fp32.embed_query(QUERIES[0]) == pytest.approx(fp32.encode_queries(QUERIES[:1])[0].tolist(), abs=1e-6)


def test_query_and_passage_prompts_differ(fp32):
    query, passage = fp32.encode_queries(PASSAGES[:1]), fp32.encode_passages(PASSAGES[:1])
    assert _cosines(query, passage)[0] < 0.999


def test_int8_vectors_are_close_to_fp32_and_stored_under_another_name(int8, fp32):
    assert int8.name == DEFAULT_EMBED_MODEL + INT8_SUFFIX == store_name(DEFAULT_EMBED_MODEL, "onnx-int8")
    assert _cosines(int8.encode_queries(QUERIES), fp32.encode_queries(QUERIES)).min() >= 0.98
    assert _cosines(int8.encode_passages(PASSAGES), fp32.encode_passages(PASSAGES)).min() >= 0.98
    sizes = {p: (Path(p.path) / "model.onnx.data").stat().st_size for p in (int8, fp32)}
    assert sizes[int8] * 3 < sizes[fp32]


@pytest.fixture
def own_models(tmp_path, models, fp32, int8) -> Path:
    """A models dir of this test's own: copies of the ONNX builds, the converted model linked."""
    mine = tmp_path / "models"
    mine.mkdir()
    (mine / DEFAULT_EMBED_MODEL).symlink_to(models / DEFAULT_EMBED_MODEL, target_is_directory=True)
    for precision in onnx_export.PRECISIONS:
        name = onnx_export.folder_name(precision)
        shutil.copytree(models / name, mine / name)
    return mine


def test_a_damaged_fp32_build_is_detected_and_rebuilt(own_models, fp32, caplog):
    folder = own_models / onnx_export.folder_name("fp32")
    weights = folder / "model.onnx.data"
    with weights.open("r+b") as f:
        f.seek(weights.stat().st_size // 2)
        f.write(b"\x7f" * 4096)
    assert problem(folder) == "model.onnx.data is damaged (checksum mismatch)"
    caplog.set_level(logging.WARNING, logger="fulian_qa.model")
    assert onnx_export.ensure_onnx(own_models, "fp32") == folder
    assert problem(folder) is None
    assert any("damaged" in r.getMessage() and "rebuilding" in r.getMessage() for r in caplog.records)
    rebuilt = OnnxEmbedder(DEFAULT_EMBED_MODEL, folder)
    assert _cosines(rebuilt.encode_passages(PASSAGES), fp32.encode_passages(PASSAGES)).min() >= 0.99999


def test_a_truncated_int8_build_is_detected_and_rebuilt(own_models, int8):
    folder = own_models / onnx_export.folder_name("int8")
    weights = folder / "model.onnx.data"
    with weights.open("r+b") as f:
        f.truncate(weights.stat().st_size // 3)
    assert problem(folder) == "model.onnx.data has the wrong size"
    assert onnx_export.ensure_onnx(own_models, "int8") == folder
    assert problem(folder) is None
    rebuilt = OnnxEmbedder(int8.name, folder)
    assert _cosines(rebuilt.encode_queries(QUERIES), int8.encode_queries(QUERIES)).min() >= 0.9999


def test_an_unfinished_build_is_redone(own_models):
    folder = own_models / onnx_export.folder_name("int8")
    (folder / onnx_export.MARKER_NAME).unlink()
    assert onnx_export._usable(folder, own_models) == "incomplete (no completion marker)"
    onnx_export.ensure_onnx(own_models, "int8")
    assert onnx_export._usable(folder, own_models) is None


def _settings(tmp_path: Path, models: Path, **extra) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    (data / "models").symlink_to(models, target_is_directory=True)
    return Settings(data_dir=data, **extra)


def test_an_index_built_with_int8_is_not_queried_with_fp32(tmp_path, models, int8, fp32):
    settings = _settings(tmp_path, models, encoder="onnx-int8")
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    indexer = Indexer.from_settings(settings, int8)
    assert [o.status for o in indexer.index_paths([report])] == ["indexed"]

    with pytest.raises(StoreError) as refused:
        ChromaStore.from_settings(settings, fp32.name).count()
    message = str(refused.value)
    assert f"'{DEFAULT_EMBED_MODEL}{INT8_SUFFIX}'" in message
    assert f"FQA_EMBED_MODEL={DEFAULT_EMBED_MODEL}+int8" in message
    # the advice works: that name is the int8 build, whatever FQA_ENCODER says
    alias = get_embedder(DEFAULT_EMBED_MODEL + INT8_SUFFIX, settings.models_dir, "onnx")
    assert alias.name == int8.name
    assert ChromaStore.from_settings(settings, alias.name).count() == indexer.store.count()


PROBE = """
import json, sys
from core.settings import get_settings
from qa.system import System
answer = System.from_settings(get_settings()).service.ask("青山市培训了多少家政服务员").to_dict()
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "transformers", "sentence_transformers"})
print(json.dumps({"answer": answer["answer"], "heavy": heavy}, ensure_ascii=False))
"""


def test_the_question_path_imports_no_torch(tmp_path, models, fp32):
    settings = _settings(tmp_path, models, encoder="onnx")
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    Indexer.from_settings(settings, fp32).index_paths([report])
    env = {**os.environ, "FQA_DATA_DIR": str(settings.data_dir), "FQA_ENCODER": "onnx"}
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["heavy"] == [] and "888" in out["answer"]
