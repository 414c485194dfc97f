"""Locust user for ``bench/load.py``: asks the gold questions through ``POST /api/ask``.

Each request's end time, status and latency are appended to ``$FQA_LOAD_LOG`` (JSON lines) so the runner can
separate admitted answers (200) from shed ones (503). After a 503 a user waits what its ``Retry-After`` says
(seconds or an HTTP date, capped at ``$FQA_LOAD_RETRY_CAP`` seconds, default 10) before its next question, as
HTTP clients that honour the header do; ``FQA_LOAD_IGNORE_RETRY_AFTER=1`` re-asks at once instead. Leaves out:
think time after an answer (clients ask back to back) and jitter on the wait.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from locust import HttpUser, events, task

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "eval" / "gold.jsonl").read_text().splitlines() if line]
IGNORE_RETRY_AFTER = os.environ.get("FQA_LOAD_IGNORE_RETRY_AFTER", "") == "1"
RETRY_CAP = float(os.environ.get("FQA_LOAD_RETRY_CAP", "10"))
_log = open(os.environ.get("FQA_LOAD_LOG", os.devnull), "a", encoding="utf-8")  # noqa: SIM115


def retry_after(value: str | None, cap: float = RETRY_CAP) -> float:
    """Seconds to wait for a ``Retry-After`` value (delay-seconds or HTTP date), within [0, cap]; 0 when absent
    or unreadable."""
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return 0.0
    return min(max(seconds, 0.0), cap)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **_):
    status = getattr(response, "status_code", 0) if exception is None or response is not None else 0
    row = {"t": round(time.time(), 3), "status": status, "ms": response_time}
    if status == 0 and exception is not None:
        row["error"] = f"{type(exception).__name__}: {str(exception)[:160]}"
    _log.write(json.dumps(row) + "\n")
    _log.flush()


class Asker(HttpUser):
    """Asks one random gold question after another; a 503 is an expected answer under load, followed by the
    wait its ``Retry-After`` asks for."""

    pause = 0.0

    def wait_time(self) -> float:
        """The wait before the next question: the last 503's ``Retry-After`` (once), otherwise none."""
        pause, self.pause = self.pause, 0.0
        return pause

    @task
    def ask(self) -> None:
        question = random.choice(QUESTIONS)
        with self.client.post("/api/ask", json={"question": question}, name="ask", catch_response=True) as res:
            if res.status_code in (200, 503):
                res.success()
            else:  # status 0: no response (the connection failed); name what failed
                res.failure(f"status {res.status_code}: {getattr(res, 'error', None)!r}"[:200])
            if res.status_code == 503 and not IGNORE_RETRY_AFTER:
                self.pause = retry_after(res.headers.get("Retry-After"))
