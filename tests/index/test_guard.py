"""The store's circuit breaker: outages open it once, calls then fail without touching the store, a probe
closes it; with a probe, a call held by a frozen store is given up as soon as the probe fails."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest

from core.errors import StoreUnavailable
from index.guard import Breaker, is_outage


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Store:
    """Counts the calls that reached it; ``down`` makes them fail as a refused connection does."""

    def __init__(self) -> None:
        self.calls = 0
        self.down = False

    def __call__(self) -> str:
        self.calls += 1
        if self.down:
            raise httpx.ConnectError("[Errno 111] Connection refused")
        return "rows"


def _until(check, seconds: float = 10.0) -> None:
    """Wait for ``check`` (a bound on waiting, not a speed assertion)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def _lines(caplog, text: str) -> int:
    return sum(text in r.getMessage() for r in caplog.records)


def test_outage_kinds():
    assert is_outage(httpx.ConnectError("refused")) and is_outage(httpx.ReadTimeout("timed out"))
    assert is_outage(TimeoutError()) and is_outage(ConnectionResetError())
    assert is_outage(ValueError("Could not connect to a Chroma server. Are you sure it is running?"))
    assert not is_outage(ValueError("Collection [x] does not exist"))


def test_without_probe_one_call_per_retry_after_reaches_the_store(caplog):
    caplog.set_level(logging.WARNING, logger="fulian_qa.store")
    clock, store = Clock(), Store()
    breaker = Breaker("Chroma server", retry_after=2.0, clock=clock)
    assert breaker.call(store) == "rows" and breaker.up

    store.down = True
    with pytest.raises(StoreUnavailable) as caught:
        breaker.call(store)
    assert caught.value.retry_after == 2.0 and "Connection refused" in str(caught.value)
    for _ in range(5):
        with pytest.raises(StoreUnavailable):
            breaker.call(store)
    assert store.calls == 2 and not breaker.up  # the five calls never reached the store

    clock.now += 2.0
    with pytest.raises(StoreUnavailable):
        breaker.call(store)  # the probe call, still refused
    assert store.calls == 3
    with pytest.raises(StoreUnavailable):
        breaker.call(store)
    assert store.calls == 3

    store.down = False
    clock.now += 2.5
    assert breaker.call(store) == "rows" and breaker.up
    assert breaker.call(store) == "rows" and store.calls == 5
    assert _lines(caplog, "unavailable:") == 1 and _lines(caplog, "is back after 4.5 s") == 1
    assert all(r.exc_info is None for r in caplog.records)


def test_a_request_error_is_not_an_outage():
    breaker = Breaker(clock=Clock())

    def wrong() -> None:
        raise ValueError("Collection [x] does not exist")

    with pytest.raises(ValueError, match="does not exist"):
        breaker.call(wrong)
    assert breaker.up


def test_a_call_held_by_a_frozen_store_is_given_up_when_the_probe_fails(caplog):
    caplog.set_level(logging.WARNING, logger="fulian_qa.store")
    frozen, thawed = threading.Event(), threading.Event()
    frozen.set()
    probes: list[float] = []

    def heartbeat() -> int:
        probes.append(time.monotonic())
        if frozen.is_set():
            raise httpx.ReadTimeout("timed out")
        return 1

    def held() -> str:
        thawed.wait(30)
        return "late rows"

    reached = Store()
    breaker = Breaker("Chroma server", probe=heartbeat, watch_after=0.02, probe_every=0.02)
    with pytest.raises(StoreUnavailable, match="ReadTimeout"):
        breaker.call(held)
    assert not thawed.is_set()  # answered while the store still held the call
    assert not breaker.up
    for _ in range(3):
        with pytest.raises(StoreUnavailable):
            breaker.call(reached)
    assert reached.calls == 0  # while down, calls do not touch the store

    _until(lambda: len(probes) >= 3)  # the probe keeps asking on its own thread
    frozen.clear()
    _until(lambda: breaker.up)
    thawed.set()
    assert breaker.call(reached) == "rows"
    assert _lines(caplog, "unavailable:") == 1 and _lines(caplog, "is back after") == 1


def test_a_slow_call_on_a_live_store_is_waited_for():
    release = threading.Event()
    probes: list[int] = []

    def heartbeat() -> int:
        probes.append(1)
        release.set()  # the store answers its heartbeat; the call itself ends a little later
        return 1

    def slow() -> str:
        release.wait(30)
        time.sleep(0.05)
        return "rows"

    breaker = Breaker(probe=heartbeat, watch_after=0.02, probe_every=0.02)
    assert breaker.call(slow) == "rows" and breaker.up
    assert probes  # the heartbeat was asked, and said the store is there


def test_a_refused_call_opens_and_the_probe_closes(caplog):
    caplog.set_level(logging.WARNING, logger="fulian_qa.store")
    store = Store()
    store.down = True

    def heartbeat() -> str:
        return store()

    breaker = Breaker(probe=heartbeat, watch_after=0.02, probe_every=0.02)
    with pytest.raises(StoreUnavailable, match="Connection refused"):
        breaker.call(store)
    assert not breaker.up
    _until(lambda: store.calls >= 4)  # refused probes, none logged
    store.down = False
    _until(lambda: breaker.up)
    assert breaker.call(store) == "rows"
    assert _lines(caplog, "unavailable:") == 1 and _lines(caplog, "is back after") == 1


def test_a_probe_that_gets_an_error_answer_means_the_store_is_there():
    store = Store()
    store.down = True

    def heartbeat() -> None:
        raise ValueError("500 Internal Server Error")

    breaker = Breaker(probe=heartbeat, watch_after=0.02, probe_every=0.02)
    with pytest.raises(StoreUnavailable):
        breaker.call(store)
    _until(lambda: breaker.up)
