"""Chunking: exact offsets, whole sentences, headings, no cut numbers or quoted names."""

from __future__ import annotations

import re

import pytest

from core.sentences import split_sentences
from index.chunk import chunk_report, heading_level
from tests.conftest import SEEDS

REPORTS = sorted(SEEDS.glob("*.txt"))


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_offsets_are_exact_and_sentences_whole(path):
    text = path.read_text(encoding="utf-8")
    chunks = chunk_report(path.name, text, "sha", size=260, overlap=60)
    assert chunks
    starts = {s.start for s in split_sentences(text)}
    ends = {s.end for s in split_sentences(text)}
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        # a chunk starts where a sentence starts, or after a clause mark of an over-long sentence
        assert chunk.start in starts or text[chunk.start - 1] in ",，、:：;；", (
            f"chunk {chunk.index} starts mid-sentence"
        )
        # a chunk ends where a sentence ends, or at a clause mark of an over-long sentence
        assert chunk.end in ends or text[chunk.end - 1] in ",，、:：;；", chunk.text[-20:]
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    content = {i for i, ch in enumerate(text) if not ch.isspace()}
    assert len(content - covered) <= 2  # every character of the report is in some chunk


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_no_number_or_quoted_name_is_cut(path):
    text = path.read_text(encoding="utf-8")
    for chunk in chunk_report(path.name, text, "sha"):
        for edge in (chunk.start, chunk.end):
            if 0 < edge < len(text):
                assert not (text[edge - 1].isdigit() and text[edge].isdigit())
        assert chunk.text.count("“") == chunk.text.count("”") or "\n" in chunk.text


def test_sentence_split_respects_quotes():
    text = "开展“美丽庭院。示范户”评选,共评出120户。第二句!"
    spans = [text[s.start : s.end] for s in split_sentences(text)]
    assert spans == ["开展“美丽庭院。示范户”评选,共评出120户。", "第二句!"]


def test_headings_and_section_paths():
    text = (
        "一、精准扶贫工作成效显著\n\n1、让“陇原巧手”真正干起来。\n\n全年共培训“陇原巧手”3426人。\n\n"
        "2、让“陇原妹”切实走出去。\n\n组织输转陇原妹21256人。\n二、妇女维权工作亮点纷呈\n一是加强宣传。开展活动12场。"
    )
    chunks = chunk_report("t.txt", text, "sha")
    paths = [c.section for c in chunks]
    assert paths[0] == ["一、精准扶贫工作成效显著", "1、让“陇原巧手”真正干起来。"]
    assert paths[1] == ["一、精准扶贫工作成效显著", "2、让“陇原妹”切实走出去。"]
    assert paths[2] == ["二、妇女维权工作亮点纷呈", "一是加强宣传。"]
    assert "3426人" in chunks[0].text


def test_heading_levels():
    text = "（三）强化服务\n2. 推动学习。\n一是稳固防线。\n巾帼专项行动\n记者 张三 通讯员 李四\n"
    levels = [heading_level(text, s) for s in split_sentences(text)]
    assert levels == [2, 3, 4, 1, 0]


def test_long_sentence_split_at_clauses_within_budget():
    text = "。".join(["全市" + ",".join(f"开展活动{i}场" for i in range(40))]) + "。"
    chunks = chunk_report("long.txt", text, "sha", size=120, overlap=0)
    assert len(chunks) > 2
    assert all(len(c.text) <= 130 for c in chunks)
    assert all(not re.search(r"\d$", c.text) or c.end == len(text) or not text[c.end].isdigit() for c in chunks)


def test_chunk_ids_are_content_hashes():
    text = REPORTS[0].read_text(encoding="utf-8")
    a = chunk_report("a.txt", text, "sha1")
    b = chunk_report("a.txt", text, "sha1")
    c = chunk_report("a.txt", text, "sha2")
    assert [x.id for x in a] == [x.id for x in b]
    assert {x.id for x in a}.isdisjoint({x.id for x in c})
    assert len({x.id for x in a}) == len(a)
