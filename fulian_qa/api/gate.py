"""Limits enforced on the wire, before a handler reads or parses anything (pure ASGI middleware).

* Writes (``POST /api/documents``, ``POST /api/jobs``, ``DELETE /api/documents/...``) are refused with
  403/401 from their headers alone when writes are disabled or the bearer token is missing or wrong: an
  unauthenticated upload is never received.
* Gradio's own file routes are closed: ``/gradio_api/upload``, and any multipart body outside ``/api/``
  (Gradio's component and recording routes would write its files to disk). The web UI takes no files, so
  nothing can be stored through it (reports go to ``POST /api/documents``).
* An upload must declare its size (``Content-Length``; 411 otherwise), so one over the bound is refused
  before any of it is read or spooled to disk.
* Every request body is bounded: ``FQA_MAX_UPLOAD_MB`` for uploads, ``FQA_MAX_BODY_KB`` for anything else. A
  declared ``Content-Length`` over the bound gets 413 at once; a chunked body is counted as it arrives and cut
  off with 413 at the bound.

Leaves out: what a valid body contains (the handlers and ``core.limits``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from fulian_qa.api.deps import token_problem

MULTIPART_SLACK = 64 * 1024  # form boundaries and part headers around an uploaded file
GRADIO_UPLOAD = "/gradio_api/upload"
UPLOAD_PATHS = ("/api/documents", "/api/jobs")  # reports sent for indexing
CLOSED_UPLOADS = "the web UI takes no files: send reports to POST /api/documents with the API token"
LENGTH_REQUIRED = "an upload must declare its size: send it with a Content-Length header, not chunked"


def is_write(method: str, path: str) -> bool:
    """A request that changes the index."""
    return (method == "POST" and path.rstrip("/") in UPLOAD_PATHS) or (
        method == "DELETE" and path.startswith("/api/documents/")
    )


async def send_json(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    """A complete JSON error response."""
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class RequestGate:
    """Refuses writes without the token, Gradio uploads, and oversized bodies before they are read."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def limit(self, method: str, path: str) -> tuple[int, str]:
        """The body bound for a request, and the setting that sets it."""
        if is_write(method, path):
            return self.settings.max_upload_mb * 1024 * 1024 + MULTIPART_SLACK, "FQA_MAX_UPLOAD_MB"
        return self.settings.max_body_kb * 1024, "FQA_MAX_BODY_KB"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        declared = _header(scope, b"content-length")
        close = {"Connection": "close"} if declared not in (None, "0") or _header(scope, b"transfer-encoding") else {}
        multipart = (_header(scope, b"content-type") or "").lower().startswith("multipart/")
        if path.rstrip("/") == GRADIO_UPLOAD or (multipart and not path.startswith("/api/")):
            await send_json(send, 403, CLOSED_UPLOADS, close)
            return
        if is_write(method, path):
            problem = token_problem(self.settings, _header(scope, b"authorization"))
            if problem:
                status, detail, headers = problem
                await send_json(send, status, detail, {**headers, **close})
                return
            if method == "POST" and declared is None:
                await send_json(send, 411, LENGTH_REQUIRED, close)
                return
        limit, setting = self.limit(method, path)
        too_large = f"request body larger than {limit // 1024} KB ({setting})"
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await send_json(send, 413, too_large, close)
            return
        await self._bounded(scope, receive, send, limit, too_large)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int, message: str) -> None:
        """Run the app with a receive that stops at ``limit`` bytes (413)."""
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, message)
            return msg

        async def tracked(msg: Message) -> None:
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counted, tracked)
        except HTTPException as exc:
            if started or exc.status_code != 413:
                raise
            await send_json(send, 413, str(exc.detail), {"Connection": "close"})


def state(scope: Scope) -> dict[str, Any]:
    """The per-request state dict (``request.state`` in handlers)."""
    return scope.setdefault("state", {})
