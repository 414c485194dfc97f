"""Rendering answers and conversations (qa.render) from real answers of the seeded service: Markdown with
sources, JSON that round-trips, clean copy text, and the per-city table of a multi-city answer."""

from __future__ import annotations

import json

import pytest

from qa.render import (
    answer_markdown,
    comparison_markdown,
    comparison_rows,
    conversation_json,
    conversation_markdown,
    plain_text,
    source_line,
    turns_from_json,
)

Q = "天水培训了多少陇原巧手"
MULTI = "东营和天水妇联的微信公众号分别发了多少条信息？"
REFUSED = "拉萨妇联培训了多少人?"


@pytest.fixture(scope="module")
def answers(service) -> dict[str, dict]:
    return {q: service.ask(q).to_dict() for q in (Q, MULTI, REFUSED)}


def test_answer_markdown_has_the_answer_and_each_numbered_source(answers):
    answer = answers[Q]
    md = answer_markdown(answer)
    assert answer["question"] in md and "3426" in md
    for c in answer["citations"]:
        assert f"[{c['n']}] " in md and c["doc"] in md
        assert c["evidence"][:20] in md


def test_plain_text_copies_clean_text_with_sources(answers):
    answer = answers[Q]
    text = plain_text(answer)
    assert text.startswith(answer["answer"].strip())
    assert "**" not in text and "`" not in text
    lines = text.splitlines()
    assert "来源:" in lines
    for c in answer["citations"]:
        assert source_line(c) in lines and "[1]" in text


def test_plain_text_strips_markup_an_llm_may_write():
    answer = {"answer": "**3426人** —— 见 `报告` [1]", "found": True, "lang": "en", "citations": []}
    assert plain_text(answer) == "3426人 —— 见 报告 [1]"


def test_multi_city_answer_has_parts_and_renders_a_table(answers):
    answer = answers[MULTI]
    assert answer["found"] and [p["city"] for p in answer["parts"]] == ["东营", "天水"]
    rows = comparison_rows(answer)
    cited = {c["n"]: c for c in answer["citations"]}
    for row in rows:
        assert row.found and row.figure and row.citation_n
        assert all(cited[n]["city"] == row.city for n in row.citation_n)
        digits = "".join(ch for ch in row.figure if ch.isdigit())
        assert digits and any(digits in cited[n]["text"] for n in row.citation_n)  # the figure is in its source
        assert row.figure in answer["answer"]
    table = comparison_markdown(answer).splitlines()
    assert table[0] == "| 城市 | 数字 | 来源 |" and len(table) == 2 + len(rows)
    assert table[2].startswith("| 东营 | ") and table[3].startswith("| 天水 | ")
    assert comparison_markdown(answer) in answer_markdown(answer)


def test_single_city_answers_and_refusals_have_no_table(answers):
    assert comparison_rows(answers[Q]) == [] and comparison_markdown(answers[Q]) == ""
    refused = answers[REFUSED]
    assert not refused["found"] and comparison_markdown(refused) == ""
    assert "未找到答案" in answer_markdown(refused) and "未找到答案" in plain_text(refused)


def test_conversation_markdown_keeps_the_order_and_every_citation(answers):
    convo = [answers[Q], answers[MULTI], answers[REFUSED]]
    md = conversation_markdown(convo, title="测试对话")
    assert md.startswith("# 测试对话\n")
    positions = [md.index(f"## {i}. ") for i in (1, 2, 3)]
    assert positions == sorted(positions)
    for a in convo:
        for c in a["citations"]:
            assert c["doc"] in md


def test_conversation_json_round_trips(answers):
    convo = [answers[Q], answers[MULTI]]
    doc = json.loads(json.dumps(conversation_json(convo), ensure_ascii=False))
    assert doc["version"] == 1 and [t["question"] for t in doc["turns"]] == [Q, MULTI]
    assert turns_from_json(doc) == convo
    with pytest.raises(ValueError, match="not a conversation export"):
        turns_from_json({"turns": [{"question": "x"}]})


def test_markdown_escapes_table_and_emphasis_characters():
    answer = {
        "question": "a|b",
        "answer": "x",
        "found": True,
        "lang": "en",
        "citations": [{"n": 1, "doc": "r|1.txt", "city": "A", "evidence": "5*6 | 7"}],
        "parts": [
            {"city": "A|B", "answer": "12人 —— 5*6 [1]", "found": True, "citation_n": [1]},
            {"city": "C", "answer": "", "found": False, "citation_n": []},
        ],
    }
    table = comparison_markdown(answer).splitlines()
    assert table[0] == "| City | Figure | Source |"
    assert table[2] == "| A\\|B | 12人 | [1] |" and table[3] == "| C | _not in the reports_ | — |"
    assert "r\\|1.txt" in answer_markdown(answer) and "5\\*6 \\| 7" in answer_markdown(answer)
