"""Follow-up condensing: elliptical questions become standalone ones; standalone questions pass through."""

from __future__ import annotations

import pytest

from qa.condense import condense, user_questions

CITIES = {"天水": ["002.txt"], "株洲": ["003.txt"], "东营": ["000.txt"], "昌邑": ["001.txt"], "乐清": ["004.txt"]}
Q = "天水培训了多少陇原巧手"
MESSAGES = [{"role": "user", "content": Q}, {"role": "assistant", "content": "3426人 …[1]"}]
EN = [["How many women did Tianshui train in 2020?", "…"]]


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        ("那株洲呢?", "株洲培训了多少陇原巧手"),
        ("株洲呢", "株洲培训了多少陇原巧手"),
        ("那株洲市的情况呢？", "株洲培训了多少陇原巧手"),
        ("株洲", "株洲培训了多少陇原巧手"),
        ("What about Zhuzhou?", "株洲培训了多少陇原巧手"),
        ("那2021年呢?", "2021年天水培训了多少陇原巧手"),
        ("那北京呢?", "北京培训了多少陇原巧手"),  # not indexed: the service then says so
    ],
)
def test_chinese_follow_ups(follow_up, expected):
    assert condense(follow_up, MESSAGES, CITIES) == expected


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        ("What about Zhuzhou?", "How many women did Zhuzhou train in 2020?"),
        ("and dongying?", "How many women did Dongying train in 2020?"),
        ("And in 2021?", "How many women did Tianshui train in 2021?"),
        ("What about Zhuzhou in 2021?", "How many women did Zhuzhou train in 2021?"),
        ("那株洲呢?", "How many women did Zhuzhou train in 2020?"),
    ],
)
def test_english_follow_ups(follow_up, expected):
    assert condense(follow_up, EN, CITIES) == expected


@pytest.mark.parametrize(
    "question",
    ["东营市妇联开展了哪些活动?", "那为什么呢?", "那培训呢?", "What about the others?", "Is that true?", Q],
)
def test_standalone_or_unclear_questions_are_unchanged(question):
    assert condense(question, MESSAGES, CITIES) == question


def test_no_history_means_unchanged():
    assert condense("那株洲呢?", [], CITIES) == "那株洲呢?"
    assert condense("那株洲呢?", None, CITIES) == "那株洲呢?"


def test_history_formats_and_chained_follow_ups():
    pairs = [[Q, "3426人"], ["那株洲呢?", "…"]]
    blocks = [{"role": "user", "content": [{"type": "text", "text": Q}]}, {"role": "assistant", "content": []}]
    assert user_questions(pairs) == [Q, "那株洲呢?"]
    assert user_questions(blocks) == [Q]
    assert condense("那东营呢?", pairs, CITIES) == "东营培训了多少陇原巧手"
    assert condense("那东营呢?", blocks, list(CITIES)) == "东营培训了多少陇原巧手"


def test_question_without_a_place_gets_one():
    assert condense("那株洲呢?", [["培训了多少陇原巧手?", "…"]], CITIES) == "株洲培训了多少陇原巧手?"
