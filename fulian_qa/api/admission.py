"""Admission control: a bounded number of questions in flight; beyond it a fast 503 with ``Retry-After``.

``POST /api/ask``, ``POST /api/search`` and ``POST /v1/chat/completions`` each take one of
``FQA_MAX_INFLIGHT`` slots for as long as they run. A streamed answer frees its slot as it hands over its last
event (``slot_release`` gives the stream the middleware's release), so a client that asks again the moment it
reads that event finds the slot free. A request finding
every slot taken is answered at once, so the admitted ones keep their latency. The web UI's handlers take
slots from the same semaphore. ``Retry-After`` spreads the turned-away clients over the coming seconds
(``RetryCalendar``): each second is promised to no more clients than the server answered per second lately, so
they do not all come back at once and be turned away again.
Leaves out: per-client quotas and queueing (a client retries after ``Retry-After``).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fulian_qa.api.gate import send_json

QUESTION_PATHS = ("/api/ask", "/api/search", "/v1/chat/completions")
RETRY_AFTER = 1  # the shortest wait asked for
MAX_RETRY_AFTER = 10  # the longest
RATE_WINDOW = 5.0  # seconds of answers that give the answers-per-second estimate
SLOT_KEY = "fulian_qa.release_slot"  # the scope key under which a question's slot release is handed on


def slot_release(scope: Scope) -> Callable[[], None]:
    """The release of the slot the request holds (a no-op when it holds none); safe to call twice."""
    release = scope.get(SLOT_KEY)
    return release if callable(release) else _nothing


def _nothing() -> None:
    return None


class RetryCalendar:
    """When each turned-away client should come back: the first second from now (1 to ``MAX_RETRY_AFTER``) not
    yet promised to as many clients as the server answers per second (measured over the last ``RATE_WINDOW``
    seconds, at least one); every second full → the longest wait. Single-threaded use (the event loop)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.done: deque[float] = deque()
        self.promised: dict[int, int] = {}

    def answered(self) -> None:
        """One question was answered now."""
        self.done.append(self.clock())

    def rate(self) -> float:
        """Answers per second over the last ``RATE_WINDOW`` seconds (at least 1)."""
        now = self.clock()
        while self.done and self.done[0] < now - RATE_WINDOW:
            self.done.popleft()
        return max(1.0, len(self.done) / RATE_WINDOW)

    def retry_after(self) -> int:
        """Seconds the next turned-away client is asked to wait (and that second promised to it)."""
        now = self.clock()
        second = math.floor(now)
        for old in [s for s in self.promised if s <= second]:
            del self.promised[old]
        per_second = self.rate()
        for wait in range(RETRY_AFTER, MAX_RETRY_AFTER + 1):
            at = math.floor(now + wait)
            if self.promised.get(at, 0) < per_second:
                self.promised[at] = self.promised.get(at, 0) + 1
                return wait
        return MAX_RETRY_AFTER


class Admission:
    """Pure ASGI middleware sharing ``slots`` with the UI."""

    def __init__(self, app: ASGIApp, slots: threading.Semaphore, capacity: int) -> None:
        self.app = app
        self.slots = slots
        self.capacity = capacity
        self.calendar = RetryCalendar()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") not in QUESTION_PATHS:
            await self.app(scope, receive, send)
            return
        if not self.slots.acquire(blocking=False):
            wait = self.calendar.retry_after()
            detail = f"busy: {self.capacity} questions are being answered; retry in {wait} s"
            await send_json(send, 503, detail, {"Retry-After": str(wait)})
            return
        once = threading.Lock()  # the stream's thread and this task may both release: the slot is freed once

        def release() -> None:
            if once.acquire(blocking=False):
                self.slots.release()
                self.calendar.answered()

        scope[SLOT_KEY] = release

        async def send_then_release(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                release()  # before the last bytes go out: a client asking again at once finds the slot free
            await send(message)

        try:
            await self.app(scope, receive, send_then_release)
        finally:
            release()
