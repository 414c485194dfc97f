"""End to end over the seeded store: figures with citations, languages, refusals, bad input."""

from __future__ import annotations

import pytest

from core.text import normalize
from qa.figures import ungrounded
from qa.plan import QuestionError

TIANSHUI = "002_73b7ae9f94230e8b.txt"
ZHUZHOU = "003_4eae8feafdbcf8d2.txt"
DONGYING = "000_50db6e2cd06eea04.txt"

CASES = [
    ("天水培训了多少陇原巧手", "3426", TIANSHUI),
    ("天水培訓了多少隴原巧手", "3426", TIANSHUI),
    ("天水培训了多少陇原巧手？", "3426", TIANSHUI),
    ("株洲组建了多少个姐妹帮帮团", "1471", ZHUZHOU),
    ("株洲的姐妹帮帮团结对了多少户", "1505", ZHUZHOU),
    ("东营发放张贴了多少宣传品", "59万", DONGYING),
    ("天水陇原巧手培训完成了年计划的百分之多少", "107.06%", TIANSHUI),
]


@pytest.mark.parametrize(("question", "figure", "doc"), CASES)
def test_figure_first_with_its_citation(service, question, figure, doc):
    ans = service.ask(question)
    assert ans.found, ans.reason
    assert ans.answer.startswith(figure), ans.answer
    first = ans.citations[0]
    assert first.doc == doc
    assert figure.rstrip("%") in first.text
    assert first.evidence and figure.rstrip("%") in first.evidence
    assert ungrounded(ans.answer, [c.text for c in ans.citations]) == []


def test_citation_span_points_into_the_original_report(service, seeded_settings):
    from tests.conftest import SEEDS

    ans = service.ask("天水培训了多少陇原巧手")
    c = ans.citations[0]
    original = (SEEDS / c.doc).read_text(encoding="utf-8")
    assert original[c.start : c.end] == c.evidence
    assert original[c.passage_start : c.passage_end] == c.text
    assert "3426" in original[c.start : c.end]


def test_english_question_is_answered_from_the_named_city(service):
    ans = service.ask("How many people did Tianshui train as 'Longyuan Skilled Hands' (陇原巧手)?")
    assert ans.found and ans.lang == "en"
    assert ans.citations[0].doc == TIANSHUI and "陇原巧手" in ans.citations[0].evidence
    assert ungrounded(ans.answer, [c.text for c in ans.citations]) == []


@pytest.mark.parametrize(
    "question",
    ["北京市妇联培训了多少陇原巧手", "天水市妇联2022年培训了多少陇原巧手", "上海市妇联2020年组织了多少场读书会"],
)
def test_out_of_corpus_questions_are_refused(service, question):
    ans = service.ask(question)
    assert not ans.found
    assert ans.reason
    assert not any(ch.isdigit() for ch in ans.answer.replace("2022", "").replace("2020", "").split("(")[0])


def test_refusal_still_lists_closest_passages(service):
    ans = service.ask("天水市妇联2022年培训了多少陇原巧手")
    assert not ans.found and ans.citations


def test_two_cities_are_answered_each_from_its_report(service):
    ans = service.ask("天水培训了多少陇原巧手，株洲组建了多少个姐妹帮帮团？")
    assert ans.found and "3426" in ans.answer and "1471" in ans.answer
    docs = {c.doc for c in ans.citations}
    assert docs == {TIANSHUI, ZHUZHOU}


def test_yes_no_checks_the_claimed_figure(service):
    yes = service.ask("株洲是不是组建了1471个姐妹帮帮团？")
    no = service.ask("株洲是不是组建了1505个姐妹帮帮团？")
    assert yes.answer.startswith("是")
    assert no.answer.startswith("否") and "1471" in no.answer


def test_yes_no_checks_a_count_in_chinese_numerals(service):
    no = service.ask("乐清是不是已经连续五年举办家庭文化节了？")
    yes = service.ask("乐清是不是已经连续六年举办家庭文化节了？")
    assert no.found and no.answer.startswith("否") and "六年" in no.answer
    assert yes.found and yes.answer.startswith("是")


def test_answer_object_contract(service):
    data = service.ask("天水培训了多少陇原巧手", id="q1").to_dict()
    assert {"id", "question", "answer", "found", "citations", "latency_ms"} <= data.keys()
    assert {"n", "doc", "chunk_id", "text", "start", "end", "score"} <= data["citations"][0].keys()
    assert data["id"] == "q1" and data["citations"][0]["n"] == 1
    assert "[1]" in data["answer"]


@pytest.mark.parametrize("question", ["", "   ", "问" * 5000, None])
def test_bad_questions_get_a_clear_error(service, question):
    with pytest.raises(QuestionError):
        service.ask(question)


def test_traditional_and_fullwidth_match_simplified(service):
    a = service.ask("天水培训了多少陇原巧手")
    b = service.ask("天水培訓了多少隴原巧手？")
    assert normalize(a.answer) == normalize(b.answer)


def test_empty_index_says_how_to_fill_it(fresh_settings, embedder):
    from qa.system import System

    ans = System.from_settings(fresh_settings, embedder=embedder).service.ask("天水培训了多少陇原巧手")
    assert not ans.found and "fulian-qa index" in ans.answer and ans.citations == []
