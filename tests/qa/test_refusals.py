"""Honest refusals: places no report covers however written, years scoped per city, the asked measure or named
thing missing from the evidence. Pure parts on small synthetic catalogues; end to end over the seeded store."""

from __future__ import annotations

import dataclasses

import pytest

from core.text import normalize
from core.types import ChunkMeta, Refusal, StoredChunk
from qa.evidence import Candidate, best_figure
from qa.figures import find_figures
from qa.focus import focus_of
from qa.plan import Options, targets
from qa.query import Catalog, city_years, parse
from qa.refusals import evidence_refusal
from qa.retrieve import Hit

REPORTS = (
    "东营市妇联2020年工作报告。全市妇联在山东省妇联指导下开展工作。合唱团获“北京第十四届国际合唱节”金奖。"
    "开展“最美庭院”评选,创建“最美庭院”3000户。举办招聘会,为2000余名女性求职者牵线搭桥。"
    "天水市妇联2016年工作报告。湖南省第二届巾帼创业大赛。评选“最美家庭”120户。"
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(
        cities={"东营": ["a.txt"], "天水": ["b.txt"]},
        years={"a.txt": {2020}, "b.txt": {2016}},
        doc_city={"a.txt": "东营", "b.txt": "天水"},
        corpus_text=normalize(REPORTS),
    )


@pytest.mark.parametrize(
    "question",
    [
        "北京培训了多少妇女？",
        "北京市妇联培训了多少妇女？",
        "拉萨培训了多少妇女？",
        "拉薩婦聯組建了多少支隊伍？",
        "银川市妇联发放了多少贷款？",
        "山东省妇联表彰了多少个家庭？",
        "How many women did Lhasa train?",
        "How many women did Beijing train in 2020?",
        "How many teams did Yinchuan set up?",
        "How many volunteers are there in Hangzhou City?",
        "What did the Shenzhen Women's Federation do?",
        "Zhengzhou妇联发放了多少笔贷款？",  # pinyin inside a Chinese question
        "How many schools has the Gaomi women's federation helped build?",  # a county-level city no list holds
        "How many women did Anqiu County train?",
    ],
)
def test_places_no_report_covers_are_recognised_however_written(catalog, question):
    query = parse(question, catalog)
    assert query.unknown_places and not query.cities, query


@pytest.mark.parametrize(
    "question",
    [
        "东营培训了多少妇女？",
        "东营市妇联培训了多少妇女？",
        "How many women did Dongying train?",
        "东营获得了多少个山东省级荣誉？",
        "湖南省第二届巾帼创业大赛有多少人参加？",
        "哪个合唱团获得了北京第十四届国际合唱节金奖？",
        "全省有多少个三八红旗集体？",
        "How many trainings were held in Hunan?",
        "How many women in Hunan Province were trained?",
        "What did the Dongying Women's Federation award?",  # a covered city owning its federation
        "How many women did the All-China Women's Federation train in Dongying?",
    ],
)
def test_covered_cities_and_provinces_the_reports_speak_of_are_not_unknown(catalog, question):
    assert parse(question, catalog).unknown_places == []


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("东营2020年和天水2016年各培训了多少人？", {"东营": [2020], "天水": [2016]}),
        ("2016年的东营和2020年的天水各培训了多少人？", {"东营": [2016], "天水": [2020]}),
        ("东营和天水2020年各培训了多少人？", {"东营": [2020], "天水": [2020]}),
        ("How many women did Dongying train in 2020 and Tianshui in 2016?", {"东营": [2020], "天水": [2016]}),
    ],
)
def test_each_year_goes_with_the_city_written_beside_it(catalog, question, years):
    query = parse(question, catalog)
    assert city_years(query.norm, query.lang, catalog) == years
    assert {t.city: t.query.years for t in targets(query, catalog)} == years


def test_a_borrowed_clause_takes_its_own_year(catalog):
    query = parse("东营2020年培训了多少人，天水2016年呢？", catalog)
    second = targets(query, catalog)[1]
    assert second.city == "天水" and second.query.years == [2016] and "2016" in second.query.raw


def _candidate(sentence: str, passage: str = "", section: str = "") -> Candidate:
    text = passage or sentence
    start = text.index(sentence)
    chunk = StoredChunk("c1", text, ChunkMeta(doc="a.txt", city="东营", section=section))
    return Candidate(Hit(chunk, 1.0), 0, start, start + len(sentence), sentence)


