"""The eval runner end to end on a tiny gold file, checked against a deliberately simple scorer."""

from __future__ import annotations

import json
import unicodedata

import pytest

from eval.run import check_limits, main, parse_limits
from fulian_qa.cli import build_parser

DY, CY, TS = "000_50db6e2cd06eea04.txt", "001_f3635435e2464913.txt", "002_73b7ae9f94230e8b.txt"


def item(id: str, type: str, question: str, must: list[str], answers: list[str], doc, evidence: list[str],
         lang: str = "zh-hans") -> dict:
    return {"id": id, "question": question, "type": type, "answers": answers, "must_contain": must, "doc": doc,
            "evidence": evidence, "lang": lang}


GOLD = [
    item("t1", "numeric", "东营的心理援助专线接听了多少个电话？", ["10043"], ["10043个", "10,043"], [DY],
         ["累计接听心理援助专线10043个"]),
    item("t2", "yesno", "东营美丽庭院示范户比例是不是达到了30%？", ["否"], ["否"], DY,  # doc as a plain string
         ["“美丽庭院”示范户创建比例达到24%"]),
    item("t3", "unanswerable", "北京市妇联2020年培训了多少妇女？", [], [], [], []),
    item("t4", "multi_doc", "东营和天水妇联的微信公众号分别发了多少条信息？", ["5204", "1153"],
         ["东营5204条,天水1153条"], [DY, TS],
         ["市县妇联微信公众号全年推送信息5204条", "至目前我市通过微信公众平台共发出各类信息1153条"]),
    item("t5", "entity", "Which family in Changyi was named a Shandong Province 'Most Beautiful Family'?", ["汲淑艳"],
         ["汲淑艳家庭", "汲淑艳"], [CY], ["汲淑艳家庭获评山东省最美家庭"], "en"),
]


def simple_correct(gold: dict, row: dict) -> bool:
    """Independent of eval.metrics: NFKC, lower case, no commas; plain containment."""

    def clean(s: str) -> str:
        return unicodedata.normalize("NFKC", s).lower().replace(",", "")

    if gold["type"] == "unanswerable":
        return not row["found"]
    if not row["found"]:
        return False
    text = clean(row["answer"]).strip()
    if gold["type"] == "yesno":
        want = clean(gold["must_contain"][0])
        return text.startswith(("是", "yes") if want == "是" else ("否", "no"))
    return all(clean(s) in text for s in gold["must_contain"]) or any(clean(a) in text for a in gold["answers"])


@pytest.fixture(scope="module")
def gold_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("gold") / "tiny.jsonl"
    path.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in GOLD), encoding="utf-8")
    return path


def _args(*argv: str):
    return build_parser().parse_args(["eval", *map(str, argv)])


def test_cli_run_writes_outputs_that_an_independent_scorer_agrees_with(service, gold_file, tmp_path, capsys):
    out, report = tmp_path / "r.jsonl", tmp_path / "report"
    args = _args("--gold", gold_file, "--out", out, "--report", report, "--systems", "main,bm25-only",
                 "--fail-under", "answer_accuracy=0")
    assert main(args, service=service) == 0

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [g["id"] for g in GOLD]
    for row in rows:  # the ask --jsonl object plus verdicts
        assert {"question", "answer", "found", "citations", "latency_ms", "retrieved"} <= set(row)
        assert {"correct", "strict_correct", "refused", "evidence_rank", "system"} <= set(row)
    gold = {g["id"]: g for g in GOLD}
    expected = sum(simple_correct(gold[r["id"]], r) for r in rows) / len(rows)

    metrics = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["systems"]["main"]["metrics"]["answer_accuracy"] == pytest.approx(expected, abs=1e-9)
    assert [r["correct"] for r in rows] == [simple_correct(gold[r["id"]], r) for r in rows]

    md = (report / "report.md").read_text(encoding="utf-8")
    assert "| main |" in md and "| bm25-only |" in md and "## Main system by question type" in md
    assert (report / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (report / "answers" / "bm25-only.jsonl").exists()
    printed = capsys.readouterr().out
    assert f"{expected:.3f}" in printed.splitlines()[2]  # the main row of the stdout table


def test_fail_under_names_the_metric_and_exits_1(service, gold_file, tmp_path, capsys):
    args = _args("--gold", gold_file, "--systems", "main", "--limit", "1", "--fail-under", "hit@5=1.01")
    assert main(args, service=service) == 1
    assert "hit@5" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["--fail-under", "accuracy=0.8"], ["--fail-under", "answer_accuracy"], ["--systems", "main,gpt"],
     ["--gold", "/nonexistent.jsonl"]],
)
def test_bad_input_exits_2_before_running(argv, capsys):
    assert main(_args(*argv), service=object()) == 2
    assert "error" in capsys.readouterr().err


def test_limits_parse_and_check():
    assert parse_limits(["answer_accuracy=0.8", "hit@5=0.9,mrr=0.7"]) == {"answer_accuracy": 0.8, "hit@5": 0.9,
                                                                          "mrr": 0.7}
    metrics = {"answer_accuracy": 0.79, "mrr": None, "latency_p95_ms": 900.0}
    assert check_limits(metrics, {"answer_accuracy": 0.8, "mrr": 0.5}, {"latency_p95_ms": 1000}) == [
        "answer_accuracy = 0.790 is below the floor 0.8",
        "mrr = - is below the floor 0.5",
    ]


def test_default_limits_are_accepted_on_the_command_line(capsys):
    args = _args("--fail-under", "default", "--fail-over", "default", "--systems", "gpt")
    assert main(args, service=object()) == 2
    assert "unknown system" in capsys.readouterr().err  # the limits parsed; the system name did not
