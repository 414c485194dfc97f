"""Feedback (qa.feedback): durable JSON-lines records that survive a kill -9 and torn lines, bounded input,
the HTTP endpoints, and the export of rated real answers as gold-set candidates that pass the gold-set
checks (tests/test_gold.py's rules) and load with the eval's own loader — through the CLI too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from eval.feedback_export import candidates, export_gold, gold_lang
from eval.metrics import gold_from_dict
from eval.run import load_gold
from fulian_qa.api import create_app
from qa.feedback import FeedbackIn, FeedbackRecord, FeedbackStore
from qa.system import System
from tests.conftest import ROOT, SEEDS
from tests.test_gold import LANGS, LIST_FIELDS, REQUIRED, TYPES, strip_thousands

Q = "天水培训了多少陇原巧手"


def _item(question: str = Q, rating: str = "up", **extra) -> FeedbackIn:
    answer = {"answer": "3426人 —— 实施“陇原巧手”培训项目[1]", "found": True, "citations": [], "type": "numeric"}
    return FeedbackIn.model_validate({"question": question, "answer": answer, "rating": rating, **extra})


def test_store_round_trip(tmp_path):
    store = FeedbackStore(tmp_path / "data" / "feedback.jsonl")
    assert store.records() == []
    first = store.add(_item())
    second = store.add(_item("株洲组建了多少个姐妹帮帮团", "down", correction="1200个"))
    got = store.records()
    assert got == [first, second] and first.id != second.id and first.time <= second.time
    assert got[1].rating == "down" and got[1].expected == "1200个" and got[0].answer.answer.startswith("3426人")
    lines = store.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["question"] == Q


def test_threads_append_whole_lines(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    threads = [threading.Thread(target=lambda: [store.add(_item(f"问题{i}")) for i in range(20)]) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records, bad = store.read()
    assert len(records) == 120 and bad == 0 and len({r.id for r in records}) == 120


def test_a_torn_last_line_is_skipped_and_the_next_record_starts_a_new_line(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    store.add(_item())
    with open(store.path, "ab") as f:
        f.write(b'{"question": "torn reco')  # what a crash in the middle of a write leaves
    after = store.add(_item("乐清"))
    records, bad = store.read()
    assert [r.question for r in records] == [Q, "乐清"] and bad == 1 and records[-1] == after


WRITER = """
import sys
from pathlib import Path
from qa.feedback import FeedbackIn, FeedbackStore
store = FeedbackStore(Path(sys.argv[1]))
answer = {"answer": "x" * 3000, "found": True, "citations": []}
for i in range(100000):
    store.add(FeedbackIn.model_validate({"question": f"问题{i}", "answer": answer, "rating": "up"}))
    print(i, flush=True)
