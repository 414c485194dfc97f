"""Feedback on answers: 👍/👎 with an optional correction, kept as JSON lines under ``$FQA_DATA_DIR``.

``FeedbackStore(path).add(item)`` appends one record — id, time (UTC), the question, the answer as it was
shown (text, found, citations), the rating and the correction (the right answer, or "should have refused") —
as one line, fsynced before it returns, under a file lock so two processes never interleave. A crash can at
worst leave a torn last line: reading skips it, and the next append starts on a fresh line. Sizes are bounded
(``MAX_*``) and the file stops growing at ``MAX_FILE_BYTES``. Leaves out: turning records into gold-set items
(``eval.feedback_export``) and the HTTP side (``fulian_qa.api.feedback``).
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.settings import Settings

MAX_TEXT = 4000  # characters of an answer, a passage or a correction
MAX_QUESTION = 2000  # characters of a question
MAX_CITATIONS = 20
MAX_FILE_BYTES = 64 * 1024 * 1024  # the feedback file stops accepting records beyond this
SHOULD_REFUSE = "should have refused"


class FeedbackFull(RuntimeError):
    """The feedback file has reached ``MAX_FILE_BYTES``."""


class FeedbackCitation(BaseModel):
    """A cited passage as the answer showed it (the fields of ``core.types.Citation`` that matter here)."""

    model_config = ConfigDict(extra="ignore")

    n: int = Field(ge=0, le=1000)
    doc: str = Field(max_length=300)
    text: str = Field("", max_length=MAX_TEXT, description="The whole cited passage.")
    evidence: str = Field("", max_length=MAX_TEXT)
    start: int = Field(0, ge=0)
    end: int = Field(0, ge=0)
    city: str = Field("", max_length=50)
    year: int = Field(0, ge=0, le=9999)
    section: str = Field("", max_length=1000)


class FeedbackAnswer(BaseModel):
    """The rated answer: its text, whether it was found, its citations and its question type."""

    model_config = ConfigDict(extra="ignore")

    answer: str = Field(max_length=MAX_TEXT)
    found: bool
    citations: list[FeedbackCitation] = Field(default_factory=list, max_length=MAX_CITATIONS)
    type: str = Field("", max_length=20)
    lang: str = Field("", max_length=10)
    answerer: str = Field("", max_length=30)


class FeedbackIn(BaseModel):
    """What a user sends: the question, the answer object, 👍 (``up``) or 👎 (``down``), and optionally the
    right answer (``correction``) or that the question should have been refused (``should_refuse``)."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    answer: FeedbackAnswer
    rating: Literal["up", "down"]
    correction: str = Field("", max_length=MAX_TEXT, description="The right answer, in the user's words.")
    should_refuse: bool = Field(False, description="The reports do not hold the answer: it should have refused.")

    @field_validator("question", "correction")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackIn:
        if not self.question:
            raise ValueError("question is empty")
        if self.correction and self.should_refuse:
            raise ValueError("give either a correction or should_refuse, not both")
        return self


class FeedbackRecord(FeedbackIn):
    """A stored piece of feedback."""

    id: str
    time: str = Field(description="When it was given (ISO 8601, UTC).")

    @property
    def expected(self) -> str:
        """What the user says the right answer is: the correction, SHOULD_REFUSE, or "" (none given)."""
        return SHOULD_REFUSE if self.should_refuse else self.correction


def feedback_path(settings: Settings) -> Path:
    """Where a running service keeps its feedback."""
    return settings.data_dir / "feedback.jsonl"


class FeedbackStore:
    """Append-only JSON lines of ``FeedbackRecord``; safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(self, item: FeedbackIn) -> FeedbackRecord:
        """Store one piece of feedback durably (``FeedbackFull`` when the file is at its bound)."""
        record = FeedbackRecord(
            **item.model_dump(), id=uuid.uuid4().hex[:16], time=datetime.now(UTC).isoformat(timespec="seconds")
        )
        line = (record.model_dump_json() + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            with open(self.path, "ab+") as f:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
                try:
                    size = f.seek(0, os.SEEK_END)
                    if size + len(line) > MAX_FILE_BYTES:
                        raise FeedbackFull(f"the feedback file is full ({MAX_FILE_BYTES // (1024 * 1024)} MB)")
                    if size:
                        f.seek(size - 1)
                        torn = f.read(1) != b"\n"  # a crash cut the last record short: start on a new line
                        f.seek(0, os.SEEK_END)
                        if torn:
                            line = b"\n" + line
                    f.write(line)
                    f.flush()
                    os.fsync(f.fileno())
                finally:
                    fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            if created:
                fd = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        return record

    def records(self) -> list[FeedbackRecord]:
        """Every stored record, oldest first (torn or unreadable lines are skipped)."""
        return self.read()[0]

    def read(self) -> tuple[list[FeedbackRecord], int]:
        """The records and how many lines could not be read."""
        if not self.path.exists():
            return [], 0
        out: list[FeedbackRecord] = []
        bad = 0
        with open(self.path, "rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                try:
                    out.append(FeedbackRecord.model_validate(json.loads(raw)))
                except (ValueError, ValidationError):
                    bad += 1
        return out, bad

    def latest(self, n: int) -> list[FeedbackRecord]:
        """The ``n`` newest records, oldest first."""
        return self.records()[-n:] if n > 0 else []
