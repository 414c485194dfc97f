"""A circuit breaker around store calls: outages fail fast, are logged once, and end by themselves.

``Breaker.call(fn)`` runs one store call. A connection failure or timeout opens the breaker: the call
raises ``core.errors.StoreUnavailable`` and, until ``retry_after`` seconds have passed, so does every
other call without touching the store. After that one call at a time is let through as a probe; its
success closes the breaker. One log line when an outage starts and one when it ends, not one per
request. Leaves out: retries (the caller, or its client, retries after ``Retry-After``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from core.errors import StoreUnavailable

log = logging.getLogger("fulian_qa.store")
T = TypeVar("T")


def is_outage(exc: BaseException) -> bool:
    """True for failures that mean "the store is not there" rather than "the request is wrong"."""
    import httpx

    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    text = str(exc).lower()
    return "could not connect to a chroma server" in text or "connection refused" in text


@dataclass
class Breaker:
    """Open/closed state of one dependency (thread-safe)."""

    name: str = "store"
    retry_after: float = 2.0
    clock: Callable[[], float] = time.monotonic
    down_since: float | None = None
    reason: str = ""
    _probe_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def up(self) -> bool:
        return self.down_since is None

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()``, or ``StoreUnavailable`` while the store is known to be down."""
        self._admit()
        try:
            result = fn()
        except Exception as exc:
            if not is_outage(exc):
                raise
            self.failed(exc)
            raise self._unavailable() from exc
        self.succeeded()
        return result

    def _admit(self) -> None:
        with self._lock:
            if self.down_since is None:
                return
            now = self.clock()
            if now < self._probe_at:
                raise self._unavailable()
            self._probe_at = now + self.retry_after  # this call is the probe; others keep failing fast

    def _unavailable(self) -> StoreUnavailable:
        return StoreUnavailable(f"the {self.name} is unavailable ({self.reason})", self.retry_after)

    def failed(self, exc: BaseException) -> None:
        """Record an outage (logged once, when it starts)."""
        with self._lock:
            now = self.clock()
            self._probe_at = now + self.retry_after
            self.reason = f"{type(exc).__name__}: {exc}"[:200]
            if self.down_since is None:
                self.down_since = now
                log.error("%s unavailable: %s; answering 503 until it is back", self.name, self.reason)

    def succeeded(self) -> None:
        """Record that the store answered (logs the end of an outage)."""
        if self.down_since is None:
            return
        with self._lock:
            if self.down_since is not None:
                log.warning("%s is back after %.1f s", self.name, self.clock() - self.down_since)
                self.down_since, self.reason = None, ""
