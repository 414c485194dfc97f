"""``GET/POST /api/documents``, ``GET /api/documents/{name}/text`` and ``DELETE /api/documents/{name}``: list,
upload, read and remove reports.

Writes need ``Authorization: Bearer $FQA_API_TOKEN`` (checked from the headers before an upload is received,
by ``fulian_qa.api.gate``). A report's name is its file name; reports indexed from folders are named by their
path inside the folder (``a/report.txt``). Leaves out: background jobs (``fulian_qa.api.jobs``; here an upload
is indexed before the response, in bounded steps that let other writes take turns).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from core.limits import clip
from core.types import IndexOutcome
from fulian_qa.api.deps import SystemDep, require_token
from fulian_qa.api.schemas import DeletedOut, DocumentsOut, error_responses
from index.load import SUFFIXES, ReportError
from qa.reports import ReportInfo

router = APIRouter(prefix="/api/documents", tags=["documents"])
MAX_NAME = 200  # characters in an uploaded file name


@router.get("", responses=error_responses())
async def documents(system: SystemDep) -> DocumentsOut:
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
        **error_responses(400, 401, 403, 409, 413, 415, 503),
    },
)
async def upload(
    request: Request,
    response: Response,
    system: SystemDep,
    file: Annotated[UploadFile, File(description="A .txt, .md, .docx or .pdf report")],
) -> IndexOutcome:
    """Index an uploaded report (incrementally; re-uploading a changed report replaces its old chunks)."""
    name = Path((file.filename or "").replace("\\", "/")).name.strip()
    request.state.audit = {"doc": clip(name, MAX_NAME)}
    if not name:
        raise HTTPException(400, "the upload has no file name")
    if len(name) > MAX_NAME or not name.isprintable():
        raise HTTPException(400, f"{clip(name, 60)!r}: file names must be printable and at most {MAX_NAME} characters")
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
    request.state.audit["outcome"] = outcome.status
    if outcome.status == "duplicate":
        raise HTTPException(409, f"{name}: {outcome.message}")
    if outcome.status == "error":
        raise HTTPException(400, f"{name}: {outcome.message}")
    if outcome.status == "unchanged":
        response.status_code = 200
    return outcome


class DocumentText(ReportInfo):
    text: str = Field(description="The report's text, put back together from its passages.")


@router.get("/{name:path}/text", responses=error_responses(404))
async def text(name: str, system: SystemDep) -> DocumentText:
    """A report's title, city, year, passages and text, for reading (``name`` may hold ``/``)."""
    body = system.reports.text(name)
    info = next((d for d in system.reports.documents() if d.doc == name), None)
    if body is None or info is None:
        raise HTTPException(404, f"no indexed report named {clip(name, 200)!r} (see GET /api/documents)")
    return DocumentText(**info.model_dump(), text=body)


@router.delete(
    "/{name:path}", dependencies=[Depends(require_token)], responses=error_responses(401, 403, 404, 503)
)
def delete(name: str, request: Request, system: SystemDep) -> DeletedOut:
    """Remove every chunk of a report from every index (``name`` may hold ``/``: ``a/report.txt``)."""
    request.state.audit = {"doc": name}
    removed = system.reports.remove(name)
    request.state.audit["outcome"] = "removed" if removed else "not found"
    if not removed:
        raise HTTPException(404, f"no indexed report named {clip(name, 200)!r} (see GET /api/documents)")
    return DeletedOut(doc=name, removed=removed)