def _figured(query, sentence: str) -> Candidate:
    """A one-sentence passage as evidence, with the figure the answerer would choose in it."""
    cand = _candidate(sentence, sentence)
    cand.figure, _ = best_figure(query, sentence, {}, focus_of(query))
    return cand


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("东营妇女儿童活动中心的面积是多少平方米？", "中心设有7个服务中心、11间公益培训室。"),
        ("How many square metres is Dongying's new activity centre?", "中心设有7个服务中心、11间公益培训室。"),
        ("东营两癌筛查的覆盖率是多少？", "全年开展两癌筛查活动12场。"),
        ("东营有多少人参加了家长讲座？", "全年举办家长讲座12场、亲子活动8期。"),
        ("东营一共发放了多少钱的助学金？", "资助困境儿童300人次。"),
        ("东营的招聘会提供了多少个岗位？", "举办招聘会,为2000余名女性求职者牵线搭桥。"),
        ("东营离婚调解的成功率是多少？", "累计参与离婚调解4600余对,调和成功2100余对。"),  # any 「…率」 is a rate
        ("东营志愿服务队累计服务时长有多少小时？", "成立200余人的志愿服务队,结对帮扶困境儿童。"),  # a duration
        ("东营的志愿者每个月上门探望困境儿童几次？", "共资助困境儿童500余人次。"),  # how often, no frequency stated
        ("东营12338维权热线的群众满意率是多少？", "处理12338维权热线125件,办结率100%。"),  # another rate
        ("What was the total sum insured for the medical staff's families?", "为77名援鄂医务人员家庭赠送健康保险。"),
        ("东营参加培训的妇女平均年龄是多少？", "全年培训妇女3000余人。"),  # an age
        ("东营两癌救助金平均每人多少钱？", "发放两癌救助金231万元,331人受益。"),  # an average, totals stated
        ("How much relief money did each woman in Dongying get on average?", "发放两癌救助金231万元,331人受益。"),
        ("How many hours of volunteer service did Dongying's teams give?", "开展维权服务78次。"),  # a duration
        ("What was the average age of the women trained in Dongying?", "全年培训妇女3000余人。"),
        # the digits of a quoted name are no money
        ("How much money did Dongying spend on its venues?", "采取“12445 n”工作措施,建成儿童友好场馆8个。"),
    ],
)
def test_an_absent_measure_is_refused(catalog, question, sentence):
    refusal = evidence_refusal(parse(question, catalog), _candidate(sentence), Options())
    assert refusal is not None and refusal[0] is Refusal.NO_MEASURE, refusal


def test_a_count_is_not_answered_by_a_share(catalog):
    sentence = "全市100%的村有示范户,“美丽庭院”示范户创建比例达到24%。"
    query = parse("东营有多少个村完成了美丽庭院创建验收？", catalog)
    refusal = evidence_refusal(query, _figured(query, sentence), Options())
    assert refusal is not None and refusal[0] is Refusal.NO_MEASURE, refusal
    share = parse("东营美丽庭院示范户的创建比例是多少？", catalog)
    assert evidence_refusal(share, _figured(share, sentence), Options()) is None
    loans = "已为女企业家争取系列贷款0.8亿元。"
    count = parse("How many women's entrepreneurship incubators did Dongying build?", catalog)
    refusal = evidence_refusal(count, _figured(count, loans), Options())
    assert refusal is not None and refusal[0] is Refusal.NO_MEASURE, refusal  # a count is not answered by money
    yuan = parse("How many yuan in loans did Dongying secure for women entrepreneurs?", catalog)
    assert evidence_refusal(yuan, _figured(yuan, loans), Options()) is None  # 'how many yuan' asks money


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("东营有多少人参加了家长讲座？", "全年举办家长讲座12场,近900名家长参加。"),
        ("东营发放了多少贷款？", "发放贷款1.2亿,扶持创业妇女300人。"),
        ("东营两癌筛查的覆盖率是多少？", "两癌筛查覆盖率达到98.5%。"),
        ("东营举办了多少场讲座？", "全年举办家长讲座12场。"),  # no insisted measure: events answer events
        ("东营组建了多少支队伍？", "组建巾帼志愿服务队120支。"),
        ("东营评出了什么？", "评出创业明星10名。"),  # not a count
        ("东营编织大赛二等奖评了几个？", "评出一等奖8名,二等奖16名。"),  # people are what the asked thing counts
        ("东营的志愿者每个月上门探望几次？", "志愿者每月上门探望2次。"),
        ("东营妇女人均每月增收多少？", "带动就业妇女人均月增收1400元。"),  # the average stated
    ],
)
def test_a_stated_measure_or_no_insisted_one_is_not_refused(catalog, question, sentence):
    assert evidence_refusal(parse(question, catalog), _candidate(sentence), Options()) is None


