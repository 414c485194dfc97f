"""Read a report file into text: encoding detection, binary rejection, docx/pdf extraction.

The decoded text is kept exactly (line endings included), so chunk offsets index into it. A .docx or .pdf
is bounded before and while it is unpacked (``max_unpacked`` bytes, ``FQA_MAX_UNPACKED_MB``): a .docx by
the sizes its zip entries declare (the zip reader never inflates past them), a .pdf by pypdf's per-stream
limits and by the total of its pages' content streams and text — so a small compressed bomb is refused
before it takes the memory it would expand to.
Leaves out: OCR of scanned PDFs and layout analysis (a PDF without a text layer is rejected).
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}
MAX_UNPACKED = 50 * 1024 * 1024  # bytes; FQA_MAX_UNPACKED_MB


class ReportError(ValueError):
    """A file that cannot be read as a report (binary, unknown encoding, empty...)."""


@dataclass(frozen=True)
class Report:
    """One report's decoded text and where it came from."""

    name: str
    text: str
    encoding: str


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > max(4, len(head) // 100)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode report bytes as UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312)."""
    if _looks_binary(data):
        raise ReportError("binary file: not a text report")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ReportError("unknown text encoding (expected UTF-8 or GBK/GB18030)")


def _too_big(kind: str, size: int, limit: int) -> ReportError:
    mb = 1024 * 1024
    return ReportError(f"{kind} unpacks to more than {limit // mb} MB ({size // mb} MB seen; FQA_MAX_UNPACKED_MB)")


def check_zip(data: bytes, limit: int) -> None:
    """``ReportError`` unless ``data`` is a zip whose entries declare at most ``limit`` bytes in total."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReportError(f"not a readable .docx file: {exc}") from exc
    if declared > limit:
        raise _too_big(".docx", declared, limit)


def _docx_text(data: bytes, limit: int) -> str:
    import docx  # lazy: only for .docx

    check_zip(data, limit)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for corrupt files
        raise ReportError(f"not a readable .docx file: {exc}") from exc
    return "\n".join(p.text for p in document.paragraphs)


def _pdf_text(data: bytes, limit: int) -> str:
    from pypdf import PdfReader, apply_configuration  # lazy: only for .pdf

    pages: list[str] = []
    unpacked = 0
    try:
        with apply_configuration(
            zlib_maximum_output_length=limit,
            lzw_maximum_output_length=limit,
            run_length_maximum_output_length=limit,
            array_based_stream_maximum_output_length=limit,
            maximum_declared_stream_length=limit,
        ):
            reader = PdfReader(io.BytesIO(data))
            for page in reader.pages:
                contents = page.get_contents()
                unpacked += len(contents.get_data()) if contents is not None else 0
                if unpacked > limit:
                    raise _too_big(".pdf", unpacked, limit)
                pages.append(page.extract_text() or "")
                unpacked += len(pages[-1]) * 4
    except ReportError:
        raise
    except Exception as exc:
        raise ReportError(f"not a readable .pdf file: {exc}") from exc
    return "\n".join(pages)


def read_report_bytes(name: str, data: bytes, max_unpacked: int = MAX_UNPACKED) -> Report:
    """Decode an uploaded or on-disk report given its file name and bytes (.docx/.pdf bounded by ``max_unpacked``)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ReportError(f"{name}: unsupported file type {suffix or '(none)'}; use {', '.join(sorted(SUFFIXES))}")
    if suffix == ".docx":
        text, encoding = _wrap(name, _docx_text, data, max_unpacked), "docx"
    elif suffix == ".pdf":
        text, encoding = _wrap(name, _pdf_text, data, max_unpacked), "pdf"
    else:
        try:
            text, encoding = decode_text(data)
        except ReportError as exc:
            raise ReportError(f"{name}: {exc}") from exc
    if not any(ch.strip() for ch in text):
        raise ReportError(f"{name}: no text found")
    return Report(name=name, text=text, encoding=encoding)


def _wrap(name: str, extract, data: bytes, limit: int) -> str:
    try:
        return extract(data, limit)
    except ReportError as exc:
        raise ReportError(f"{name}: {exc}") from exc


def read_report(path: Path, name: str | None = None, max_unpacked: int = MAX_UNPACKED) -> Report:
    """Read one report file from disk, named ``name`` (default: its file name)."""
    return read_report_bytes(name or path.name, path.read_bytes(), max_unpacked)


def named_reports(paths: list[Path]) -> list[tuple[Path, str]]:
    """Report files with their names: the path inside the folder given (``a/report.txt``), or the file name.

    Names that would still collide (the same relative path under two folders given) are taken relative to
    the folders' common parent instead, so two reports never share a name.
    """
    found: list[tuple[Path, Path, str]] = []
    for path in paths:
        if path.is_dir():
            found.extend((p, path, p.relative_to(path).as_posix()) for p in find_reports([path]))
        else:
            found.extend((p, p.parent, p.name) for p in find_reports([path]))
    counts: dict[str, int] = {}
    for _, _, name in found:
        counts[name] = counts.get(name, 0) + 1
    clashing = [p.resolve() for p, _, name in found if counts[name] > 1]
    common = Path(os.path.commonpath(clashing)) if clashing else None
    named = []
    for path, _, name in found:
        if common is not None and counts[name] > 1:
            name = path.resolve().relative_to(common).as_posix()
        named.append((path, name))
    return named


def find_reports(paths: list[Path]) -> list[Path]:
    """Expand files and folders into report files (sorted, supported suffixes only)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.exists():
            found.append(path)
        else:
            raise ReportError(f"{path}: no such file or folder")
    return found
