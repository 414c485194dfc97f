"""A large read-mostly ``str → value`` table kept in SQLite, read key by key until it is worth loading whole.

jieba's prefix dictionary (~500 000 entries) and its tagger's word → tag table (~350 000) take about 0.7 s to
load whole, while a question looks up a few hundred keys. ``DiskTable`` answers ``get``/``in``/``[]`` from a
SQLite file (a few microseconds a key, remembered once asked) and, after ``promote_after`` keys read from disk —
a process indexing reports, not one answering a question — loads the whole table once and hands the plain dict
to ``on_whole`` (which puts it where the table was) so later lookups cost what a dict's do. ``write_table``
makes the file (atomically). Leaves out: iteration, and writes other than through the whole dict.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

_ABSENT = object()
PROMOTE_AFTER = 20_000


def write_table(path: Path, table: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
    """``table`` (and ``extra`` values, read back with ``DiskTable.extra``) into the SQLite file ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v) WITHOUT ROWID")
            con.execute("CREATE TABLE extra (k TEXT PRIMARY KEY, v)")
            con.executemany("INSERT INTO t VALUES (?, ?)", table.items())
            con.executemany("INSERT INTO extra VALUES (?, ?)", (extra or {}).items())
            con.commit()
        finally:
            con.close()
        os.replace(tmp, path)
    except (OSError, sqlite3.Error):
        tmp.unlink(missing_ok=True)


class DiskTable:
    """Lookups into a table made by ``write_table``; see the module's docstring."""

    def __init__(
        self, path: Path, on_whole: Callable[[dict[str, Any]], None] | None = None,
        promote_after: int | None = None,
    ) -> None:
        self._con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._con.execute("SELECT 1 FROM t LIMIT 1").fetchall()  # fails now on a damaged file, not mid-question
        self._lock = threading.Lock()
        self._seen: dict[str, Any] = {}
        self._whole: dict[str, Any] | None = None
        self._reads = 0
        self._on_whole = on_whole
        self._promote_after = PROMOTE_AFTER if promote_after is None else promote_after

    def extra(self, key: str) -> Any:
        row = self._con.execute("SELECT v FROM extra WHERE k = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _lookup(self, key: str) -> Any:
        if self._whole is not None:
            return self._whole.get(key, _ABSENT)
        if key in self._seen:
            return self._seen[key]
        with self._lock:
            row = self._con.execute("SELECT v FROM t WHERE k = ?", (key,)).fetchone()
            self._reads += 1
        value = _ABSENT if row is None else row[0]
        self._seen[key] = value
        if self._reads >= self._promote_after:
            self.load_whole()
        return value

    def load_whole(self) -> dict[str, Any]:
        """The whole table as a dict (read once), handed to ``on_whole``."""
        with self._lock:
            if self._whole is None:
                self._whole = dict(self._con.execute("SELECT k, v FROM t"))
                if self._on_whole is not None:
                    self._on_whole(self._whole)
        return self._whole

    def get(self, key: str, default: Any = None) -> Any:
        value = self._lookup(key)
        return default if value is _ABSENT else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not _ABSENT

    def __getitem__(self, key: str) -> Any:
        value = self._lookup(key)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self.load_whole()[key] = value

    def update(self, other: dict[str, Any]) -> None:
        self.load_whole().update(other)
