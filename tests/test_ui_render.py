"""The web UI's pure parts: answer messages (linked [n], sources beside the answer, comparison table, clean
copy text), the words in both languages, and the browser scripts' settings — no server, no browser."""

from __future__ import annotations

import html
import re

import pytest

import ui_text
from ui import api_root
from ui_render import answer_message, comparison_table, highlight, linked, sources_html

PASSAGE = "一、精准扶贫\n实施“陇原巧手”培训项目,全年共培训“陇原巧手”3426人,完成年计划的107.06%。"
EVIDENCE = "全年共培训“陇原巧手”3426人"


def citation(n: int, city: str, doc: str, text: str = PASSAGE, evidence: str = EVIDENCE) -> dict:
    lo = text.index(evidence)
    return {"n": n, "doc": doc, "chunk_id": f"c{n}", "text": text, "start": 100 + lo, "end": 100 + lo + len(evidence),
            "score": 1.0, "city": city, "year": 2016, "section": "一、精准扶贫", "passage_start": 100,
            "passage_end": 100 + len(text), "evidence": evidence}


def answer(**extra) -> dict:
    base = {"question": "天水培训了多少陇原巧手", "answer": "3426人 —— 全年共培训“陇原巧手”3426人。[1]", "found": True,
            "citations": [citation(1, "天水", "002.txt")], "lang": "zh", "parts": []}
    return {**base, **extra}


def test_every_known_mark_links_to_its_source_card_and_unknown_marks_stay_text():
    out = linked("见[1]和[2],另见[9]", 3, {1, 2})
    assert '<a class="fqa-ref" href="#fqa-s-3-1">[1]</a>' in out and 'href="#fqa-s-3-2"' in out
    assert "另见[9]" in out


def test_the_message_holds_its_sources_and_clean_copy_text():
    msg = answer_message(answer(), "天水培训了多少陇原巧手", 0, "zh")
    assert 'href="#fqa-s-0-1"' in msg and 'id="fqa-s-0-1"' in msg  # the [1] and the card it opens
    assert f"<mark>{html.escape(EVIDENCE)}</mark>" in msg
    plain = re.search(r'<pre class="fqa-plain" id="fqa-plain-0">(.*?)</pre>', msg)
    assert plain, msg
    text = html.unescape(plain.group(1).replace("&#10;", "\n"))
    assert text.startswith("3426人") and "[1] 天水 2016 · 002.txt" in text
    assert "<" not in text and "**" not in text  # clean text, not markup
    cards = msg.split('<details class="fqa-inline"')[1].split('<div class="fqa-tools">')[0]
    assert "\n" not in cards.strip()  # one line: Markdown never splits the cards


def test_a_followup_says_which_question_was_answered_and_a_refusal_is_a_visible_warning():
    msg = answer_message(answer(), "那天水呢?", 2, "zh")
    assert "按「天水培训了多少陇原巧手」回答" in msg
    refused = answer(found=False, answer="报告中没有找到株洲的相关内容。")
    msg = answer_message(refused, "株洲培训了多少陇原巧手", 0, "en")
    assert "> ⚠️ **No answer found**" in msg and "closest passages" in msg


def test_report_text_cannot_inject_markup():
    bad = answer(answer="<img src=x onerror=alert(1)> **粗** | 表 [1]")
    msg = answer_message(bad, bad["question"], 0, "zh")
    assert "<img" not in msg and "&lt;img" in msg and r"\*\*粗\*\*" in msg and r"\|" in msg


def test_two_cities_make_a_table_of_city_figure_and_source():
    two = answer(
        answer="天水:3426人 —— …[1]\n株洲:报告中没有找到。",
        citations=[citation(1, "天水", "002.txt")],
        parts=[{"city": "天水", "answer": "3426人 —— …[1]", "found": True, "citation_n": [1]},
               {"city": "株洲", "answer": "报告中没有找到。", "found": False, "citation_n": []}],
    )
    table = comparison_table(two, 4, "zh").splitlines()
    assert table[0] == "| 城市 | 数字 | 来源 |"
    assert table[2].startswith("| 天水 | 3426人 | ") and 'href="#fqa-s-4-1"' in table[2] and "002.txt" in table[2]
    assert table[3] == "| 株洲 | *报告中没有找到* | — |"
    assert comparison_table(answer(), 0, "zh") == ""  # one city: no table
    assert '<div class="fqa-table">' in answer_message(two, two["question"], 4, "zh")


def test_the_sources_panel_numbers_its_cards_per_turn():
    panel = sources_html(answer(), 5, "en")
    assert 'id="fqa-p-5-1"' in panel and "Sources (1)" in panel
    assert "fqa-empty" in sources_html(None, 0, "zh")


@pytest.mark.parametrize(("start", "end", "marked"), [(2, 4, True), (0, 0, False), (-5, 999, False)])
def test_highlight_marks_only_a_span_inside_the_passage(start, end, marked):
    c = {"text": "abcdef", "passage_start": 0, "start": start, "end": end}
    assert ("<mark>" in highlight(c)) is marked


def test_both_languages_have_every_phrase_with_the_same_blanks():
    assert ui_text.ZH.keys() == ui_text.EN.keys()
    for key in ui_text.ZH:
        blanks = set(re.findall(r"{(\w+)}", ui_text.ZH[key]))
        assert blanks == set(re.findall(r"{(\w+)}", ui_text.EN[key])), key


def test_messages_follow_the_language_and_known_refusals_are_translated():
    assert ui_text.say("en-US", "busy").startswith("The service is busy")
    assert ui_text.say(None, "busy") == "服务繁忙,请稍后再试。"  # Chinese unless English is asked for
    reason = "x.exe: unsupported file type .exe; use .docx, .md, .pdf, .txt"
    assert ui_text.reason("zh", reason) == "不支持的文件类型 .exe,请上传 .txt、.md、.docx 或 .pdf 文件"
    assert ui_text.reason("en", reason) == reason
    assert ui_text.reason("zh", "something new") == "something new"


def test_the_api_is_found_relative_to_where_the_ui_is_mounted():
    assert api_root("/") == "api/"
    assert api_root("/ui") == "../api/"
    assert api_root("/a/b/") == "../../api/"
