"""Checksums of a converted model folder: written at conversion, verified before the model is loaded.

``write_manifest`` records the size and SHA-256 of every file in ``checksums.json``; ``problem`` names the
first file that is missing, resized or changed (about 0.6 s for the 470 MB weights), so a damaged or partial
folder is rebuilt instead of crashing start-up or silently changing retrieval. Leaves out: models that were
not converted here (a sentence-transformers name or path is loaded as it is).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "checksums.json"


class ModelError(RuntimeError):
    """The embedding model cannot be loaded; the message says what to do."""

CHUNK = 1 << 22


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path, skip: set[str]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.relative_to(folder).as_posix() not in skip)


def write_manifest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, dict[str, str | int]]:
    """Record size and SHA-256 of every file under ``folder`` (except ``skip``) in ``folder/checksums.json``."""
    entries: dict[str, dict[str, str | int]] = {
        p.relative_to(folder).as_posix(): {"size": p.stat().st_size, "sha256": sha256(p)}
        for p in _files(folder, {MANIFEST, *skip})
    }
    (folder / MANIFEST).write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return entries


def problem(folder: Path) -> str | None:
    """None when every file matches the manifest, else what is wrong (one short line)."""
    try:
        entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"no {MANIFEST} (incomplete, or converted before checksums were kept)"
    except (OSError, ValueError) as exc:
        return f"{MANIFEST} is unreadable ({exc})"
    for name, entry in sorted(entries.items()):
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if path.stat().st_size != entry.get("size"):
            return f"{name} has the wrong size"
        if sha256(path) != entry.get("sha256"):
            return f"{name} is damaged (checksum mismatch)"
    return None
