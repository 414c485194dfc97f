"""English words → the reports' Chinese words through CC-CEDICT, and what English questions do with them."""

from __future__ import annotations

import pytest

from qa import bilingual
from qa.evidence import best_figure
from qa.focus import focus_of
from qa.query import Catalog, expected_unit, parse
from qa.spans import english_types, find_span

REPORT = "为65户困难家庭和263名婴儿发放奶粉195箱。围绕“一米高度看城市”视角,坚持“软硬兼施”两个标准。联合人社等相关部门。"
CATALOG = Catalog(cities={"甲城": ["a.txt"]}, corpus_text=REPORT)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FQA_DATA_DIR", str(tmp_path))
    from core.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.setattr(bilingual, "_table", None)
    yield
    get_settings.cache_clear()


def test_the_dictionary_is_read_backwards_and_kept_on_disk(tmp_path):
    assert "视角" in bilingual.lookup("viewpoint")
    assert bilingual.lookup("person-times") == ["人次"]
    assert "培训" in bilingual.lookup("train")  # 「to train」 is read as train
    assert (tmp_path / "cache" / bilingual.TABLE_FILE).is_file()
    assert bilingual.lookup("no-such-word-here") == []


def test_a_sense_the_dictionary_lacks_comes_first():
    assert bilingual.lookup("waste")[0] == "垃圾"  # CC-CEDICT's 垃圾 is 'trash, garbage', not 'waste'
    assert bilingual.lookup("column")[:2] == ["专栏", "栏目"]
    found = bilingual.glosses("a feature on left-behind girls", lambda w: w in "关爱留守女童专题")
    assert found["left-behind"] == ("留守",)  # a hyphenated sense is kept whole, not looked up word by word
    assert bilingual.lookup("third prizes") == ["三等奖"]  # a prize's grade


def test_an_english_questions_bm25_looks_for_the_first_gloss_of_each_word():
    from core.text import tokens
    from qa.retrieve import lexical_terms

    report = "开展垃圾分类培训123场。开展浪费调查。"
    query = parse("How many waste-sorting trainings did Jiacheng run?", Catalog(cities={"甲城": ["a.txt"]},
                                                                          corpus_text=report))
    terms = lexical_terms(query)
    assert "垃圾" in terms and "分类" in terms and "浪费" not in terms  # the looser sense is left out
    assert "讲座" in lexical_terms(parse("How many lectures did Jiacheng hold?", CATALOG))  # the domain's word
    chinese = parse("甲城开展了多少场培训？", CATALOG)
    assert lexical_terms(chinese) == tokens(chinese.norm)  # a Chinese question: its own words


def test_glosses_keep_only_words_the_caller_accepts():
    found = bilingual.glosses("From what viewpoint does it look at the city?", lambda w: w in REPORT)
    assert found == {"viewpoint": ("视角",)}  # 观点 and the others are not in the report; stop words have none


def test_a_plural_is_also_read_by_its_base_form():
    report = "提供咨询500人次,心理辅导20场,她们参加。"
    found = bilingual.glosses("How many counselling consultations on themed days?", lambda w: w in report)
    assert "咨询" in found["consultations"]  # the plural's own entry (磋商) misses the singular's 咨询
    assert "辅导" in found["counselling"]  # the doubled consonant of a British spelling
    assert "themed" not in found  # 「them」 is no base form of 「themed」


def test_a_british_spelling_is_also_read_the_american_way():
    from qa.bilingual import _american

    assert _american("organisations") == "organizations"
    assert _american("honours") == "honors" and _american("centre") == "center"
    assert _american("programmes") == "programs" and _american("counselled") == "counseled"
    assert _american("women") == "women" and _american("rise") == "rise"
    report = "签约35家社会组织。"
    found = bilingual.glosses("How many social organisations signed up?", lambda w: w in report)
    assert "组织" in found["organisations"]


def test_a_hyphenated_word_without_an_entry_is_read_word_by_word():
    report = "全市共有市级团体会员14个、乡镇(街道)级团体会员53个。"
    found = bilingual.glosses("How many township-level group members are there?", lambda w: w in report)
    assert "乡镇" in found["township"]


