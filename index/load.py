"""Read a report file into text: encoding detection, binary rejection, docx/pdf extraction.

The decoded text is kept exactly (line endings included), so chunk offsets index into it.
Leaves out: OCR of scanned PDFs and layout analysis (a PDF without a text layer is rejected).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}


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


def _docx_text(data: bytes) -> str:
    import docx  # lazy: only for .docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for corrupt files
        raise ReportError(f"not a readable .docx file: {exc}") from exc
    return "\n".join(p.text for p in document.paragraphs)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader  # lazy: only for .pdf

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise ReportError(f"not a readable .pdf file: {exc}") from exc
    return "\n".join(pages)


def read_report_bytes(name: str, data: bytes) -> Report:
    """Decode an uploaded or on-disk report given its file name and bytes."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ReportError(f"{name}: unsupported file type {suffix or '(none)'}; use {', '.join(sorted(SUFFIXES))}")
    if suffix == ".docx":
        text, encoding = _docx_text(data), "docx"
    elif suffix == ".pdf":
        text, encoding = _pdf_text(data), "pdf"
    else:
        try:
            text, encoding = decode_text(data)
        except ReportError as exc:
            raise ReportError(f"{name}: {exc}") from exc
    if not any(ch.strip() for ch in text):
        raise ReportError(f"{name}: no text found")
    return Report(name=Path(name).name, text=text, encoding=encoding)


def read_report(path: Path) -> Report:
    """Read one report file from disk."""
    return read_report_bytes(path.name, path.read_bytes())


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
