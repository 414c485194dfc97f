"""Exact values of the eval metrics on tiny hand-made cases (no model, no store)."""

from __future__ import annotations

import pytest

from eval.metrics import (
    GoldItem,
    Passage,
    Point,
    answer_correct,
    best_threshold,
    breakdown,
    cited_holding,
    evidence_rank,
    gold_from_dict,
    grounded,
    holds,
    judge,
    norm,
    percentile,
    strict_correct,
    summarize,
    threshold_score,
    verdict,
)

LOANS = GoldItem(
    "n1", "东营妇女创业贷款总额是多少？", "numeric", ["19.52亿元", "1952000000"], ["19.52亿"], ["a.txt"],
    ["年内协调发放贷款1.3万笔19.52亿元"], "zh-hans",
)
YES = GoldItem("y1", "东营是不是所有村都有示范户？", "yesno", ["是"], ["是"], ["a.txt"], ["全市100%的村有示范户"])
NO_EN = GoldItem("y2", "Did it reach 30%?", "yesno", ["否", "no"], ["否"], ["a.txt"], ["创建比例达到24%"], "en")
NONE = GoldItem("u1", "北京培训了多少妇女？", "unanswerable")
LIST = GoldItem("l1", "“三送”送哪三样？", "list", ["政策、技术、服务"], ["政策", "技术", "服务"], ["a.txt"], ["“三送”"])
MULTI = GoldItem(
    "m1", "东营和天水各发了多少条信息？", "multi_doc", ["东营5204条,天水1153条"], ["5204", "1153"], ["a.txt", "b.txt"],
    ["全年推送信息5204条", "共发出各类信息1153条"],
)

PASSAGE_A = "二是注重理论宣传。市县妇联微信公众号全年推送信息5,204条,阅读点击达88437次。"
PASSAGE_B = "至目前我市通过微信公众平台共发出各类信息1153条。"
PASSAGE_LOAN = "推广创业担保贷等信贷产品,年内协调发放贷款1.3万笔19.52亿元,切实解决妇女创业资金难题。"
OTHER = "开展巾帼志愿服务活动320场次。"


def test_norm_folds_width_script_markers_and_separators():
    assert norm("東營ＡＢ １，２３４人[2]") == "东营ab 1234人"
    assert norm("3099箱,92970盒") == "3099箱,92970盒"


def test_gold_from_dict_accepts_a_string_doc_and_rejects_bad_types():
    item = gold_from_dict({"id": "x", "question": "q?", "type": "entity", "doc": "a.txt", "answers": "A"})
    assert item.doc == ["a.txt"] and item.answers == ["A"] and item.evidence == []
    with pytest.raises(ValueError, match="type"):
        gold_from_dict({"question": "q?", "type": "opinion"}, 3)
    with pytest.raises(ValueError, match="line 4"):
        gold_from_dict({"type": "entity"}, 4)


def test_right_wrong_and_refused_numeric_answers():
    right = "19.52亿元 —— 年内协调发放贷款1.3万笔19.52亿元[1]"
    assert answer_correct(LOANS, right, True) and strict_correct(LOANS, right, True)
    assert not answer_correct(LOANS, "1.3万笔 —— 推广创业担保贷[1]", True)
    assert not answer_correct(LOANS, right, False)  # a refusal is never a right answer
    assert answer_correct(LOANS, "共1,952,000,000元", True)  # an accepted answer, thousands separators dropped


def test_strict_wants_the_gold_figure_first_on_each_line():
    loose = "1.3万笔 —— 年内协调发放贷款1.3万笔19.52亿元[1]"
    assert answer_correct(LOANS, loose, True) and not strict_correct(LOANS, loose, True)
    assert strict_correct(LOANS, "2020年共19.52亿元[1]", True)  # years are skipped
    two = "东营:5204条 —— 全年推送信息5204条[1]\n天水:1153条 —— 共发出各类信息1153条[2]"
    assert strict_correct(MULTI, two, True)
    swapped = "东营:88437次 —— 推送信息5204条,阅读点击达88437次[1]\n天水:1153条 —— 发出信息1153条[2]"
    assert answer_correct(MULTI, swapped, True) and not strict_correct(MULTI, swapped, True)
    assert strict_correct(LIST, "政策、技术、服务 —— 开展政策、技术、服务“三送”活动[1]", True)  # no figures in gold
    date = GoldItem("d1", "活动中心哪天启用？", "entity", ["2020年12月25日"], ["12月25日"])
    assert strict_correct(date, "2020年12月25日活动中心竣工启用[1]", True)  # a date gold: dates count as figures


def test_yesno_must_start_with_the_verdict():
    assert verdict("是。全市100%的村有示范户[1]") == "yes"
    assert verdict("“否”。报告写的是24%") == "no"
    assert verdict("不是,报告写的是24%") == "no"
    assert verdict("Yes. The report says") == "yes"
    assert verdict("Nothing was said") is None
    assert answer_correct(YES, "是。全市100%的村有示范户[1]", True)
    assert not answer_correct(YES, "全市100%的村有示范户,是这样[1]", True)  # contains 是 but does not start with it
    assert answer_correct(NO_EN, "No. The report says 24%: 创建比例达到24% [1]", True)
    assert not answer_correct(NO_EN, "Yes. 创建比例达到24% [1]", True)


