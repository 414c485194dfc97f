"""JSON errors for people: validation errors in one bounded line, bad questions and over-limit requests as
422/413, a store outage as 503 with ``Retry-After``, unknown paths as 404/405.

Nothing a client sent is echoed back longer than ``FQA_MAX_ECHO_CHARS``; at most ``MAX_ERRORS`` validation
errors are listed. Leaves out: limits enforced before parsing (``fulian_qa.api.gate``).
"""

from __future__ import annotations

import math

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.routing import Match

from core.errors import RequestRejected, StoreUnavailable
from core.limits import clip
from qa.plan import QuestionError

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_ERRORS = 5
UNAVAILABLE = "the document store is not answering; the service will be back shortly, retry after {s} s"
fallback = APIRouter()


def _echo_limit(request: Request) -> int:
    system = getattr(request.app.state, "system", None)
    return system.settings.max_echo_chars if system else 200


def _bounded(err: dict, limit: int) -> dict:
    """One validation error with its echoed input cut to ``limit`` characters."""
    out = {k: v for k, v in err.items() if k in ("type", "loc", "msg")}
    out["loc"] = [clip(p, 40) if isinstance(p, str) else p for p in out.get("loc", [])][:8]
    out["msg"] = clip(out.get("msg", "invalid"), limit)
    if "input" in err:
        out["input"] = clip(err["input"], limit)
    return out


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    limit = _echo_limit(request)
    errors = [_bounded(e, limit) for e in jsonable_encoder(exc.errors()[:MAX_ERRORS])]
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err['msg']}" if where else str(err["msg"]))
    more = len(exc.errors()) - len(errors)
    detail = "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
    return JSONResponse({"detail": detail or "invalid request", "errors": errors}, status_code=422)


async def _bad_question(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": clip(str(exc), 4 * _echo_limit(request))}, status_code=422)


async def _rejected(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestRejected)
    return JSONResponse({"detail": clip(str(exc), 4 * _echo_limit(request))}, status_code=exc.status)


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoreUnavailable)
    seconds = max(1, math.ceil(exc.retry_after))
    return JSONResponse(
        {"detail": UNAVAILABLE.format(s=seconds)}, status_code=503, headers={"Retry-After": str(seconds)}
    )


def install(app: FastAPI) -> None:
    """Register the error handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(QuestionError, _bad_question)
    app.add_exception_handler(RequestRejected, _rejected)
    app.add_exception_handler(StoreUnavailable, _unavailable)


@fallback.api_route("/api/{rest:path}", methods=list(METHODS), include_in_schema=False)
def unknown(request: Request, rest: str) -> None:
    """404 naming the docs, or 405 naming the methods the path allows."""
    path = clip(request.url.path, _echo_limit(request))
    routes = [
        r for r in request.app.routes if r is not fallback and getattr(r, "original_router", None) is not fallback
    ]
    allowed = [m for m in METHODS if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)]
    if allowed:
        raise HTTPException(
            405,
            f"{request.method} is not allowed on {path}; use {', '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    raise HTTPException(404, f"no such endpoint: {path} (see /docs)")