def test_a_near_concept_is_refused_and_the_named_thing_is_answered(catalog):
    passage = "开展“最美庭院”评选,创建“最美庭院”3000户。"
    sentence = "开展“最美庭院”评选,创建“最美庭院”3000户。"
    near = evidence_refusal(parse("东营评选了多少户最美家庭？", catalog), _candidate(sentence, passage), Options())
    assert near is not None and near[0] is Refusal.NO_CONCEPT, near
    same = evidence_refusal(parse("东营创建了多少户最美庭院？", catalog), _candidate(sentence, passage), Options())
    assert same is None


def test_a_counted_thing_with_a_sibling_in_the_passage_is_a_near_concept(catalog):
    passage = "全市共建成儿童友好场馆12个,儿童之家300个。"
    near = evidence_refusal(parse("东营建成了几个儿童友好图书馆？", catalog), _candidate(passage, passage), Options())
    assert near is not None and near[0] is Refusal.NO_CONCEPT and "儿童友好场馆" in near[1], near
    same = evidence_refusal(parse("东营建成了几个儿童友好场馆？", catalog), _candidate(passage, passage), Options())
    assert same is None
    # no sibling, but the figure's clause shares nothing with the asked name: it counts something else
    other = "腾空1000平方米打造公益广场,取消收费项目7个,打造学生校外实践学校阵地。"
    query = parse("东营有几所儿童友好学校？", catalog)
    near = evidence_refusal(query, _figured(query, other), Options())
    assert near is not None and near[0] is Refusal.NO_CONCEPT, near
    named = "建成儿童友好示范学校7所,打造校外实践阵地。"
    assert evidence_refusal(query, _figured(query, named), Options()) is None  # the clause names it in other words
    # a counted phrase with a verb in it is no name: its words are matched elsewhere, not refused here
    verb = evidence_refusal(parse("东营有多少儿童之家建成了？", catalog), _candidate(passage, passage), Options())
    assert verb is None


def test_a_level_is_no_part_of_the_counted_things_name(catalog):
    passage = "2020年,国家级宣传报道18篇次,省级宣传报道98篇次。"
    query = parse("东营省级媒体报道了多少篇次？", catalog)  # 省级 says which level, 媒体报道 what is counted
    assert evidence_refusal(query, _figured(query, passage), Options()) is None
    honoured = "推荐刘家获评全国最美家庭、汲家获评山东省最美家庭。"
    query = parse("东营哪户家庭获评了全国文明家庭？", catalog)  # the level of an awarded title is the title's own
    near = evidence_refusal(query, _candidate(honoured, honoured), Options())
    assert near is not None and near[0] is Refusal.NO_CONCEPT, near


@pytest.mark.parametrize(
    ("question", "sentence", "refused"),
    [
        ("东营培训了多少人？", "全年完成“两癌”筛查人数79956人,331人受益。", True),  # another action's count
        ("东营筛查了多少人？", "全年完成“两癌”筛查人数79956人,331人受益。", False),
        ("东营评出了多少户最美家庭？", "评选出最美家庭120户。", False),  # the action's characters, another wording
        ("东营有多少个妇女之家？", "建成妇女之家292个。", False),  # 有: no particular action
        ("东营开展了多少场讲座？", "举办讲座12场。", False),  # a light verb asks for no particular action
        ("东营拿到了多少政府补助？", "获政府补助20余万元。", False),  # 拿到, 找到: getting, no particular action
        ("东营捐赠或募集了多少钱的物资？", "捐赠防疫物资折合117.99万元。", False),  # either joined verb will do
        ("东营开出了多少份告诫书？", "全年开具反家暴告诫书45份。", False),  # 开出 said as 开具: its verb is 开
        ("东营拿下了几个二等奖？", "获4个二等奖、2个三等奖。", False),  # 拿下 is said 获: a verb of its kin
        ("东营对接了多少名女性求职者？", "为2000余名女性求职者牵线搭桥。", False),  # the very thing counted, reworded
        ("东营培训了多少名女性求职者？", "为2000余名求职者牵线搭桥。", True),
        ("东营评出了多少个优秀项目？", "选树优秀项目30家。", False),  # 评出 is said 选树
    ],
)
def test_the_counted_action_must_be_the_asked_one(catalog, question, sentence, refused):
    refusal = evidence_refusal(parse(question, catalog), _candidate(sentence), Options())
    assert (refusal is not None and refusal[0] is Refusal.NO_CONCEPT) if refused else refusal is None, refusal


