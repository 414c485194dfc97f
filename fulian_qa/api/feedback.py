"""``POST /api/feedback`` (rate an answer, optionally with the right answer) and ``GET /api/feedback`` (token).

Anyone who can ask can rate: the record keeps the question, the answer object as shown, the rating and the
correction (``qa.feedback``). Reading feedback back needs the API token, since it holds other users'
questions. Sizes are bounded by the model (``qa.feedback.MAX_*``) and the body by ``FQA_MAX_BODY_KB``.
Leaves out: turning feedback into gold-set items (``fulian-qa feedback export``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from fulian_qa.api.deps import SystemDep, require_token
from fulian_qa.api.schemas import error_responses
from qa.feedback import FeedbackFull, FeedbackIn, FeedbackRecord

router = APIRouter(prefix="/api/feedback", tags=["feedback"])


class FeedbackSaved(BaseModel):
    id: str
    time: str


class FeedbackOut(BaseModel):
    feedback: list[FeedbackRecord] = Field(description="The newest records, oldest first.")
    total: int = Field(description="Records stored in all.")
    unreadable: int = Field(0, description="Lines that could not be read (a torn write), skipped.")


@router.post("", status_code=201, responses=error_responses(422, 507))
async def give(item: FeedbackIn, system: SystemDep) -> FeedbackSaved:
    """Store a 👍 (`up`) or 👎 (`down`) on an answer, with an optional correction or `should_refuse`."""
    try:
        record = await run_in_threadpool(system.feedback.add, item)
    except FeedbackFull as exc:
        raise HTTPException(507, str(exc)) from exc
    return FeedbackSaved(id=record.id, time=record.time)


@router.get("", dependencies=[Depends(require_token)], responses=error_responses(401, 403))
async def read(system: SystemDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> FeedbackOut:
    """The newest stored feedback (needs the API token)."""
    records, bad = await run_in_threadpool(system.feedback.read)
    return FeedbackOut(feedback=records[-limit:], total=len(records), unreadable=bad)
