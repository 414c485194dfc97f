"""Failures every layer may raise and the front ends turn into answers for people.

``StoreUnavailable``: the vector store cannot be reached in time (the API answers 503 with ``Retry-After``).
``RequestRejected``: a request over one of the limits in ``core.settings`` (the API answers its ``status``).
Leaves out: how each front end words or logs them.
"""

from __future__ import annotations


class StoreUnavailable(RuntimeError):
    """The store did not answer (down, frozen, unreachable); retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestRejected(ValueError):
    """A request over a limit: ``status`` is 413 (too large) or 422 (too many parts)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status
