"""Comparisons of two cities: each city is asked its figure, and the answer says which is more from the figures
its parts state (never from a figure it does not cite). Pure parts on a small synthetic catalogue."""

from __future__ import annotations

import pytest

from core.text import normalize
from core.types import ChunkMeta, StoredChunk
from qa.answer import Draft
from qa.compose import compose
from qa.evidence import Candidate
from qa.figures import find_figures
from qa.plan import QuestionPlan, targets
from qa.query import Catalog, asks_comparison, parse
from qa.retrieve import Hit, Retrieval

REPORTS = "甲城市妇联工作报告。化解矛盾纠纷765起。乙城市妇联工作报告。调解案件400余起。培训妇女3000人。"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(
        cities={"甲城": ["a.txt"], "乙城": ["b.txt"]},
        years={"a.txt": {2020}, "b.txt": {2020}},
        doc_city={"a.txt": "甲城", "b.txt": "乙城"},
        corpus_text=normalize(REPORTS),
    )


@pytest.mark.parametrize(
    ("question", "lang", "compares"),
    [
        ("甲城和乙城的来信来访哪个更多？", "zh", True),
        ("甲城化解的纠纷和乙城调解的案件，哪个多？", "zh", True),
        ("甲城和乙城谁培训的妇女少？", "zh", True),
        ("甲城和乙城谁评选的最美家庭多？", "zh", True),
        ("which trained more women, jiacheng or yicheng?", "en", True),
        ("which held fewer sessions: a or b?", "en", True),
        ("甲城和乙城各培训了多少人？", "zh", False),  # 多少 asks the figures, not which is more
        ("哪个县培训了多少人？", "zh", False),
        ("which centre has more than 30 counsellors?", "en", False),  # 'more than' bounds a figure
        ("how many women did each city train?", "en", False),
    ],
)
def test_a_question_asking_which_has_more(question, lang, compares):
    assert asks_comparison(normalize(question), lang) is compares


def test_each_city_of_a_comparison_is_asked_its_figure(catalog):
    query = parse("甲城化解的矛盾纠纷和乙城调解的案件，哪个多？", catalog)
    assert query.compares and query.multi
    assert [(t.city, t.query.qtype) for t in targets(query, catalog)] == [("甲城", "numeric"), ("乙城", "numeric")]
    who = parse("甲城和乙城谁化解的纠纷多？", catalog)  # 谁 asks which city, not a person
    assert [(t.query.qtype, t.query.asks_person) for t in targets(who, catalog)] == [("numeric", False)] * 2
    single = parse("甲城和乙城是否都化解了纠纷？", catalog)
    assert not single.compares  # a yes/no question is no comparison
    money = parse(
        "Compare the loan money Jiacheng secured for women with the total of new small loans Yicheng issued. "
        "Which is larger?", catalog
    )
    assert money.unit == "元" and [t.query.unit for t in targets(money, catalog)] == ["元", "元"]  # one measure
    relief = parse("Jiacheng paid 2.31 million yuan in relief money; how many women benefited?", catalog)
    assert relief.unit == "人"  # money named, people counted


def _draft(doc: str, sentence: str, figure: str | None) -> Draft:
    chunk = StoredChunk(doc + "#0", sentence, ChunkMeta(doc=doc, city="", start=0, end=len(sentence)))
    cand = Candidate(Hit(chunk, 1.0), 0, 0, len(sentence), sentence)
    fig = next((f for f in find_figures(sentence) if f.text == figure), None)
    return Draft(f"{figure} —— {sentence}[{{n0}}]", True, [cand], 1.0, figure=fig)


def _answer(catalog: Catalog, question: str, drafts: list[Draft]) -> str:
    query = parse(question, catalog)
    plan = QuestionPlan(question, query, targets(query, catalog), 5)
    retrievals = [Retrieval([], ["a.txt", "b.txt"]) for _ in plan.targets]
    return compose(plan, retrievals, drafts, None).answer


def test_the_answer_says_which_is_more_from_the_figures_it_cites(catalog):
    question = "甲城化解的矛盾纠纷和乙城调解的案件，哪个多？"
    drafts = [_draft("a.txt", "化解矛盾纠纷765起。", "765起"), _draft("b.txt", "调解案件400余起。", "400余起")]
    answer = _answer(catalog, question, drafts)
    assert answer.splitlines()[-1] == "甲城(765起)多于乙城(400余起)。"
    swapped = _answer(catalog, "乙城调解的案件和甲城化解的矛盾纠纷，哪个多？", drafts[::-1])
    assert swapped.splitlines()[-1] == "甲城(765起)多于乙城(400余起)。"  # the larger is named first


def test_no_verdict_across_units_or_without_two_figures(catalog):
    question = "甲城化解的矛盾纠纷和乙城培训的妇女，哪个多？"
    drafts = [_draft("a.txt", "化解矛盾纠纷765起。", "765起"), _draft("b.txt", "培训妇女3000人。", "3000人")]
    assert "多于" not in _answer(catalog, question, drafts)  # cases are not people
    drafts[1] = Draft("", False)
    answer = _answer(catalog, question, drafts)
    assert "多于" not in answer and "765起" in answer
