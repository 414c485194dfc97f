"""Audit log of writes: one JSON line per upload or delete attempt in ``$FQA_DATA_DIR/audit.log``.

Each line says when (UTC), what (action, path, report name, bytes declared), from where (client address,
user agent) and the outcome (HTTP status and, for an accepted upload, the indexing status). Refused
attempts (no token, too large) are logged too. The file rotates at ``MAX_BYTES`` keeping ``BACKUPS`` old
files. Leaves out: reads (questions are not personal data to keep) and shipping logs elsewhere.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fulian_qa.api.gate import is_write, state

MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 5


def audit_logger(path: Path) -> logging.Logger:
    """A logger writing plain lines to ``path`` (rotated), one per process and path."""
    logger = logging.getLogger(f"fulian_qa.audit.{path}")
    if not logger.handlers:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1", "replace")[:200] for k, v in scope.get("headers", [])}


class AuditWrites:
    """Pure ASGI middleware logging every write request with its outcome."""

    def __init__(self, app: ASGIApp, path: Path) -> None:
        self.app = app
        self.log = audit_logger(path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (
            is_write(scope["method"], scope["path"]) or scope["path"].startswith("/gradio_api/upload")
        ):
            await self.app(scope, receive, send)
            return
        status = {"code": 500}
        start = time.perf_counter()

        async def tracked(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                status["code"] = msg["status"]
            await send(msg)

        try:
            await self.app(scope, receive, tracked)
        finally:
            self.log.info(json.dumps(self.record(scope, status["code"], start), ensure_ascii=False))

    def record(self, scope: Scope, status: int, start: float) -> dict[str, Any]:
        headers = _headers(scope)
        client = scope.get("client") or ("", 0)
        done = state(scope).get("audit", {})
        return {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "action": "delete" if scope["method"] == "DELETE" else "upload",
            "path": scope["path"][:300],
            "doc": done.get("doc", ""),
            "bytes": headers.get("content-length", ""),
            "client": client[0],
            "forwarded_for": headers.get("x-forwarded-for", ""),
            "user_agent": headers.get("user-agent", ""),
            "status": status,
            "outcome": done.get("outcome", ""),
            "ms": round((time.perf_counter() - start) * 1000, 1),
        }