"""


def test_kill_9_while_appending_loses_no_acknowledged_record(tmp_path):
    path = tmp_path / "feedback.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    acknowledged = -1
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 60:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.stdout.close()
    assert proc.wait(timeout=60) == -signal.SIGKILL
    store = FeedbackStore(path)
    records, bad = store.read()
    questions = [r.question for r in records]
    assert questions[: acknowledged + 1] == [f"问题{i}" for i in range(acknowledged + 1)]  # every one it said it wrote
    assert bad <= 1
    store.add(_item("重启之后"))
    assert store.records()[-1].question == "重启之后" and store.read()[1] == bad


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"question": "   "}, "question is empty"),
        ({"rating": "meh"}, "rating"),
        ({"correction": "x" * 5000}, "correction"),
        ({"correction": "12人", "should_refuse": True}, "either a correction or should_refuse"),
        ({"answer": {"answer": "x", "found": True, "citations": [{"n": 1, "doc": "a"}] * 21}}, "citations"),
    ],
)
def test_bad_feedback_is_refused_with_a_clear_message(change, message):
    row = {**_item().model_dump(), **change}
    with pytest.raises(ValidationError, match=message):
        FeedbackIn.model_validate(row)


# -- export of real rated answers -------------------------------------------------------------------
MULTI = "东营和天水妇联的微信公众号分别发了多少条信息？"
YESNO = "东营美丽庭院示范户比例是不是达到了30%？"
ENTITY = "东营的丽人贷是跟哪家银行联合推出的？"
TRAD = "東營三八麗人貸發放了多少筆？"
ENGLISH = "How many Longyuan Qiaoshou were trained in Tianshui?"
ELSEWHERE = "拉萨妇联培训了多少人?"
NATIONAL = "东营市妇联2020年上了多少篇次国家级媒体的宣传报道？"


@pytest.fixture(scope="module")
def rated(service) -> list[FeedbackRecord]:
    """Real answers rated as users would: 👍 right answers and a right refusal, corrections, a bare 👎."""

    def fb(question: str, rating: str, **extra) -> FeedbackRecord:
        answer = service.ask(question).to_dict()
        item = FeedbackIn.model_validate({"question": question, "answer": answer, "rating": rating, **extra})
        return FeedbackRecord(**item.model_dump(), id=f"r{len(out)}", time="2026-11-25T00:00:00+00:00")

    out: list[FeedbackRecord] = []
    for question in (Q, MULTI, YESNO, ENTITY, TRAD, ENGLISH):
        out.append(fb(question, "up"))
    out.append(fb(ELSEWHERE, "up"))  # a right refusal
    out.append(fb(NATIONAL, "down", correction="18篇次"))  # an answer corrected
    out.append(fb(NATIONAL, "down", correction="987654篇次"))  # in no cited passage: skipped
    out.append(fb("天水的妇女儿童发展纲要评估得了多少分", "down", should_refuse=True))
    out.append(fb(Q, "down"))  # 👎 with no correction: nothing known to export
    return out


def _gold_problems(row: dict) -> list[str]:
    """The rules of tests/test_gold.py for one row, against the seed reports."""
    out = [f"{k} is not {t.__name__}" for k, t in REQUIRED.items() if not isinstance(row.get(k), t)]
    if row["type"] not in TYPES or row["lang"] not in LANGS:
        out.append("type or lang")
    for doc in row["doc"]:
        if not (SEEDS / doc).is_file():
            out.append(f"no report {doc}")
    texts = [(SEEDS / d).read_text(encoding="utf-8") for d in row["doc"] if (SEEDS / d).is_file()]
    out += [f"evidence not verbatim: {q}" for q in row["evidence"] if not any(q in t for t in texts)]
    if row["type"] == "unanswerable":
        out += [f"{k} not empty" for k in LIST_FIELDS if row[k]]
    else:
        out += [f"{k} empty" for k in LIST_FIELDS if not row[k]]
        hay = [strip_thousands(s) for s in row["answers"] + row["evidence"]]
        out += [f"unsupported {m}" for m in row["must_contain"] if not any(strip_thousands(m) in h for h in hay)]
    if row["type"] == "multi_doc":
        if len(set(row["doc"])) < 2:
            out.append("multi_doc with one report")
    elif row["type"] != "unanswerable" and len(row["doc"]) != 1:
        out.append("single-report type with several reports")
    if row["type"] == "yesno" and row["must_contain"] not in (["是"], ["否"]):
        out.append("yesno must_contain")
    return out


def test_rated_answers_export_as_valid_gold_candidates(rated):
    items, skipped = candidates(rated)
    assert items == export_gold(rated)
    by_question = {}
    for row in items:
        assert _gold_problems(row) == [], row
        assert gold_from_dict(row).id == row["id"]
        by_question.setdefault(row["question"], []).append(row)
    ids = [row["id"] for row in items]
    assert len(set(ids)) == len(ids) and all(i.startswith("f") and i[1:].isdigit() for i in ids)

    assert by_question[Q][0]["type"] == "numeric" and by_question[Q][0]["must_contain"] == ["3426"]
    assert by_question[Q][0]["doc"] == ["002_73b7ae9f94230e8b.txt"]
    multi = by_question[MULTI][0]
    assert multi["type"] == "multi_doc" and len(set(multi["doc"])) == 2 and len(multi["must_contain"]) == 2
    assert by_question[YESNO][0]["must_contain"] == ["否"]
    assert by_question[ENTITY][0]["type"] == "entity" and "农商银行" in by_question[ENTITY][0]["must_contain"][0]
    assert by_question[TRAD][0]["lang"] == "zh-hant" and by_question[ENGLISH][0]["lang"] == "en"
    assert by_question[ELSEWHERE][0]["type"] == "unanswerable"
    corrected = by_question[NATIONAL]
    assert len(corrected) == 1 and corrected[0]["must_contain"] == ["18"] and corrected[0]["answers"] == ["18篇次"]
    assert corrected[0]["doc"] == ["000_50db6e2cd06eea04.txt"] and "国家级宣传报道18篇次" in corrected[0]["evidence"][0]
    assert by_question["天水的妇女儿童发展纲要评估得了多少分"][0]["type"] == "unanswerable"

    reasons = {s.id: s.reason for s in skipped}
    assert set(reasons) == {"r8", "r10"}, reasons
    assert "987654" in reasons["r8"] and "without a correction" in reasons["r10"]


def test_gold_language_of_a_question():
    assert (gold_lang(Q), gold_lang(TRAD), gold_lang(ENGLISH)) == ("zh-hans", "zh-hant", "en")


def test_cli_export_writes_a_gold_file_the_eval_loads(rated, tmp_path):
    data = tmp_path / "data"
    store = FeedbackStore(data / "feedback.jsonl")
    for record in rated:
        store.add(FeedbackIn.model_validate(record.model_dump()))
    out = tmp_path / "candidates.jsonl"
    env = {**os.environ, "FQA_DATA_DIR": str(data)}
    started = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-m", "fulian_qa", "feedback", "export", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(export_gold(store.records())) and f"{len(rows)} gold candidates" in res.stdout
    assert "skipped" in res.stderr and all(_gold_problems(r) == [] for r in rows)
    assert [g.id for g in load_gold(out)] == [r["id"] for r in rows]
    print(f"\nfeedback export: {time.perf_counter() - started:.1f} s")
    missing = subprocess.run(
        [sys.executable, "-m", "fulian_qa", "feedback", "export", "--out", str(out)],
        cwd=ROOT, env={**env, "FQA_DATA_DIR": str(tmp_path / "none")}, capture_output=True, text=True, timeout=300,
    )
    assert missing.returncode == 2 and "no feedback file" in missing.stderr


# -- HTTP ---------------------------------------------------------------------------------------------
def test_api_takes_feedback_from_anyone_and_gives_it_back_with_the_token(request, tmp_path, embedder):
    (tmp_path / "data").mkdir(exist_ok=True)
    settings = request.getfixturevalue("fresh_settings").model_copy(update={"api_token": "t"})
    client = TestClient(create_app(System.from_settings(settings, embedder=embedder)))
    body = _item(rating="down", correction="3426人").model_dump()
    res = client.post("/api/feedback", json=body)
    assert res.status_code == 201, res.text
    saved = res.json()
    assert client.get("/api/feedback").status_code == 401
    got = client.get("/api/feedback", headers={"Authorization": "Bearer t"}).json()
    assert got["total"] == 1 and got["feedback"][0]["id"] == saved["id"]
    assert got["feedback"][0]["correction"] == "3426人"
    bad = client.post("/api/feedback", json={**body, "rating": "great"})
    assert bad.status_code == 422 and "rating" in bad.json()["detail"]
    assert Path(settings.data_dir / "feedback.jsonl").read_text(encoding="utf-8").count("\n") == 1
