"""``GET /api/health`` (readiness with what is loaded), ``/api/health/live`` and ``/api/health/ready``.

Liveness answers from the event loop alone: the process is up. Readiness asks the store for one round
trip (bounded by ``PING_TIMEOUT`` and run on its own thread, so a frozen store or a full worker pool cannot
stall it) and is 503 ``degraded`` while the store is down; it turns ``ok`` by itself once the store answers
again. Leaves out: the LLM endpoint (a failed LLM answer falls back to the extractive one).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from core.errors import StoreUnavailable
from fulian_qa import __version__
from fulian_qa.api.deps import SystemDep
from fulian_qa.api.schemas import HealthOut, LiveOut, ReadyOut, error_responses
from qa.plan import choose_answerer
from qa.system import System

PING_TIMEOUT = 1.0
router = APIRouter(prefix="/api", tags=["service"])
_pinger = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="fqa-health")


def _ping(store: Any) -> str:
    ping = getattr(store, "ping", None)
    if ping is None:
        return "ok"
    try:
        ping()
    except StoreUnavailable as exc:
        return f"down: {exc}"
    except Exception as exc:  # any other failure is also "not ready", with its reason
        return f"down: {type(exc).__name__}: {exc}"[:300]
    return "ok"


async def store_check(system: System) -> str:
    """"ok", or "down: why" (a ping that takes longer than ``PING_TIMEOUT`` counts as down)."""
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(_pinger, _ping, system.service.corpus.store)
    try:
        return await asyncio.wait_for(future, PING_TIMEOUT)
    except TimeoutError:
        return f"down: no answer within {PING_TIMEOUT:g} s"


def _status(checks: dict[str, str]) -> tuple[str, int]:
    ok = all(v == "ok" for v in checks.values())
    return ("ok", 200) if ok else ("degraded", 503)


def _retry(system: System, code: int) -> dict[str, str] | None:
    """``Retry-After`` of a 503: when the store is next probed (as on every other 503 of an outage)."""
    return {"Retry-After": str(max(1, math.ceil(system.settings.store_retry_after)))} if code == 503 else None


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def health(system: SystemDep) -> JSONResponse:
    """Readiness plus what is loaded: 200 ``ok``, or 503 ``degraded`` naming the dependency that is down."""
    checks = {"store": await store_check(system)}
    status, code = _status(checks)
    docs = system.reports.documents()
    body = HealthOut(
        status=status,
        version=__version__,
        documents=len(docs),
        chunks=sum(d.chunks for d in docs),
        embed_model=system.service.searcher.embedder.name,
        answerer=choose_answerer(system.settings),
        writes_enabled=bool(system.settings.api_token),
        checks=checks,
    )
    return JSONResponse(body.model_dump(), status_code=code, headers=_retry(system, code))


@router.get("/health/live")
async def live() -> LiveOut:
    """Liveness: the process answers (no dependency is asked)."""
    return LiveOut()


@router.get("/health/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}, **error_responses()})
async def ready(system: SystemDep) -> JSONResponse:
    """Readiness: 200 when every dependency answers, else 503 ``degraded``."""
    checks = {"store": await store_check(system)}
    status, code = _status(checks)
    body = ReadyOut(status=status, checks=checks)
    return JSONResponse(body.model_dump(), status_code=code, headers=_retry(system, code))
