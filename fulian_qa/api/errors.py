"""JSON errors for people: validation errors in one line, bad questions as 422, unknown paths as 404/405."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.routing import Match

from qa.plan import QuestionError

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
fallback = APIRouter()


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors())
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return JSONResponse({"detail": "; ".join(parts) or "invalid request", "errors": errors}, status_code=422)


async def _bad_question(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


def install(app: FastAPI) -> None:
    """Register the error handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(QuestionError, _bad_question)


@fallback.api_route("/api/{rest:path}", methods=list(METHODS), include_in_schema=False)
def unknown(request: Request, rest: str) -> None:
    """404 naming the docs, or 405 naming the methods the path allows."""
    path = request.url.path
    routes = [r for r in request.app.routes if r is not fallback and getattr(r, "original_router", None) is not fallback]
    allowed = [m for m in METHODS if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)]
    if allowed:
        raise HTTPException(
            405,
            f"{request.method} is not allowed on {path}; use {', '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    raise HTTPException(404, f"no such endpoint: {path} (see /docs)")
