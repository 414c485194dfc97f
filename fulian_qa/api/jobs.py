"""``POST /api/jobs`` (upload one or many reports as a background job: 202 + ``Location``), ``GET /api/jobs``
and ``GET /api/jobs/{id}`` (per-file progress and outcome).

The token is checked from the headers before the body is received (``fulian_qa.api.gate``); the whole
request (every file) is bounded by ``FQA_MAX_UPLOAD_MB``. Each file's name, type and size are checked by the
queue (``qa.jobs``): a bad file is an ``error`` outcome of its own, the others are indexed. Leaves out:
indexing itself (``qa.jobs`` → ``qa.reports``) and ``POST /api/documents`` (one file, answered when indexed).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Path, Request, Response, UploadFile
from pydantic import BaseModel

from core.limits import clip
from fulian_qa.api.deps import SystemDep, require_token
from fulian_qa.api.schemas import error_responses
from qa.jobs import MAX_FILES, JobError, JobStatus

router = APIRouter(prefix="/api/jobs", tags=["documents"])


class JobsOut(BaseModel):
    jobs: list[JobStatus]


@router.post(
    "",
    status_code=202,
    response_model=JobStatus,
    dependencies=[Depends(require_token)],
    responses={
        202: {"description": "Accepted: poll the `Location` (`GET /api/jobs/{id}`) until `state` is `done`."},
        **error_responses(400, 401, 403, 503),
    },
)
async def submit(
    request: Request,
    response: Response,
    system: SystemDep,
    files: Annotated[list[UploadFile], File(description=f"One to {MAX_FILES} .txt, .md, .docx or .pdf reports")],
) -> JobStatus:
    """Queue reports for indexing in the background; the job's status, with each file queued (or refused)."""
    limit = system.settings.max_upload_mb * 1024 * 1024
    names = [f.filename or "" for f in files]
    request.state.audit = {"doc": clip(", ".join(names), 300)}
    if len(files) > MAX_FILES:
        raise HTTPException(400, f"{len(files)} files in one job; send at most {MAX_FILES}")
    uploads = []
    for f in files:
        data = await f.read(limit + 1)  # a file over the limit gets its own error outcome
        uploads.append((f.filename or "", data))
    try:
        job_id = system.jobs.submit(uploads)
    except JobError as exc:
        raise HTTPException(503 if "full" in str(exc) else 400, str(exc)) from exc
    request.state.audit["outcome"] = f"job {job_id}"
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return system.jobs.status(job_id)


@router.get("", dependencies=[Depends(require_token)], responses=error_responses(401, 403))
async def jobs(system: SystemDep) -> JobsOut:
    """The remembered upload jobs, newest first."""
    return JobsOut(jobs=system.jobs.jobs())


@router.get("/{job_id}", dependencies=[Depends(require_token)], responses=error_responses(401, 403, 404))
async def job(system: SystemDep, job_id: Annotated[str, Path(max_length=64)]) -> JobStatus:
    """A job's state and each file's state, progress (passages stored/to store) and outcome."""
    try:
        return system.jobs.status(job_id)
    except KeyError:
        raise HTTPException(404, f"no upload job {clip(job_id, 64)!r} (jobs are kept for a while)") from None