def test_an_english_question_carries_the_reports_words():
    query = parse("From what viewpoint does Jiacheng look at the city?", CATALOG)
    assert "视角" in query.glosses.get("viewpoint", ())


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("how many cases of milk powder were given out", "箱"),
        ("how many local women-run businesses exhibited at the expo", "家"),  # the head noun, not 「women」
        ("how many women attended lectures", "人"),  # the counted phrase ends where its verb starts
        ("how many person-times of free services were offered", "人次"),
        ("how many anti-abduction drills did the city stage", "次"),  # events
        ("how many county federation chairs became livestream hosts", "人"),
        ("how many marriage disputes did the mediators handle", "件"),
        ("how many on-site study and observation sessions did the city organise for women", "次"),  # a long phrase
        ("how many women's agricultural demonstration bases joined the drive", "个"),  # 「women's」 modifies
        ("how many products did the federation promote online for women", ""),  # no unit known: not people
        ("how many special themed outreach talks has the federation given", "次"),  # 「themed」 is no verb
        ("how many couples were reconciled", "对"),
        ("how many enterprise-service officers does the federation have", "人"),  # role nouns are people
        ("how many specialists were hired", "人"),
        ("how many committees were set up", ""),  # not a person
        ("how many times (person-times) were children funded", "人次"),  # a short parenthesis names the unit
        ("how many problems (recruitment, training and the like) were solved", "个"),  # a long one lists examples
        ("how many mothers' classrooms does the city have", "所"),  # an owner is not what is counted
        ("how many 'sisters help groups' were set up", "个"),  # a closing quote mark is no owner's
    ],
)
def test_the_english_counted_noun_gives_the_unit(question, unit):
    assert expected_unit(question, "en") == unit


def test_a_measure_word_counts_the_thing_after_of():
    query = parse("How many cases of milk powder did Jiacheng give out?", CATALOG)
    assert "奶粉" in focus_of(query).thing
    fig, _ = best_figure(query, "为65户困难家庭和263名婴儿发放奶粉195箱。", {}, focus_of(query))
    assert fig is not None and fig.text == "195箱"
    catalog = Catalog(cities={"甲城": ["a.txt"]}, corpus_text=REPORT + "组织创建宣讲200余场次,面对面指导教学303余期。")
    query = parse("How many sessions of hands-on, face-to-face guidance did Jiacheng organise?", catalog)
    assert "指导" in focus_of(query).thing  # the words after 「of」 are counted, past a comma
    fig, _ = best_figure(query, "组织创建宣讲200余场次,面对面指导教学303余期。", {}, focus_of(query))
    assert fig is not None and fig.text == "303余期"


def test_an_english_name_question_finds_the_name_of_its_type():
    query = parse("From what viewpoint does Jiacheng look at the city?", CATALOG)
    sentence = "围绕“一米高度看城市”视角,坚持“软硬兼施”两个标准。"
    types = english_types(query.norm, query.glosses, [])
    assert find_span("name", query.norm, sentence, [], (), types) == "“一米高度看城市”"


@pytest.mark.parametrize(
    ("question", "claims"),
    [
        ("Did the federation's monthly visits help 10 poor households out of poverty?", ["10户"]),
        ("Did Jiacheng train 3426 women in 2020?", ["3426人"]),  # 2020 is a year, no count
        ("Has Jiacheng run the course for ten years in a row?", ["10年"]),
        ("Is 12338 the hotline's number?", []),  # a number with no counted noun is a name
        ("Did Jiacheng publicise the stories of 100 'Most Beautiful Families'?", ["100户"]),  # a quoted noun counts
        ("Was the team named a 'Top Ten Caring Mothers' collective?", []),  # a title (十佳), no count
    ],
)
def test_english_yes_no_claims_are_written_the_reports_way(question, claims):
    assert parse(question, CATALOG).claim_figures == claims


def test_an_english_quoted_name_is_read_as_the_reports_name():
    catalog = Catalog(cities={"甲城": ["a.txt"]}, corpus_text=REPORT + "启动绿色家庭创建。")
    assert parse("How many 'green families' has the federation created?", catalog).terms == ["绿色家庭"]
    assert parse("How many green families has the federation created?", catalog).terms == []  # not quoted


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("In the mid-term review, did the plans have 96 main indicators?", "yesno"),  # after a leading phrase
        ("Did the city train 50 women?", "yesno"),
        ("In 2020, how many women were trained?", "numeric"),
        ("What, in 2019, did the federation launch?", "entity"),  # a question word in the lead: not yes/no
    ],
)
def test_an_english_yes_no_question_may_open_with_a_phrase(question, qtype):
    from core.text import normalize
    from qa.query import question_type

    assert question_type(normalize(question), "en") == qtype


