"""A circuit breaker around store calls: outages fail fast, are logged once, and end by themselves.

``Breaker.call(fn)`` runs one store call. A connection failure or timeout opens the breaker: the call
raises ``core.errors.StoreUnavailable`` and so does every other call, without touching the store, while
the outage lasts. One log line when an outage starts and one when it ends, not one per request.

With a ``probe`` (a cheap round trip with a short timeout of its own, e.g. a heartbeat) no request waits
for a frozen store: each call runs on a worker thread, and a call still running after ``watch_after``
seconds has the probe ask the store on a thread of its own. A probe that fails opens the breaker, and every
call waiting on the store is answered ``StoreUnavailable`` at once (its worker finishes in the background).
While the breaker is open the probe runs again every ``probe_every`` seconds and its success closes it.
Without a probe, one call every ``retry_after`` seconds is let through as the probe and a frozen store
holds it until the client's own timeout.
Leaves out: retries (the caller, or its client, retries after ``Retry-After``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from core.errors import StoreUnavailable

log = logging.getLogger("fulian_qa.store")
T = TypeVar("T")
WORKERS = 32  # calls on the store at once; a frozen store holds each until the client's own timeout


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
    probe: Callable[[], object] | None = None
    watch_after: float = 0.25
    probe_every: float = 0.5
    down_since: float | None = None
    reason: str = ""
    _probe_at: float = 0.0
    _probing: bool = False
    _outages: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _changed: threading.Condition = field(init=False, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self._changed = threading.Condition(self._lock)

    @property
    def up(self) -> bool:
        return self.down_since is None

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()``, or ``StoreUnavailable`` while the store is known to be down."""
        outages = self._admit()
        try:
            result = fn() if self.probe is None else self._watched(fn, outages)
        except StoreUnavailable:
            raise
        except Exception as exc:
            if not is_outage(exc):
                raise
            self.failed(exc)
            raise self._unavailable() from exc
        self.succeeded()
        return result

    def _admit(self) -> int:
        """Let a call through (returns the outage count it starts in), or raise while the store is down."""
        with self._lock:
            if self.down_since is None:
                return self._outages
            if self.probe is not None:
                raise self._unavailable()  # the probe thread closes the breaker
            now = self.clock()
            if now < self._probe_at:
                raise self._unavailable()
            self._probe_at = now + self.retry_after  # this call is the probe; others keep failing fast
            return self._outages

    def _watched(self, fn: Callable[[], T], outages: int) -> T:
        """``fn()`` on a worker; given up (``StoreUnavailable``) when an outage opens while it runs."""
        future: Future[T] = self._workers().submit(fn)
        future.add_done_callback(self._notify)
        with self._changed:
            ask_at = time.monotonic() + self.watch_after
            while not future.done():
                if self._outages != outages:
                    raise self._unavailable()
                left = ask_at - time.monotonic()
                if left <= 0:
                    if not self._probing:
                        self._start_probing(0.0)
                    ask_at = time.monotonic() + self.watch_after
                    continue
                self._changed.wait(left)
        return future.result()

    def _workers(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix=f"{self.name} call")
            return self._pool

    def _notify(self, _: object = None) -> None:
        with self._changed:
            self._changed.notify_all()

    def _start_probing(self, wait: float) -> None:
        """Start the probe thread (the lock is held)."""
        self._probing = True
        threading.Thread(target=self._probe_loop, args=(wait,), name=f"{self.name} probe", daemon=True).start()

    def _probe_loop(self, wait: float) -> None:
        """Probe (after ``wait`` s); while the store is down, again every ``probe_every`` s until it answers."""
        assert self.probe is not None
        while True:
            time.sleep(wait)
            wait = self.probe_every
            try:
                self.probe()
            except Exception as exc:
                if is_outage(exc):
                    with self._changed:
                        self._open(exc)
                    continue
            with self._changed:  # the store answered, if only with an error: it is there
                self._close()
                self._probing = False
                self._changed.notify_all()
                return

    def _unavailable(self) -> StoreUnavailable:
        return StoreUnavailable(f"the {self.name} is unavailable ({self.reason})", self.retry_after)

    def failed(self, exc: BaseException) -> None:
        """Record an outage (logged once, when it starts)."""
        with self._changed:
            self._open(exc)
            if self.probe is not None and not self._probing:
                self._start_probing(self.probe_every)

    def _open(self, exc: BaseException) -> None:
        """Mark the store down and wake the calls waiting on it (the lock is held)."""
        now = self.clock()
        self._probe_at = now + self.retry_after
        self.reason = f"{type(exc).__name__}: {exc}"[:200]
        if self.down_since is None:
            self.down_since = now
            self._outages += 1
            log.error("%s unavailable: %s; answering 503 until it is back", self.name, self.reason)
        self._changed.notify_all()

    def succeeded(self) -> None:
        """Record that the store answered (logs the end of an outage)."""
        if self.down_since is None:
            return
        with self._lock:
            self._close()

    def _close(self) -> None:
        """Mark the store up (the lock is held)."""
        if self.down_since is not None:
            log.warning("%s is back after %.1f s", self.name, self.clock() - self.down_since)
            self.down_since, self.reason = None, ""
