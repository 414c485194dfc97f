"""Build ONNX Runtime encoders of the converted multilingual-e5-small: an fp32 export and an int8 quantisation.

Run once per data dir, where torch is allowed: :func:`export` traces the sentence-transformers folder written
by ``index.e5convert`` with ``torch.onnx.export`` (the TorchScript exporter, ``dynamo=False``: the dynamo
exporter needs ``onnxscript``, which is not installed), a wrapper returning ``last_hidden_state`` with dynamic
batch and sequence axes; :func:`quantize` turns that file into an int8 one with
``onnxruntime.quantization.quantize_dynamic`` (per-channel weights: cosine ~0.996 to fp32 where per-tensor gave
~0.989). Each build is a self-contained folder: ``model.onnx`` with its weights beside it in
``model.onnx.data`` (onnxruntime memory-maps them, so the fp32 session opens in a fraction of the time one
470 MB file takes), ``tokenizer.json`` and ``encoder.json`` (prompts, maximum length, pooling), with checksums
(``index.modelcheck``) and a completion marker written last. :func:`ensure_onnx` verifies a build before use
and rebuilds it when missing, incomplete, damaged or made from another conversion of the model.
Leaves out: running the encoder (``index.onnx_embed``), models other than the converted default, and
graph-level fusions (``onnxruntime.transformers``' optimiser).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from index.e5convert import MODEL_DIRNAME, ModelFolderError, ensure_model
from index.modelcheck import MANIFEST, problem, write_manifest

log = logging.getLogger("fulian_qa.model")
PRECISIONS = ("fp32", "int8")
MODEL_FILE = "model.onnx"
DATA_SUFFIX = ".data"  # the weights, beside the graph: model.onnx.data
CONFIG_FILE = "encoder.json"
TOKENIZER_FILE = "tokenizer.json"
MARKER_NAME = ".onnx-complete"
OPSET = 17
INPUTS = ("input_ids", "attention_mask")
OUTPUT = "last_hidden_state"


def folder_name(precision: str) -> str:
    """Folder of one build under the models dir: ``multilingual-e5-small-onnx`` / ``…-onnx-int8``."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown ONNX precision {precision!r}; one of {', '.join(PRECISIONS)}")
    return f"{MODEL_DIRNAME}-onnx" + ("" if precision == "fp32" else f"-{precision}")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def encoder_config(st_folder: Path) -> dict[str, Any]:
    """What running the model needs besides weights: prompts, max length, pooling, normalisation, pad token."""
    pooling = _json(st_folder / "1_Pooling" / "config.json")
    if not pooling.get("pooling_mode_mean_tokens"):
        raise ValueError(f"{st_folder}: only mean pooling is supported for an ONNX build")
    modules = [m["type"].rsplit(".", 1)[-1] for m in _json(st_folder / "modules.json")]
    st_config = _json(st_folder / "config_sentence_transformers.json")
    tok_config = _json(st_folder / "tokenizer_config.json")
    model_config = _json(st_folder / "config.json")
    return {
        "prompts": st_config.get("prompts", {}),
        "max_seq_length": int(_json(st_folder / "sentence_bert_config.json")["max_seq_length"]),
        "pooling": "mean",
        "normalize": "Normalize" in modules,
        "dimension": int(pooling["word_embedding_dimension"]),
        "pad_token": tok_config["pad_token"],
        "pad_id": int(model_config["pad_token_id"]),
        "source_sha256": _json(st_folder / MANIFEST)["model.safetensors"]["sha256"],
    }