def test_an_english_name_is_found_in_the_reports_rewording():
    from qa.refusals import _reworded

    assert _reworded("美丽庭院", "到市“最美庭院”夏昭炎家庭颁发奖牌")  # 'most beautiful courtyard'
    assert not _reworded("绿色家庭", "三年来化解各类婚姻家庭纠纷32件")  # 'green families': another thing


def test_the_chinese_name_an_english_question_writes_is_its_counted_thing():
    sentence = "已建有31个“稻花香读书会”和100个“稻花香学习小组”。"
    catalog = Catalog(cities={"甲城": ["a.txt"]}, corpus_text=REPORT + sentence)
    query = parse("How many 'Daohuaxiang' reading clubs (稻花香读书会) has Jiacheng set up?", catalog)
    assert query.unit == "" and focus_of(query).thing[0] == "稻花香读书会"
    fig, _ = best_figure(query, sentence, {}, focus_of(query))
    assert fig is not None and fig.text == "31个"  # the words after 「N个」 are its own, not the next figure's
    sessions = parse("How many 'office classroom' (机关课堂) sessions has Jiacheng organised?", catalog)
    assert sessions.unit == "次"  # a Chinese name in parentheses does not hide the counted noun


def test_a_year_in_one_citys_clause_of_an_english_comparison_is_that_citys():
    from qa.query import city_years

    catalog = Catalog(cities={"东营": ["a.txt"], "天水": ["b.txt"]})
    norm = "how many collectives did dongying name in 2020, and how many posts has tianshui cultivated?"
    assert city_years(norm, "en", catalog) == {"东营": [2020], "天水": []}
    assert city_years("how many women did dongying and tianshui train in 2020?", "en", catalog) == {
        "东营": [2020], "天水": [2020]
    }
    leading = "by the end of 2016, how many women had tianshui helped, and how many did dongying help in its year?"
    assert city_years(leading, "en", catalog) == {"天水": [2016], "东营": []}  # a leading phrase is the next clause's
    both = "by the end of 2016, how many women had tianshui and dongying helped?"
    assert city_years(both, "en", catalog) == {"天水": [2016], "东营": [2016]}
    own = "东营2020年选树了多少名三八红旗手？天水有多少个巾帼文明岗？"  # a year in one city's own question
    assert city_years(own, "zh", catalog) == {"东营": [2020], "天水": []}
    assert city_years("东营和天水2020年分别培训了多少人？", "zh", catalog) == {"东营": [2020], "天水": [2020]}


def test_the_figure_carrying_more_of_an_english_counted_phrase_is_the_answer():
    sentence = "全市共有市级团体会员14个、乡镇(街道)级团体会员53个。"
    catalog = Catalog(cities={"甲城": ["a.txt"]}, corpus_text=REPORT + sentence)
    query = parse("How many township-level group members does Jiacheng have?", catalog)
    fig, _ = best_figure(query, sentence, {}, focus_of(query))
    assert fig is not None and fig.text == "53个"  # 乡镇 and 会员 are both its own; the first figure has 会员 only


def test_a_hyphenated_gloss_names_the_counted_thing_and_the_year_asks_its_total():
    from qa.focus import _focus

    glosses = (("e-commerce", ("电子商务",)), ("halls", ("馆",)))
    focus = _focus("how many e-commerce halls did jiacheng set up during the year?", "en", (), glosses)
    assert "电子商务" in focus.thing and "馆" in focus.thing
    assert focus.total == "全年"


def test_the_word_beside_a_bare_unit_tells_which_people_are_counted():
    from qa.focus import Focus

    sentence = "全年完成“两癌”筛查人数79956人,发放救助金231万元,331人受益。"
    query = parse("How many people benefited from the relief money?", Catalog(cities={"甲城": ["a.txt"]}))
    fig, _ = best_figure(query, sentence, {}, Focus(thing=("人", "受益")))
    assert fig is not None and fig.text == "331人"