def test_unanswerable_is_right_only_when_refused():
    assert answer_correct(NONE, "报告中没有找到这个问题的答案。", False)
    assert not answer_correct(NONE, "320场次 —— 开展巾帼志愿服务活动320场次[1]", True)
    assert strict_correct(NONE, "", False)


def test_holds_substring_or_eighty_percent_of_the_quote():
    assert holds(PASSAGE_A, "全年推送信息5204条")  # separators and width folded
    quote = "阅读点击达88437次,另有转发"  # 11 of 16 characters in the passage: 69% < 80%
    assert not holds(PASSAGE_A, quote)
    straddles = "阅读点击达88437次。另"  # 12 of 13 characters: 92%
    assert holds(PASSAGE_A, straddles)
    assert not holds(PASSAGE_A, "")


def test_evidence_rank_single_and_per_report():
    passages = [Passage("a.txt", OTHER), Passage("a.txt", PASSAGE_LOAN)]
    assert evidence_rank(LOANS, passages) == 2
    assert evidence_rank(LOANS, [Passage("a.txt", OTHER)]) is None
    multi = [Passage("a.txt", PASSAGE_A), Passage("b.txt", OTHER), Passage("b.txt", PASSAGE_B)]
    assert evidence_rank(MULTI, multi) == 2  # b.txt's evidence is its 2nd passage
    assert evidence_rank(MULTI, multi[:2]) is None  # b.txt's evidence never retrieved
    assert evidence_rank(NONE, multi) is None


def test_citations_partially_holding_and_ungrounded_figures():
    assert cited_holding(MULTI, [PASSAGE_A, OTHER]) == 1
    assert grounded("5204条 —— 全年推送信息5204条[1]", True, [PASSAGE_A]) is True
    assert grounded("5300条[1]", True, [PASSAGE_A]) is False  # figure not in any cited passage
    assert grounded("1.5万人[1]", True, ["培训15000人"]) is True
    assert grounded("报告中没有找到", False, []) is None


def _ans(text: str, found: bool, cited: list[str], latency: float) -> dict:
    return {"answer": text, "found": found, "citations": [{"text": t} for t in cited], "latency_ms": latency}


def test_summary_on_a_tiny_run_has_exact_values():
    a = [Passage("a.txt", OTHER), Passage("a.txt", PASSAGE_LOAN)]
    cases = [
        # right, strict, evidence at rank 2, one of two citations holds it
        (LOANS, _ans("19.52亿元 —— 年内协调发放贷款1.3万笔19.52亿元[1]", True, [PASSAGE_LOAN, OTHER], 100), a),
        # right but not strict, evidence at rank 1, the one citation holds it
        (LOANS, _ans("1.3万笔 —— 年内协调发放贷款1.3万笔19.52亿元[1]", True, [PASSAGE_LOAN], 200), a[::-1]),
        # wrongly refused, evidence not retrieved
        (YES, _ans("报告中没有找到这个问题的答案。", False, [OTHER], 300), [Passage("a.txt", OTHER)]),
        # unanswerable answered anyway, with a figure that no cited passage holds
        (NONE, _ans("350场次 —— 开展巾帼志愿服务活动320场次[1]", True, [OTHER], 400), []),
        # unanswerable, refused
        (NONE, _ans("报告中没有找到这个问题的答案。", False, [OTHER], 1000), []),
    ]
    verdicts = [judge(item, ans, passages) for item, ans, passages in cases]
    m = summarize(verdicts)
    assert m["n"] == 5
    assert m["answer_accuracy"] == pytest.approx(3 / 5)
    assert m["strict_accuracy"] == pytest.approx(2 / 5)
    assert m["refusal_accuracy"] == pytest.approx(1 / 2)
    assert m["false_refusal_rate"] == pytest.approx(1 / 3)
    assert m["hit@1"] == pytest.approx(1 / 3)
    assert m["hit@5"] == pytest.approx(2 / 3)
    assert m["mrr"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert m["citation_precision"] == pytest.approx((1 / 2 + 1) / 2)
    assert m["grounding_rate"] == pytest.approx(2 / 3)
    assert m["latency_p50_ms"] == 300
    assert m["latency_p95_ms"] == 1000
    by_type = breakdown(verdicts, "type")
    assert list(by_type) == ["numeric", "yesno", "unanswerable"]
    assert by_type["numeric"]["strict_accuracy"] == pytest.approx(0.5)
    assert by_type["unanswerable"]["hit@5"] is None
    assert breakdown(verdicts, "doc")["-"]["n"] == 2


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 50) == 10.0
    assert percentile(values, 95) == 19.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) == 0.0


def test_threshold_sweep():
    points = [
        Point(0.9, True, True, True),
        Point(0.5, True, True, True),
        Point(0.3, True, False, True),
        Point(0.6, False, False, True),
        Point(0.2, False, False, True),
    ]
    assert threshold_score(points, 0.0) == pytest.approx(2 / 3 + 0)
    assert threshold_score(points, 0.4) == pytest.approx(2 / 3 + 1 / 2)
    assert threshold_score(points, 0.7) == pytest.approx(1 / 3 + 1)
    best, top = best_threshold(points)
    assert (best, top) == (pytest.approx(0.75), pytest.approx(4 / 3))
