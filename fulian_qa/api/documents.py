"""``GET/POST /api/documents`` and ``DELETE /api/documents/{name}``: list, upload and remove reports.

Writes need ``Authorization: Bearer $FQA_API_TOKEN``. Leaves out: background jobs (an upload is indexed
before the response).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from core.types import IndexOutcome
from fulian_qa.api.deps import SystemDep, require_token
from fulian_qa.api.schemas import DeletedOut, DocumentsOut, error_responses
from index.load import SUFFIXES, ReportError

router = APIRouter(prefix="/api/documents", tags=["documents"])


@router.get("")
def documents(system: SystemDep) -> DocumentsOut:
    """Indexed reports with city, year and chunk count."""
    docs = system.reports.documents()
    return DocumentsOut(documents=docs, chunks=sum(d.chunks for d in docs))


@router.post(
    "",
    response_model=IndexOutcome,
    status_code=201,
    dependencies=[Depends(require_token)],
    responses={
        200: {"model": IndexOutcome, "description": "Already indexed, unchanged"},
        **error_responses(400, 401, 403, 409, 413, 415),
    },
)
async def upload(
    response: Response,
    system: SystemDep,
    file: Annotated[UploadFile, File(description="A .txt, .md, .docx or .pdf report")],
) -> IndexOutcome:
    """Index an uploaded report (incrementally; re-uploading a changed report replaces its old chunks)."""
    name = Path(file.filename or "").name
    if not name:
        raise HTTPException(400, "the upload has no file name")
    if Path(name).suffix.lower() not in SUFFIXES:
        kinds = ", ".join(sorted(SUFFIXES))
        raise HTTPException(415, f"{name}: unsupported file type {Path(name).suffix or '(none)'}; use {kinds}")
    limit_mb = system.settings.max_upload_mb
    data = await file.read(limit_mb * 1024 * 1024 + 1)
    if len(data) > limit_mb * 1024 * 1024:
        raise HTTPException(413, f"{name}: larger than {limit_mb} MB (FQA_MAX_UPLOAD_MB)")
    try:
        outcome = await run_in_threadpool(system.reports.add, name, data)
    except ReportError as exc:
        raise HTTPException(400, str(exc)) from exc
    if outcome.status == "duplicate":
        raise HTTPException(409, f"{name}: {outcome.message}")
    if outcome.status == "error":
        raise HTTPException(400, f"{name}: {outcome.message}")
    if outcome.status == "unchanged":
        response.status_code = 200
    return outcome


@router.delete("/{name}", dependencies=[Depends(require_token)], responses=error_responses(401, 403, 404))
def delete(name: str, system: SystemDep) -> DeletedOut:
    """Remove every chunk of a report from every index."""
    removed = system.reports.remove(name)
    if not removed:
        raise HTTPException(404, f"no indexed report named {name!r} (see GET /api/documents)")
    return DeletedOut(doc=name, removed=removed)