def export(st_folder: Path, out: Path) -> None:
    """Write an fp32 ONNX build of the sentence-transformers folder ``st_folder`` into the empty folder ``out``."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(st_folder), device="cpu")[0].auto_model  # its Transformer module's model
    assert isinstance(model, torch.nn.Module)
    model.eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # Trace with a padded row, so nothing specific to an all-ones mask is baked into the graph.
    ids = torch.tensor([[0, 6, 7, 8, 9, 2], [0, 6, 7, 2, 1, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    axes = {0: "batch", 1: "sequence"}
    traced = out / "traced.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on shape checks that hold for every input here
        torch.onnx.export(
            LastHidden(model),
            (ids, mask),
            str(traced),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes={INPUTS[0]: axes, INPUTS[1]: axes, OUTPUT: axes},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    _save_external(traced, out / MODEL_FILE)
    traced.unlink()
    shutil.copyfile(st_folder / TOKENIZER_FILE, out / TOKENIZER_FILE)
    config = encoder_config(st_folder) | {"precision": "fp32"}
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")


def _save_external(source: Path, target: Path) -> None:
    """Re-save an ONNX file with its weights in ``<target>.data``, which onnxruntime memory-maps on load."""
    import onnx

    model = onnx.load(str(source))
    onnx.save_model(
        model,
        str(target),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=target.name + DATA_SUFFIX,
        size_threshold=1024,
    )


def quantize(fp32_folder: Path, out: Path) -> None:
    """Write an int8 (dynamic, per-channel weights) build of the fp32 build ``fp32_folder`` into ``out``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_dynamic logs advice on pre-processing through the root logger
    try:
        quantize_dynamic(
            str(fp32_folder / MODEL_FILE),
            str(out / MODEL_FILE),
            weight_type=QuantType.QInt8,
            per_channel=True,
            use_external_data_format=True,
        )
    finally:
        root.setLevel(level)
    shutil.copyfile(fp32_folder / TOKENIZER_FILE, out / TOKENIZER_FILE)
    config = _json(fp32_folder / CONFIG_FILE) | {"precision": "int8"}
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")


def build(models_dir: Path, precision: str) -> Path:
    """Build one precision into ``models_dir`` (from its sources, which are made first when missing).

    Written in a temporary sibling and renamed into place, so a crash never leaves a half-written build.
    """
    target = Path(models_dir) / folder_name(precision)
    source = ensure_model(models_dir) if precision == "fp32" else ensure_onnx(models_dir, "fp32")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=models_dir))
    try:
        tmp.chmod(0o755)
        (export if precision == "fp32" else quantize)(source, tmp)
        for path in tmp.iterdir():
            path.chmod(0o644)
        write_manifest(tmp, skip=(MARKER_NAME,))
        (tmp / MARKER_NAME).write_text(f"{precision} build of {source.name}\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def ensure_onnx(models_dir: Path, precision: str) -> Path:
    """The verified build of ``precision`` under ``models_dir``, built or rebuilt first when needed.

    A build whose checksums fail, or whose fp32 source model changed since, is rebuilt (one log line).
    Concurrent callers are serialised by a lock file; a build that fails raises ``ModelFolderError``.
    """
    path = Path(models_dir) / folder_name(precision)
    if _usable(path, models_dir) is None:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        why = _usable(path, models_dir)
        if why is None:
            return path
        if path.exists():
            log.warning("ONNX build %s: %s; rebuilding it", path, why)
        try:
            build(models_dir, precision)
        except ModelFolderError:
            raise
        except Exception as exc:
            raise ModelFolderError(
                f"ONNX build {path} could not be made ({type(exc).__name__}: {exc}); FQA_ENCODER=torch needs no "
                f"ONNX build"
            ) from exc
        why = _usable(path, models_dir)
        if why is not None:
            raise ModelFolderError(f"ONNX build {path} is still unusable after a rebuild ({why}): delete it")
    return path


def _usable(path: Path, models_dir: Path) -> str | None:
    """None when the build is complete, matches its checksums and its source model, else why not."""
    if not (path / MARKER_NAME).is_file():
        return "incomplete (no completion marker)"
    why = problem(path)
    if why is not None:
        return why
    return _stale(path, Path(models_dir))


def _stale(path: Path, models_dir: Path) -> str | None:
    """Why the build no longer matches the converted model beside it (None when it does, or it is gone)."""
    try:
        built_from = _json(path / CONFIG_FILE)["source_sha256"]
        source = _json(models_dir / MODEL_DIRNAME / MANIFEST)["model.safetensors"]["sha256"]
    except (OSError, ValueError, KeyError):
        return None
    return None if built_from == source else "built from another conversion of the model"
