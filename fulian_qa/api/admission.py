"""Admission control: a bounded number of questions in flight; beyond it a fast 503 with ``Retry-After``.

``POST /api/ask``, ``POST /api/search`` and ``POST /v1/chat/completions`` each take one of
``FQA_MAX_INFLIGHT`` slots for as long as they run (a streamed answer until its last event). A request finding
every slot taken is answered at once, so the admitted ones keep their latency. The web UI's handlers take
slots from the same semaphore.
Leaves out: per-client quotas and queueing (a client retries after ``Retry-After``).
"""

from __future__ import annotations

import threading

from starlette.types import ASGIApp, Receive, Scope, Send

from fulian_qa.api.gate import send_json

QUESTION_PATHS = ("/api/ask", "/api/search", "/v1/chat/completions")
RETRY_AFTER = 1


class Admission:
    """Pure ASGI middleware sharing ``slots`` with the UI."""

    def __init__(self, app: ASGIApp, slots: threading.Semaphore, capacity: int) -> None:
        self.app = app
        self.slots = slots
        self.capacity = capacity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") not in QUESTION_PATHS:
            await self.app(scope, receive, send)
            return
        if not self.slots.acquire(blocking=False):
            detail = f"busy: {self.capacity} questions are being answered; retry in {RETRY_AFTER} s"
            await send_json(send, 503, detail, {"Retry-After": str(RETRY_AFTER)})
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()
