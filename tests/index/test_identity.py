"""Report identity by path inside the indexed folder, and writes that take turns in bounded steps
(real Chroma store, real model)."""

from __future__ import annotations

import threading

from index.indexer import Indexer
from index.load import named_reports
from index.store import ChromaStore
from index.turns import Turns
from qa.system import System
from tests.conftest import SEEDS

A = "青山市妇联2024年工作总结\n全年培训家政服务员888人。\n"
B = "绿水市妇联2024年工作总结\n全年举办好家风讲座12场。\n"


def test_same_named_reports_in_two_folders_are_both_kept(fresh_settings, embedder, tmp_path):
    root = tmp_path / "reports"
    for sub, text in (("a", A), ("b", B)):
        (root / sub).mkdir(parents=True)
        (root / sub / "report.txt").write_text(text, encoding="utf-8")
    store = ChromaStore.from_settings(fresh_settings, embedder.name)
    indexer = Indexer.from_settings(fresh_settings, embedder, store)
    outcomes = indexer.index_paths([root])
    assert [(o.doc, o.status, o.removed) for o in outcomes] == [
        ("a/report.txt", "indexed", 0),
        ("b/report.txt", "indexed", 0),
    ]
    assert {c.meta.doc for c in store.chunks()} == {"a/report.txt", "b/report.txt"}
    assert [o.status for o in indexer.index_paths([root])] == ["unchanged", "unchanged"]
    assert [o.doc for o in indexer.index_paths([root / "a"])] == ["report.txt"]  # a folder given: names inside it


def test_names_that_would_collide_across_folders_take_their_common_parent(tmp_path):
    for sub in ("x", "y"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "report.txt").write_text(A, encoding="utf-8")
    (tmp_path / "y" / "other.txt").write_text(B, encoding="utf-8")
    names = [name for _, name in named_reports([tmp_path / "x", tmp_path / "y"])]
    assert names == ["x/report.txt", "other.txt", "y/report.txt"]
    assert "001_f3635435e2464913.txt" in [name for _, name in named_reports([SEEDS])]


def test_turns_are_first_come_first_served():
    turns = Turns()
    order: list[str] = []
    first_holds, second_waits = threading.Event(), threading.Event()

    def long_writer() -> None:
        with turns.step():
            first_holds.set()
            second_waits.wait()
            order.append("long step 1")
        with turns.step():  # asks again after the short writer: must wait for it
            order.append("long step 2")

    def short_writer() -> None:
        with turns.step():
            order.append("short")

    long_thread = threading.Thread(target=long_writer)
    long_thread.start()
    first_holds.wait()
    short_thread = threading.Thread(target=short_writer)
    short_thread.start()
    while turns._issued < 2:  # the short writer has its ticket
        threading.Event().wait(0.01)
    second_waits.set()
    long_thread.join()
    short_thread.join()
    assert order == ["long step 1", "short", "long step 2"]


def test_a_small_upload_is_not_held_behind_a_long_one(fresh_settings, embedder):
    settings = fresh_settings.model_copy(update={"write_step": 2})
    system = System.from_settings(settings, embedder=embedder)
    store = system.reports.indexer.store
    two = ("000_50db6e2cd06eea04.txt", "003_4eae8feafdbcf8d2.txt")
    long_report = b"\n".join((SEEDS / name).read_bytes() for name in two)  # ~23 steps of 2 passages
    events: list[str] = []
    started = threading.Event()
    upsert = store.upsert

    def recording_upsert(ids, *args, **kwargs):
        upsert(ids, *args, **kwargs)
        events.append("upsert")
        started.set()

    store.upsert = recording_upsert  # type: ignore[method-assign]

    def add(name: str, data: bytes) -> None:
        outcome = system.reports.add(name, data)
        events.append(f"done {name} {outcome.status}")

    long_thread = threading.Thread(target=add, args=("long.txt", long_report))
    long_thread.start()
    started.wait()
    add("short.txt", A.encode("utf-8"))
    long_thread.join()
    done = [i for i, e in enumerate(events) if e.startswith("done")]
    assert [events[i] for i in done] == ["done short.txt indexed", "done long.txt indexed"]
    assert events[done[0] + 1 :].count("upsert") >= 3  # the long upload still had steps to go
