"""Writers take turns: a first-come, first-served lock held for one bounded step at a time.

A long upload is written in steps (``FQA_WRITE_STEP`` passages embedded and stored per step) and asks for
a new turn before each one, behind anyone who asked while it worked — so a small upload arriving during a
long one waits for at most one step, not for the whole report. Writes to the same report are serialised
whole (``for_doc``), so two versions of one report never interleave. Leaves out: priorities and timeouts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """A FIFO ticket lock (``threading.Lock`` makes no promise of order)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._issued = 0
        self._serving = 0
        self._docs: dict[str, threading.Lock] = {}

    @contextmanager
    def step(self) -> Iterator[None]:
        """Hold the write turn for one step, after everyone who asked before."""
        with self._cond:
            ticket = self._issued
            self._issued += 1
            while ticket != self._serving:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._serving += 1
                self._cond.notify_all()

    def for_doc(self, doc: str) -> threading.Lock:
        """The lock that serialises every write of one report."""
        with self._cond:
            return self._docs.setdefault(doc, threading.Lock())
