"""Checksums of a converted model folder: written at conversion, verified before the model is loaded.

``write_manifest`` records the size and SHA-256 of every file in ``checksums.json``; ``problem`` names the
first file that is missing, resized or changed, so a damaged or partial folder is rebuilt instead of crashing
start-up or silently changing retrieval. Hashing the 470 MB weights takes about 0.6 s, so a folder that
verified leaves a stamp beside it (``.<folder>.verified``: size, mtime, ctime, inode and device of the
manifest and of every file) and later checks re-hash only when a file's stamp changed. Any write to a file
changes its ctime, which no one can set back, so a file overwritten in place (even with its mtime restored)
or replaced is hashed again. Leaves out: damage that bypasses the file system (bit rot under an unchanged
inode is found only once the stamp is deleted), and models that were not converted here (a
sentence-transformers name or path is loaded as it is).
"""

from __future__ import annotations

import hashlib
import json
import os
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


def stamp_path(folder: Path) -> Path:
    """Where the stamp of a verified ``folder`` is kept: beside it, so copying the folder leaves it behind."""
    return folder.parent / f".{folder.name}.verified"


def _stamp(folder: Path, names: list[str]) -> dict[str, list[int]]:
    """(size, mtime_ns, ctime_ns, inode, device) of the manifest and of each named file."""
    out: dict[str, list[int]] = {}
    for name in [MANIFEST, *names]:
        st = (folder / name).stat()
        out[name] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    return out


def _read_stamp(folder: Path) -> object:
    try:
        return json.loads(stamp_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_stamp(folder: Path, stamp: dict[str, list[int]]) -> None:
    """Write the stamp atomically; a folder whose parent is read-only is simply hashed on every check."""
    target = stamp_path(folder)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(stamp, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


def problem(folder: Path) -> str | None:
    """None when every file matches the manifest, else what is wrong (one short line).

    Files whose stamp is unchanged since the last check that passed are not hashed again."""
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
    try:
        stamp = _stamp(folder, sorted(entries))
    except OSError as exc:
        return f"a file cannot be read ({exc})"
    if _read_stamp(folder) == stamp:
        return None
    for name, entry in sorted(entries.items()):
        if sha256(folder / name) != entry.get("sha256"):
            return f"{name} is damaged (checksum mismatch)"
    _write_stamp(folder, stamp)
    return None
