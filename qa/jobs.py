"""Background upload jobs: one or many files indexed by a worker thread, with per-file progress and outcome.

``JobQueue.submit(files)`` checks each file's name, type and size (a bad file becomes an ``error`` outcome at
once, the others are queued), keeps the bytes on disk under ``$FQA_DATA_DIR/jobs/<id>/`` and returns the job id
at once; one worker thread indexes the files in order through ``ReportManager.add`` (bounded write steps that
take turns with other writers, ``index.turns``), so questions keep being answered meanwhile. ``status(id)``
gives each file's state (queued → running → done/error), its passages stored so far out of those to store,
and its outcome for people: indexed / unchanged / duplicate of <report> / error with the reason.

A job's record is rewritten (atomically, fsynced) at every change of state; a file's bytes are removed once
it is finished. After a crash, ``resume()`` queues again every file that had not finished (indexing is
idempotent, so a half-written report is completed, not duplicated); what was indexed stays indexed. The
newest ``KEEP_JOBS`` finished jobs are kept. Leaves out: the HTTP side (``fulian_qa.api.jobs``), tokens,
priorities and cancelling a job.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field

from core.errors import StoreUnavailable
from core.types import IndexOutcome
from index.load import SUFFIXES, ReportError
from qa.reports import ReportManager

log = logging.getLogger("fulian_qa.jobs")

KEEP_JOBS = 200  # finished jobs remembered (in memory and on disk)
MAX_FILES = 50  # files in one job
MAX_QUEUED = 200  # files waiting in all jobs; more is refused until the queue drains
MAX_NAME = 200  # characters in a file name
LOST = "the upload was lost in a restart; send it again"

FileState = Literal["queued", "running", "done", "error"]
JobState = Literal["queued", "running", "done"]


class JobError(ValueError):
    """A job that cannot be taken as a whole (no files, too many files, a full queue)."""


class FileStatus(BaseModel):
    """One file of a job: where it is, how far it got and what came of it."""

    name: str
    size: int = 0
    state: FileState = "queued"
    outcome: Literal["indexed", "unchanged", "duplicate", "error", ""] = Field(
        "", description="What indexing did, once the file is finished."
    )
    message: str = Field("", description="The outcome for people (the reason, for an error).")
    done: int = Field(0, description="New passages stored so far.")
    total: int = Field(0, description="New passages to store (known once the file is read).")
    chunks: int = Field(0, description="Passages of the report in all.")
    title: str = ""
    city: str = ""
    year: int = 0
    duplicate_of: str = Field("", description="The report with the same text (outcome `duplicate`).")

    @property
    def finished(self) -> bool:
        return self.state in ("done", "error")


class JobStatus(BaseModel):
    """A job and each of its files."""

    id: str
    state: JobState
    created: str = Field(description="When the job was submitted (ISO 8601, UTC).")
    finished_at: str = ""
    files: list[FileStatus]

    @property
    def finished(self) -> bool:
        return self.state == "done"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def clean_name(raw: str) -> str:
    """The file name without any folder part (``C:\\x\\a.txt`` → ``a.txt``)."""
    return PurePosixPath((raw or "").replace("\\", "/")).name.strip()


def file_problem(name: str, size: int, max_bytes: int) -> str:
    """Why an uploaded file cannot be indexed ("" when it can be tried)."""
    if not name:
        return "the file has no name"
    if len(name) > MAX_NAME or not name.isprintable():
        return f"file names must be printable and at most {MAX_NAME} characters"
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUFFIXES:
        return f"unsupported file type {suffix or '(none)'}; use {', '.join(sorted(SUFFIXES))}"
    if size > max_bytes:
        return f"larger than {max_bytes // (1024 * 1024)} MB (FQA_MAX_UPLOAD_MB)"
    if size == 0:
        return "the file is empty"
    return ""


def describe(outcome: IndexOutcome) -> str:
    """An indexing outcome in one line for people."""
    where = " ".join(p for p in (outcome.city, f"{outcome.year}" if outcome.year else "") if p)
    where = f" ({where})" if where else ""
    if outcome.status == "indexed":
        return f"indexed: {outcome.chunks} passages, {outcome.added} new{where}"
    if outcome.status == "unchanged":
        return f"unchanged: already indexed with the same text{where}"
    if outcome.status == "duplicate":
        return f"duplicate of {outcome.duplicate_of or 'an indexed report'}: not indexed again"
    return outcome.message or "could not be indexed"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class JobQueue:
    """Upload jobs over one ``ReportManager``; ``folder`` None keeps everything in memory."""

    def __init__(self, reports: ReportManager, folder: Path | None, max_bytes: int, keep: int = KEEP_JOBS) -> None:
        self.reports = reports
        self.folder = folder
        self.max_bytes = max_bytes
        self.keep = keep
        self._jobs: dict[str, JobStatus] = {}  # insertion order: oldest first
        self._memory: dict[tuple[str, int], bytes] = {}  # file bytes when there is no folder
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, int]] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._loaded = False

    # -- public ---------------------------------------------------------------------------------
    def submit(self, files: Sequence[tuple[str, bytes]]) -> str:
        """Queue uploaded ``(file name, bytes)`` pairs as one job; returns its id (``JobError`` if refused)."""
        if not files:
            raise JobError("no files: send one or more report files")
        if len(files) > MAX_FILES:
            raise JobError(f"{len(files)} files in one job; send at most {MAX_FILES}")
        self._load()
        job_id = uuid.uuid4().hex
        statuses, todo = [], []
        for i, (raw, data) in enumerate(files):
            name = clean_name(raw)
            problem = file_problem(name, len(data), self.max_bytes)
            shown = name[:MAX_NAME] or "(no name)"
            if problem:
                statuses.append(FileStatus(name=shown, size=len(data), state="error", outcome="error", message=problem))
            else:
                statuses.append(FileStatus(name=name, size=len(data)))
                todo.append((i, data))
        job = JobStatus(id=job_id, state="queued" if todo else "done", created=now(), files=statuses)
        if not todo:
            job.finished_at = job.created
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() for f in j.files if not f.finished)
            if waiting + len(todo) > MAX_QUEUED:
                raise JobError(f"the upload queue is full ({waiting} files waiting); try again in a while")
            self._jobs[job_id] = job
            for i, data in todo:
                self._keep_bytes(job_id, i, data)
            self._save(job)
            self._evict()
        for i, _ in todo:
            self._enqueue(job_id, i)
        return job_id

    def status(self, job_id: str) -> JobStatus:
        """A copy of the job's current status (``KeyError`` for an unknown id)."""
        self._load()
        with self._lock:
            return self._jobs[job_id].model_copy(deep=True)

    def jobs(self) -> list[JobStatus]:
        """Every remembered job, newest first."""
        self._load()
        with self._lock:
            return [j.model_copy(deep=True) for j in reversed(self._jobs.values())]

    def wait(self, job_id: str, timeout: float = 600.0, poll: float = 0.05) -> JobStatus:
        """The job's status once it is finished, or as it is after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.status(job_id)
            if job.finished or time.monotonic() >= deadline:
                return job
            time.sleep(poll)

    def resume(self) -> int:
        """Queue again the files a previous process left unfinished; how many were queued."""
        self._load()
        pending: list[tuple[str, int]] = []
        with self._lock:
            for job in self._jobs.values():
                for i, f in enumerate(job.files):
                    if f.finished:
                        continue
                    if self._has_bytes(job.id, i):
                        f.state, f.done = "queued", 0
                        pending.append((job.id, i))
                    else:
                        f.state, f.outcome, f.message = "error", "error", LOST
                self._settle(job)
                self._save(job)
        for item in pending:
            self._enqueue(item[0], item[1])
        return len(pending)

    # -- worker ---------------------------------------------------------------------------------
    def _enqueue(self, job_id: str, index: int) -> None:
        self._queue.put((job_id, index))
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="fqa-jobs", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        while True:
            job_id, index = self._queue.get()
            try:
                self._run(job_id, index)
            except Exception:  # the worker must survive anything one file does
                log.exception("upload job %s file %d failed", job_id, index)
            finally:
                self._queue.task_done()

    def _run(self, job_id: str, index: int) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.files[index].finished:
                return
            f = job.files[index]
            f.state = "running"
            job.state = "running"
            self._save(job)
            name = f.name
        data = self._read_bytes(job_id, index)

        def on_step(_doc: str, done: int, total: int) -> None:
            with self._lock:
                f.done, f.total = done, total

        try:
            outcome = self.reports.add(name, data, on_step)
        except ReportError as exc:
            outcome = IndexOutcome(doc=name, status="error", message=str(exc))
        except StoreUnavailable as exc:
            outcome = IndexOutcome(doc=name, status="error", message=f"{exc}; send the file again later")
        except Exception:
            log.exception("indexing %s failed", name)
            outcome = IndexOutcome(doc=name, status="error", message="internal error while indexing (logged)")
        with self._lock:
            f.state = "error" if outcome.status == "error" else "done"
            f.outcome = outcome.status
            f.message = describe(outcome)
            f.chunks, f.title, f.city, f.year = outcome.chunks, outcome.title, outcome.city, outcome.year
            f.duplicate_of = outcome.duplicate_of
            if outcome.status in ("indexed", "unchanged"):
                f.done = f.total
            self._settle(job)
            self._save(job)
            self._drop_bytes(job_id, index)

    # -- bookkeeping (callers hold the lock) ----------------------------------------------------------
    def _settle(self, job: JobStatus) -> None:
        if all(f.finished for f in job.files):
            job.state = "done"
            job.finished_at = job.finished_at or now()
        elif any(f.state != "queued" for f in job.files):
            job.state = "running"

    def _evict(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished]
        for job in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[job.id]
            if self.folder is not None:
                shutil.rmtree(self.folder / job.id, ignore_errors=True)

    def _job_dir(self, job_id: str) -> Path:
        assert self.folder is not None
        return self.folder / job_id

    def _keep_bytes(self, job_id: str, index: int, data: bytes) -> None:
        if self.folder is None:
            self._memory[(job_id, index)] = data
            return
        files = self._job_dir(job_id) / "files"
        files.mkdir(parents=True, exist_ok=True)
        path = files / str(index)
        with open(path, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        _fsync_dir(files)

    def _has_bytes(self, job_id: str, index: int) -> bool:
        if self.folder is None:
            return (job_id, index) in self._memory
        return (self._job_dir(job_id) / "files" / str(index)).is_file()

    def _read_bytes(self, job_id: str, index: int) -> bytes:
        if self.folder is None:
            return self._memory[(job_id, index)]
        return (self._job_dir(job_id) / "files" / str(index)).read_bytes()

    def _drop_bytes(self, job_id: str, index: int) -> None:
        if self.folder is None:
            self._memory.pop((job_id, index), None)
            return
        (self._job_dir(job_id) / "files" / str(index)).unlink(missing_ok=True)

    def _save(self, job: JobStatus) -> None:
        if self.folder is None:
            return
        folder = self._job_dir(job.id)
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(folder / "job.json", job.model_dump_json())

    def _load(self) -> None:
        """Read the jobs a previous process left (once)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            if self.folder is None or not self.folder.is_dir():
                return
            found = []
            for path in self.folder.glob("*/job.json"):
                try:
                    found.append(JobStatus.model_validate(json.loads(path.read_text(encoding="utf-8"))))
                except (OSError, ValueError) as exc:
                    log.warning("skipping unreadable job record %s: %s", path, exc)
            for job in sorted(found, key=lambda j: j.created):
                self._jobs.setdefault(job.id, job)
