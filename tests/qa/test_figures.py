"""Figures: found with units as written; grounding check."""

from __future__ import annotations

from qa.figures import as_written, figure_keys, find_figures, ungrounded


def test_figures_keep_units_as_written():
    text = "发放宣传品59万余册(张),投入20余万元,占比19.8%,培训3426人,服务5.6万人次,2020年1月。"
    found = [f.text for f in find_figures(text) if not f.is_year]
    assert found == ["59万余册(张)", "20余万元", "19.8%", "3426人", "5.6万人次"]


def test_figure_keys_normalise_magnitudes_and_separators():
    assert "15000" in figure_keys("1.5万人")
    assert "3426" in figure_keys("3,426人")


def test_grounding_rejects_a_figure_absent_from_citations():
    passages = ["全年共培训“陇原巧手”3426人,完成年计划的107.06%。"]
    assert ungrounded("3426人 —— 全年共培训3426人。[1]", passages) == []
    assert ungrounded("共培训5000人[1]", passages) == ["5000人"]
    assert ungrounded("完成107.06%[1]", passages) == []
    assert ungrounded("约1.5万人", ["共15000人"]) == []


def test_a_span_of_time_written_in_parts_is_one_figure():
    figures = find_figures("2分45秒卖出8000瓶,用时1小时20分钟,为期30分钟")
    assert [(f.text, f.value, f.unit) for f in figures] == [
        ("2分45秒", 165.0, "秒"), ("8000瓶", 8000.0, "瓶"), ("1小时20分钟", 4800.0, "秒"), ("30分钟", 30.0, "分钟")
    ]


def test_a_heading_or_list_number_is_no_figure():
    assert [f.text for f in find_figures("3、“读书月”活动引导妇女。(2)开展讲座12场;1.抓好宣传")] == ["12场"]
    assert [f.text for f in find_figures("共3.5万人,增加3、4个")] == ["3.5万人", "3", "4个"]


def test_the_longest_unit_written_is_the_figures_unit():
    text = "接待来信来访来电287件次,开展活动30批次,宣传报道98篇次,增长3个百分点。"
    assert [f.text for f in find_figures(text)] == ["287件次", "30批次", "98篇次", "3个百分点"]


def test_a_figure_is_stated_with_the_word_that_bounds_it():
    def stated(sentence: str) -> str:
        return as_written(sentence, next(f for f in find_figures(sentence) if not f.is_year))

    assert stated("心理援助志愿者近100名。") == "近100名"
    assert stated("直播观看量超200万,约3000人参加。") == "超200万"
    assert stated("集体签约35家社会组织。") == "35家"  # the 约 of 签约 bounds nothing