def test_the_named_thing_may_stand_in_the_heading(catalog):
    cand = _candidate("评选120户。", section="三、“最美家庭”评选")
    assert evidence_refusal(parse("天水评选了多少户最美家庭？", catalog), cand, Options()) is None


def test_measure_switch_turns_both_checks_off(catalog):
    query = parse("东营妇女儿童活动中心的面积是多少平方米？", catalog)
    assert evidence_refusal(query, _candidate("中心设有7个服务中心。"), Options(measure=False)) is None
    query = dataclasses.replace(parse("东营评选了多少户最美家庭？", catalog))
    assert evidence_refusal(query, _candidate("创建“最美庭院”3000户。"), Options(measure=False)) is None


# End to end over the seeded store.


@pytest.mark.parametrize(
    "question",
    ["北京培训了多少妇女？", "拉萨妇联组建了多少支巾帼志愿者队伍？", "How many women did Lhasa train?"],
)
def test_unknown_places_are_refused_end_to_end(service, question):
    ans = service.ask(question)
    assert not ans.found and ans.refusal is Refusal.UNKNOWN_PLACE, ans.answer
    assert ans.citations  # the closest passages are still listed


def test_unknown_place_refusal_follows_the_place_filter_switch(service):
    ans = service.ask("How many women did Lhasa train?", options=Options(place_filter=False))
    assert ans.refusal is not Refusal.UNKNOWN_PLACE


def test_square_metres_are_not_answered_with_a_count(service):
    question = "How many square metres is Zhuzhou's new women and children's activity centre?"
    ans = service.ask(question)
    assert not ans.found, ans.answer
    assert service.ask(question, options=Options(measure=False)).found  # the ablation answers it


def test_a_near_concept_is_refused_end_to_end(service):
    ans = service.ask("株洲评选了多少户最美家庭？")
    assert not ans.found and ans.refusal is Refusal.NO_CONCEPT, ans.answer
    assert service.ask("株洲一共创建了多少户最美庭院？").found


def test_years_are_scoped_per_city_end_to_end(service):
    right = service.ask("东营2020年和天水2016年的妇联公众号分别发了多少条信息？")
    assert right.found and "5204" in right.answer and "1153" in right.answer, right.answer
    swapped = service.ask("东营2016年和天水2020年的妇联公众号分别发了多少条信息？")
    assert not swapped.found and swapped.refusal is Refusal.UNCOVERED_YEAR, swapped.answer
    one = service.ask("东营2020年和天水2022年的妇联公众号分别发了多少条信息？")
    assert one.found and "5204" in one.answer and "1153" not in one.answer, one.answer
    anywhere = service.ask("How many women were trained in 2015?")  # no city named: the year alone
    assert not anywhere.found and anywhere.refusal is Refusal.UNCOVERED_YEAR, anywhere.answer
    assert anywhere.answer.startswith("The reports do not cover 2015 ("), anywhere.answer


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        # a quoted long name: a passage name opening with its first three characters is a near one
        ("东营评选了多少名“十佳好媳妇”？", "评选十佳好军嫂、十佳兵妈妈各10名。"),
        # the title a question says was awarded, beside a sibling title in the passage
        ("东营哪户家庭获评了全国文明家庭？", "推荐王某家庭获评全国最美家庭、李某家庭获评山东省最美家庭。"),
        # a name the question quotes itself, or writes in Chinese inside English, must be in the evidence
        ("东营评选了多少户“五好家庭”？", "创建市县乡村四级“最美庭院”达31.28万户。"),
        ("How many Women's Micro-Homes (妇女微家) has Dongying set up?", "共开展特色宣讲128场次,覆盖妇女1.5万余人。"),
        # a counted name opening with an attributive word (巾帼, tagged b) is a name too
        ("东营培育了多少个巾帼文明村", "全市共培育巾帼文明岗184个,巾帼示范村90个。"),
    ],
)
def test_near_names_and_titles_are_refused(catalog, question, passage):
    near = evidence_refusal(parse(question, catalog), _candidate(passage, passage), Options())
    assert near is not None and near[0] is Refusal.NO_CONCEPT, near


