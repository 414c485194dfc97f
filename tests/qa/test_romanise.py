"""Pinyin spellings of the reports' quoted names, and their table kept beside the lexical index."""

from __future__ import annotations

from qa.romanise import TableFile, romanised, spellings


def test_a_name_spelt_in_pinyin_is_found_in_an_english_question():
    table = spellings(["陇原巧手", "稻花香读书会", "小海星"])
    assert romanised("how much loan money went to longyuan qiaoshou craftswomen?", table) == {
        "longyuan qiaoshou": ("陇原巧手",)
    }
    assert romanised("how many 'daohuaxiang' reading clubs are there?", table) == {"daohuaxiang": ("稻花香",)}
    assert romanised("how many women were trained?", table) == {}  # ordinary words spell nothing


def test_a_two_character_place_is_spelt_and_a_short_spelling_is_not():
    table = spellings(["芦淞", "义乌", "小海星"])
    assert romanised("how many people did the lusong market training serve?", table) == {"lusong": ("芦淞",)}
    assert "yiwu" not in table  # four letters match ordinary words too often
    assert table["xiaohai"] == ["小海"]  # a name's two-character opening


def test_the_table_is_kept_and_rebuilt_only_when_the_index_changes(tmp_path):
    version = [1]
    asked: list[int] = []

    def names() -> list[str]:
        asked.append(version[0])
        return ["陇原巧手"] if version[0] == 1 else ["小海星"]

    first = TableFile(tmp_path, lambda: version[0], names)
    assert "longyuanqiaoshou" in first.table() and asked == [1]
    again = TableFile(tmp_path, lambda: version[0], names)  # another process: reads the file, no rebuild
    assert "longyuanqiaoshou" in again.table() and asked == [1]
    version[0] = 2
    assert "xiaohaixing" in again.table() and "longyuanqiaoshou" not in again.table() and asked == [1, 2]


def test_a_place_word_after_a_name_is_its_last_syllable():
    table = spellings(["甘谷县", "清水县"])
    assert romanised("did they set up a station in gangu county?", table) == {"gangu county": ("甘谷县",)}
