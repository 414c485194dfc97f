"""Locust user for ``bench/load.py``: asks the gold questions through ``POST /api/ask``.

Each request's status and latency are appended to ``$FQA_LOAD_LOG`` (JSON lines) so the runner can
separate admitted answers (200) from shed ones (503). Leaves out: think time (clients ask back to back).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import HttpUser, events, task

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "eval" / "gold.jsonl").read_text().splitlines() if line]
_log = open(os.environ.get("FQA_LOAD_LOG", os.devnull), "a", encoding="utf-8")  # noqa: SIM115


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **_):
    status = getattr(response, "status_code", 0) if exception is None or response is not None else 0
    _log.write(json.dumps({"status": status, "ms": response_time}) + "\n")
    _log.flush()


class Asker(HttpUser):
    """Asks one random gold question after another; a 503 is an expected answer under load."""

    @task
    def ask(self) -> None:
        question = random.choice(QUESTIONS)
        with self.client.post("/api/ask", json={"question": question}, name="ask", catch_response=True) as res:
            if res.status_code in (200, 503):
                res.success()
            else:
                res.failure(f"status {res.status_code}")