def test_the_awarded_title_itself_is_answered(catalog):
    passage = "推荐王某家庭获评全国最美家庭、李某家庭获评山东省最美家庭。"
    query = parse("东营哪户家庭获评了全国最美家庭？", catalog)
    assert evidence_refusal(query, _candidate(passage, passage), Options()) is None


def test_a_quoted_question_word_names_nothing(catalog):
    passage = "组织“开展一次卫生大清扫”等“六个一”活动。"
    query = parse("东营组织的是“几个一”活动？", catalog)
    refusal = evidence_refusal(query, _candidate(passage, passage), Options())
    assert refusal is None or "几个一" not in refusal[1]


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("东营全年开具了多少份人身保护令？", True),  # listed beside 告诫书, which the figure counts
        ("东营全年开具了多少份反家暴告诫书？", False),
    ],
)
def test_a_thing_only_listed_beside_the_counted_one_is_not_counted(catalog, question, refused):
    sentence = "完善反家暴告诫书、人身保护令等,全年开具反家暴告诫书45份。"
    query = parse(question, catalog)
    figure = next(f for f in find_figures(sentence) if f.text == "45份")
    cand = dataclasses.replace(_candidate(sentence), figure=figure)
    refusal = evidence_refusal(query, cand, Options())
    assert (refusal is not None and refusal[0] is Refusal.NO_CONCEPT) if refused else refusal is None, refusal


def test_a_run_after_its_figure_is_what_the_figure_counts(catalog):
    sentence = "内含家庭学院等11间公益培训室、沙龙室、活动室。"
    figure = next(f for f in find_figures(sentence) if f.text == "11间")
    cand = dataclasses.replace(_candidate(sentence), figure=figure)
    assert evidence_refusal(parse("东营有多少间活动室？", catalog), cand, Options()) is None


def test_a_role_asked_where_the_passage_has_only_the_place_is_a_near_concept(catalog):
    passage = "持续运行“小海星”心理咨询室,提供咨询500人次。"
    cand = _candidate(passage, passage)
    near = evidence_refusal(parse("东营心理咨询室配了几名专职心理咨询师？", catalog), cand, Options())
    assert near is not None and near[0] is Refusal.NO_CONCEPT and "咨询室" in near[1], near


def test_a_covered_city_written_in_pinyin_in_a_chinese_question_is_that_city(catalog):
    query = parse("Tianshui妇联评选了多少户最美家庭？", catalog)
    assert query.cities == ["天水"] and not query.unknown_places, query


def test_an_english_count_whose_figure_is_written_with_none_of_the_asked_words_is_refused(catalog):
    query = parse("How many pregnant women received free gene screening in Dongying?", catalog)
    query = dataclasses.replace(query, glosses={"pregnant": ("孕妇",), "free": ("免费",), "screening": ("筛查",)})
    other = "推进月嫂和养老护理培训活动,全年共培训妇女3000余人,获政府补助20余万元。"
    refused = evidence_refusal(query, _figured(query, other), Options())
    assert refused is not None and refused[0] is Refusal.NO_CONCEPT, refused
    asked = "开展产前筛查,全年为孕妇免费筛查3000余人。"
    assert evidence_refusal(query, _figured(query, asked), Options()) is None


def test_an_english_rate_is_the_rate_it_names():
    report = "处理维权热线125件,办结率100%。群众满意率98%。"
    catalog = Catalog(cities={"东营": ["a.txt"]}, doc_city={"a.txt": "东营"}, corpus_text=normalize(report))
    query = parse("What was the satisfaction rate of Dongying's hotline?", catalog)
    other = evidence_refusal(query, _figured(query, "处理维权热线125件,办结率100%。"), Options())
    assert other is not None and other[0] is Refusal.NO_MEASURE, other
    assert evidence_refusal(query, _figured(query, "群众满意率98%。"), Options()) is None
