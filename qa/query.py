"""Understand a question: language, normalised text, type, expected unit, cities, years, keywords.

Pure functions over the question plus a ``Catalog`` of what the index holds (cities, years, and a
``Vocabulary`` that answers what the reports' text holds). Leaves out: spelling correction and synonyms beyond
traditional→simplified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from core.text import CJK_RUNS, CN_COUNT, CN_TEN, QUOTED_NAME, YEAR, detect_lang, normalize, tokens
from index.lexindex import QUOTED
from qa.bilingual import glosses, quoted_names
from qa.figures import CN_COUNT_UNITS, EN_ORDINAL_Q, cn_value, find_figures
from qa.places import OWNER_ZH, base, is_province, places_en, places_zh, romanisations
from qa.romanise import romanised, spellings

_QWORDS = (
    "哪一天|哪一个|几月份|为止|多少|几|哪些|哪个|哪里|哪|什么|是否|是不是|有没有|有无|吗|呢|请问|一下|一共|总共|共计|分别|各|如何|怎样|怎么|谁|何时|何|"
    "为何|为什么|吧|呀|啊|么|比较|相比|对比|合计|加起来|哪一年|哪年|什么时候|多大|多久|多长"
)
_STOP = set(
    [
        "的",
        "了",
        "在",
        "和",
        "与",
        "及",
        "或",
        "对",
        "把",
        "被",
        "是",
        "有",
        "为",
        "于",
        "以",
        "等",
        "其",
        "中",
        "上",
        "下",
        "这",
        "那",
        "个",
        "之",
        "也",
        "都",
        "还",
        "并",
        "又",
        "年",
        "市",
        "里",
        "去",
        "过",
        "给",
        "到",
        "从",
        "啊",
        "呀",
        "么",
        "我",
        "你",
        "他",
        "她",
        "们",
        "它",
        "该",
        "此",
        "各",
        "每",
        "全",
        "总",
        "共",
        "多",
        "少",
        "几",
        "吗",
        "呢",
        "吧",
        "妇联",
        "市妇联",
        "妇女联合会",
        "报告",
        "工作",
        "全市",
        "全年",
        "一共",
        "总共",
        "累计",
        "今年",
        "去年",
        "一年",  # 「这一年」, 「当年」: the report's own year, not a word of its text
        "当年",
        "本年",
        "年度",
        "全年",
    ]
)
_UNIT_AFTER = re.compile(
    r"(?:多少|几)\s*(个百分点|人次|户次|场次|万元|亿元|元|人|名|个|户|场|次|期|家|所|册|张|篇|件|项|支|位|对|条|部|本|份|批|座|处|"
    r"间|村|镇|套|幅|首|块|台|辆|亩|天|课时|学时|小时|周|月|岁|类|届|笔|门|轮|组|队|站|点|园|班|节|课|种|钱|倍|起|盒|瓶|包)"
)
_MONEY = re.compile(
    r"资金|总额|金额|多少钱|经费|款|贷款额|销售额|增收|收入|创收|产值|营业额|利润|[金费额](?:分别|各|一共|总共|共|累计)?(?:是|有|为|达到?)?多少"
)
_EN_MONEY = re.compile(
    r"\bhow much\b.*\b(paid|pay|spent|spend|raised|raise|invested|cost|worth|funds?|funding|loans?|claims?|"
    r"subsid\w*|donat\w*|sales|sold|revenue|money|budget|premiums?|grants?|awarded|allocated|insured)\b|"
    r"\b(?:sum|amount) (?:insured|of money|paid|raised)\b|\bwhat (?:amount|sum)\b(?! of (?!money|funds))|"
    r"\b(?:total|annual|combined|overall) (?:sales|revenue|income|turnover|earnings)\b|"
    r"\bwhat (?:was|were|is|are) the (?:[a-z'-]+ ){0,2}?(?:sales|revenue|income|turnover|earnings|budget)\b"
)
# money named as what is compared or asked ('the loan money … with …'), where no count is asked ('how many')
_EN_MONEY_NOUN = re.compile(r"\b(?:loan|prize|relief|aid|grant|subsidy|bonus|award|start-up|startup|seed) money\b")
# unit characters that also start common nouns of the reports (家长, 村民, 户籍, 队员…), with the next characters
_WORD_STARTS = {
    "家": "长庭属政风教", "村": "民居", "户": "籍外", "队": "员伍", "组": "织建员", "班": "子级", "点": "赞击"
}
# 多少/几 before a people noun that ends the counted thing (not 「妇女之家」, an organisation)
_PEOPLE_COUNTED = re.compile(
    r"(?:多少|几)[\u4e00-\u9fff]{0,6}?(?:妇女|女性|儿童|孩子|家长|学生|学员|人员|群众|志愿者|母亲|老人|党员|干部|"
    r"患者|孕产妇|青少年|姐妹|村民|居民|农民|职工|女工)(?=[得被参接受获结在有是了的都,，?？]|$)"
)
_PERCENT = re.compile(r"比例|百分比|百分之|占比|比重|[\u4e00-\u9fff]率(?!先|领)|%|多少成")  # 成功率, 救助率…
_EN_AUX = frozenset({"did", "do", "does", "were", "was", "are", "is", "have", "has", "had", "will", "can", "could"})
# members that are bodies (团体会员), not people: read on the whole counted phrase before its words one by one
_EN_BODIES = re.compile(
    r"\b(?:group|organi[sz]ational|institutional|corporate|unit) members\b|\bmember organi[sz]ations\b"
)
_EN_UNITS = [
    (re.compile(r"\b(percent|percentage|proportion|share|rate|ratio)\b"), "%"),
    (re.compile(r"\bsquare met(er|re)s?\b"), "平方米"),
    (re.compile(r"\bhours\b"), "小时"),  # a duration (「how many hours of service」)
    (re.compile(r"\b(person-times|person times)\b"), "人次"),
    (re.compile(r"\bloans\b"), "笔"),  # 「how many loans」 counts them (「how much loan」 is money: ``_EN_MONEY``)
    (re.compile(r"\b(yuan|rmb|money|funds?|funding|loan)\b"), "元"),
    (re.compile(r"\b(households?|families)\b"), "户"),
    (re.compile(r"\b(couples|pairs)\b"), "对"),
    (
        re.compile(
            r"\b(people|persons?|women|men|participants|volunteers|members|children|trainees|mothers|girls|boys|"
            r"chairs?|chairwomen|leaders|hosts|officials|staff|workers|cadres|nurses|doctors|teachers|students|"
            r"parents|patients|entrepreneurs|residents|villagers|farmers|infants|babies|orphans|"
            r"lawyers|experts|instructors|recipients|beneficiaries|attendees|visitors|officers|commissioners|"
            r"counsell?ors|mediators|directors|coordinators|advis[eo]rs|lecturers|speakers|trainers|mentors|tutors|"
            r"organi[sz]ers|founders|owners|managers|caregivers|helpers|housekeepers|sisters|daughters|elders|"
            r"employees|retirees|nominees|returnees|audiences?|listeners|spectators|holders|winners|pacesetters|"
            r"[a-z]{4,}(?:ists|ians))\b"
        ),
        "人",
    ),
    (
        re.compile(
            r"\b(times|sessions|events|activities|lectures|meetings|classes|trainings?|drills|exercises|"
            r"competitions|contests|shows|performances|workshops|seminars|forums|fairs|salons|broadcasts|talks|"
            r"consultations|visits|inspections)\b"
        ),
        "次",
    ),
    (re.compile(r"\b(cases|boxes|cartons|bottles|packs|packets|packages|bags)\b"), "箱"),
    (re.compile(r"\b(articles|posts|stories|reports)\b"), "篇"),
    (re.compile(r"\b(portions|copies|pieces|items|leaflets|brochures|booklets|pamphlets)\b"), "份"),
    (re.compile(r"\b(businesses|companies|firms|shops|stores|enterprises)\b"), "家"),
    (re.compile(r"\b(problems|issues|difficulties)\b"), "个"),
    (re.compile(r"\b(indicators|targets|tasks|measures|items of work)\b"), "项"),
    (re.compile(r"\b(disputes|conflicts|complaints|petitions|lawsuits)\b"), "件"),
    (re.compile(r"\b(schools|kindergartens|classrooms|academies|colleges)\b"), "所"),
    (
        re.compile(
            r"\b(groups|organi[sz]ations|bases|stations|teams|projects|associations|centers|centres|villages|"
            r"townships|towns|counties|districts|sub-districts|communities)\b"
        ),
        "个",
    ),
]
UNIT_GROUPS = [
    {"人", "名", "人次", "位", "余人", "万人"},
    {"个", "家", "所", "支", "处", "座", "站", "点", "园", "队", "组", "村", "项", "类", "种"},
    {"户", "户次"},
    {"次", "场", "场次", "期", "届", "轮", "节", "课"},
    {"课时", "学时", "小时"},
    {"秒", "分钟", "小时"},  # spans of time (「2分45秒」 is read in 秒)
    {"元", "万元", "亿元", "千元", "钱"},
    {"瓶", "盒", "包", "箱", "袋"},
    {"%", "个百分点", "百分点", "‰"},
    {"册", "张", "份", "本", "篇", "件", "篇次"},
    {"件", "起", "宗", "件次"},  # cases and disputes
    {"岁", "周岁"},  # ages
    {"平方米", "平米", "万平方米", "亩", "公顷"},  # areas
]


class Vocabulary(Protocol):
    """What the reports' text holds, asked without reading it all."""

    def contains(self, text: str) -> bool:
        """Whether some passage's normalised text contains ``text``."""
        ...

    def quoted_in(self, norm: str) -> list[str]:
        """The short names the reports quote (“最美家庭”, 3+ Chinese characters) that ``norm`` writes."""
        ...

    def romanised(self, norm: str) -> dict[str, tuple[str, ...]]:
        """The runs of English words in ``norm`` that spell a quoted name in pinyin, with those names."""
        ...


@dataclass(frozen=True)
class TextVocabulary:
    """A ``Vocabulary`` over one normalised text (small corpora and tests)."""

    text: str

    def contains(self, text: str) -> bool:
        return text in self.text

    def quoted_in(self, norm: str) -> list[str]:
        return [t for t in _quoted_in(self.text) if len(t) >= 3 and CJK_RUNS.fullmatch(t) and t in norm]

    def romanised(self, norm: str) -> dict[str, tuple[str, ...]]:
        names = tuple(_quoted_in(self.text))
        return romanised(norm, _spellings(names)) if names else {}  # no names: pypinyin is not imported


@lru_cache(maxsize=8)
def _spellings(names: tuple[str, ...]) -> dict[str, list[str]]:
    return spellings(names)


@dataclass
class Catalog:
    """What the index holds, for recognising places and years in questions.

    ``vocab`` answers what the reports' text holds (the lexical index); without one, ``corpus_text`` does."""

    cities: dict[str, list[str]] = field(default_factory=dict)  # city → docs
    years: dict[str, set[int]] = field(default_factory=dict)  # doc → {year}
    doc_city: dict[str, str] = field(default_factory=dict)
    corpus_text: str = ""
    vocab: Vocabulary | None = None

    def __post_init__(self) -> None:
        if self.vocab is None:
            self.vocab = TextVocabulary(self.corpus_text)

    @property
    def vocabulary(self) -> Vocabulary:
        assert self.vocab is not None
        return self.vocab

    def city_pinyin(self) -> dict[str, str]:
        return dict(_city_pinyin(tuple(self.cities)))


@lru_cache(maxsize=8)
def _city_pinyin(cities: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(romanisation, city) pairs of a catalogue's cities, computed once per set of cities."""
    return tuple({p: c for c in cities for p in romanisations(c)}.items())


@dataclass
class Query:
    """A parsed question."""

    raw: str
    norm: str
    lang: str  # zh | en
    qtype: str  # numeric | list | yesno | entity
    unit: str = ""
    cities: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    unknown_places: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    claim_figures: list[str] = field(default_factory=list)
    asks_person: bool = False
    terms: list[str] = field(default_factory=list)  # named terms (最美家庭): named_terms, English quoted_names
    glosses: dict[str, tuple[str, ...]] = field(default_factory=dict)  # English word → the reports' Chinese words
    compares: bool = False  # asks which of several has more (``asks_comparison``): each is asked its figure

    @property
    def multi(self) -> bool:
        return len(self.cities) > 1


_NUMERIC_ZH = re.compile(
    r"多少|几[个人名次场期户家项所支位届起件篇条批对座处台套本份张]|几\w{0,2}[?？]?$|比例|百分比|占比|比重|多大|多高|"
    r"多久|多长时间"
)
_DURATION_Q = re.compile(r"\bhow long\b|多长时间|多久|用时多少|用了多少时间|花了多少时间")  # a span of time, in 秒
_AGE_Q = re.compile(  # an age, in 岁 (not 「children aged 3-6」: there children are counted)
    r"年龄|多少岁|几岁|多大年纪|岁数|\bhow old\b|\b(?:average|mean|median) age\b|\bthe age of\b|\bwhat age\b"
)


_EN_BE = r"(?: (?:are|were) the)?"  # 「what are the three …」 asks as 「what three …」 does
DATE_ASKED_ZH = r"哪一?天|几月份?|哪一?个月|什么时候|何时|什么日期|哪一?年(?!度)"  # a Chinese question asking a date
_COUNTED_QUOTE_Q = re.compile(  # 「三个“强化”是什么」, 「四个做法分别是什么」
    r"(?<!第)[两二三四五六七八九十]+(?:(?:大|个|项|类|种|条)?[“「][^”」]{1,8}[”」]|(?:大|个|项|类|种|条|点)"
    r"[\u4e00-\u9fff]{1,6}?)(?:分别)?(?:是什么|指的?是什么|包括什么)"
)


_PUBLISHED = re.compile(r"发布|发表|刊发|刊登|发的讯|\b(?:published|posted|released|put online)\b")
_WHEN = re.compile(rf"{DATE_ASKED_ZH}|几月几[日号]|几号|日期|时间|几点|\bwhen\b|\bwhat (?:date|time|day)\b")


def asks_published(query: Query) -> bool:
    """Whether a question asks when the report (or the article it was saved from) was published: 「发布日期是哪一天」,
    「是2020年3月发布的吗」, 'when was it published' (not 「发布了多少条信息」)."""
    if not _PUBLISHED.search(query.norm):
        return False
    return bool(_WHEN.search(query.norm)) or (query.qtype == "yesno" and bool(re.search(r"\d", query.norm)))


def question_type(norm: str, lang: str) -> str:
    """numeric | list | yesno | entity, from interrogative words (Chinese or English)."""
    if lang == "en":
        # an auxiliary opens the question, or its clause after a leading phrase (「In the review, did…」)
        lead = r"(?:(?![^,?]*\b(?:what|which|who|whom|whose|how|where|when|why)\b)[^,?]{2,100},\s*){0,3}"
        if re.match(rf"^{lead}(did|does|do|is|was|were|are|has|have|had|can|could)\b", norm):
            return "yesno"
        if re.search(
            r"\bhow (many|much|long|old)\b|\bwhat (?:[a-z'-]+ )?(percentage|proportion|share|number|amount|sum|total|"
            r"rate|age)\b|"
            r"\bwhat (?:was|is|were|are) the (?:[a-z'-]+ ){0,5}?(number|rate|amount|total|percentage|proportion|share|"
            r"sum|budget|value|count|sales|revenue|income|turnover|earnings|age)\b",
            norm,
        ) or EN_ORDINAL_Q.search(norm):  # 「which edition」 asks its number (第四届)
            return "numeric"
        if re.search(rf"\b(?:which|what|name the|list the){_EN_BE} (?:two|three|four|five|six|seven|eight|nine|ten)\b",
                     norm):
            return "list"  # "which three campaigns", "what are the three …" ask for as many items as they count
        if re.search(
            rf"\b(which|what){_EN_BE} (\w+ )?(activities|programs|programmes|projects|measures|brands|events|titles|"
            r"campaigns|actions|initiatives|things|services|areas|honou?rs|awards|media|outlets|newspapers|"
            r"platforms|channels)\b|\blist\b",
            norm,
        ):
            return "list"
        return "entity"
    # a quoted name's own words (「将“…是否列席并签到”纳入哪份细则」) ask nothing
    if re.search(r"是不是|是否|有没有|有无|(?<!什么)吗[?？]?$|对不对|对吗", QUOTED_NAME.sub("“”", norm)):
        return "yesno"
    if re.search(r"哪几|哪些|哪[两二三四五六七八九十]+(?:大|个|项|类|种|支|条|方面)?", norm):
        return "list"  # 「哪三个」 asks for as many items as it counts
    if _COUNTED_QUOTE_Q.search(norm):
        return "list"  # 「三个“强化”是什么」: the items the report counts so
    if re.search(DATE_ASKED_ZH, norm):
        return "entity"  # a date is a name of a day (「统计到哪一天为止」, 「是在几月份」), not a count
    if _NUMERIC_ZH.search(norm):
        return "numeric"
    if re.search(r"哪些|有什么|都有|包括|列举|哪几", norm) or re.search(r"分别是(?!.*(?:哪(?!些|几)|什么|谁))", norm):
        return "list"  # 「分别是哪次会议」 asks one name per city, not a list
    return "entity"


_COMPARE_ZH = re.compile(
    r"(?:哪个|哪一个|哪边|哪方|哪家|哪里|谁)([^，,。？?、]{0,10}?)(?:(?:更|比较)?(?:多(?!少)|(?<!多)少|高|低)|更(?:大|小|长))"
)


def compared_ask(norm: str, city: str, cities: list[str]) -> str:
    """A Chinese comparison asked of one city as the count it compares (「株洲和乐清哪个培训的妇女更多」 → 「乐清培训的
    妇女有多少？」), or "" when it is not written so."""
    text = norm
    for c in cities:
        text = text.replace(c, " ")
    m = _COMPARE_ZH.search(text)
    if not m:
        return ""
    text = text[: m.start()] + m.group(1) + text[m.end() :]
    text = re.sub(r"^[\s和与及跟、,，的市县区]+|[\s?？。]+$", "", text)
    text = re.sub(r"\s+", "", text)
    return f"{city}{text}有多少？" if len(text) >= 2 and "多少" not in text else ""
_COMPARE_EN = re.compile(
    r"\bwhich\b[^?]*?\b(?:more|fewer|less|higher|lower|larger|smaller|bigger|greater)\b(?!\s+than\b)"
)


def asks_comparison(norm: str, lang: str) -> bool:
    """Whether a question asks which of the things it names has more or less (「哪个更多」, 「which trained more」;
    not 「more than 30」, not 多少)."""
    return bool((_COMPARE_EN if lang == "en" else _COMPARE_ZH).search(norm))


_EN_FUNCTION = frozenset(
    {"the", "a", "an", "in", "on", "at", "by", "for", "to", "from", "with", "of", "this", "that", "these", "those"}
    | {"its", "their", "her", "his", "during", "since", "last", "so"}
)


_EN_PREPOSITIONS = frozenset({"for", "of", "with", "in", "from", "to", "at", "on", "by", "among", "across"})


def ends_counted_phrase(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` is the verb ending a counted phrase: an auxiliary, or an ``-ed`` word after a noun or
    before a function word (「women attended the」), not an adjective before its noun (「themed talks」)."""
    word = words[i]
    if word in _EN_AUX:
        return True
    if not word.endswith("ed") or i == 0:
        return False
    after = words[i + 1] if i + 1 < len(words) else ""
    before = words[i - 1]
    return not after or after in _EN_FUNCTION or before.endswith("s") or any(p.search(before) for p, _ in _EN_UNITS)


def expected_unit(norm: str, lang: str) -> str:
    if _DURATION_Q.search(norm):
        return "秒"
    if _AGE_Q.search(norm):
        return "岁"
    if lang != "en" and re.search(r"面积|平方米|平米|多大地方", norm):
        return "平方米"  # an area (「有多大面积」)
    if lang == "en":
        if written := next((w for w in CJK_RUNS.findall(norm) if w in _WRITTEN_UNITS), ""):
            return written  # 「counting in 件次」: the question writes the report's unit itself
        if EN_ORDINAL_Q.search(norm):
            return ""  # 「which session of the women's congress」 asks a 第N次, not people
        if _EN_MONEY.search(norm) or (_EN_MONEY_NOUN.search(norm) and not re.search(r"\bhow many\b", norm)):
            return "元"
        # a short parenthesis names the unit (「times (person-times)」); a longer one lists examples, left out
        plain = re.sub(  # (a Chinese name in parentheses is left out too)
            r"\s*\(([^)]*)\)", lambda m: " " + m.group(1) if re.fullmatch(r"[a-z' -]+", m.group(1)) and
            len(m.group(1).split()) <= 2 else "", norm
        )
        head = re.search(r"how (?:many|much) ((?:[a-z'-]+ ?){1,6})", plain)
        words = head.group(1).split() if head else []
        if words[:1] in (["were"], ["was"], ["are"], ["is"]):  # 「how many were housekeeping bases」
            words = words[1:]
        verb = next((i for i in range(len(words)) if ends_counted_phrase(words, i)), len(words))
        # or where a preposition starts what qualifies its noun (「loans for women」, 「person-times of cadres」)
        verb = next((i for i in range(1, verb) if words[i] in _EN_PREPOSITIONS), verb)
        phrase = words[:verb] or words[:1]  # the counted phrase ends where its verb starts (「women attended」)
        # the head noun, last in its phrase, first (「women-run businesses」); a phrase ended by its verb holds the
        # whole counted thing, so a noun elsewhere in the question (「…for women」) does not give the unit
        if _EN_BODIES.search(" ".join(phrase)):
            return "个"
        if phrase[-1:] == ["cases"] and not re.search(r"\bcases of\b", plain):
            return "件"  # cases handled (件), not cases of goods (箱)
        quoted = any(w.startswith("'") for w in phrase)  # 「'sisters help groups'」 closes with its quote mark
        for text in [*reversed(phrase), *([] if 0 < verb < len(words) else [norm])]:
            if text != norm and (text.endswith("'s") or (text.endswith("'") and not quoted)):
                continue  # an owner (「mothers' classrooms」) is not what is counted
            for pattern, unit in _EN_UNITS:
                if pattern.search(text):
                    return unit
        return ""
    if _PERCENT.search(norm):
        return "%"
    m = _UNIT_AFTER.search(norm)
    if m and (nxt := norm[m.end(1) : m.end(1) + 1]) and nxt in _WORD_STARTS.get(m.group(1), ""):
        m = None  # 「多少家长」: 家 starts a word here, it is no unit
    if not m:
        if _MONEY.search(norm):
            return "元"
        return "人" if _PEOPLE_COUNTED.search(norm) else ""  # 「多少贫困妇女得到了救助」 counts people
    unit = m.group(1)
    return "元" if unit in ("钱", "万元", "亿元") else unit


def counted_unit(query: Query) -> str:
    """The unit a numeric question counts in: its expected unit, or the measure word after 几/多少 (「连续几年」),
    or 'how many years' (年)."""
    m = re.search(rf"(?:几|多少)({CN_COUNT_UNITS})", query.norm)
    years = re.search(r"\bhow many years\b", query.norm)
    return query.unit or (m.group(1) if m else "年" if years else "")


_HEADCOUNT = frozenset({"人", "名", "位"})
_WRITTEN_UNITS = frozenset(u for g in UNIT_GROUPS for u in g if len(u) >= 2)  # 人次, 件次, 场次… written in English


def unit_match(expected: str, actual: str) -> float:
    """1 for the same unit, 0.7 for the same family (人/名), 0.3 when nothing was expected, else 0."""
    if not expected:
        return 0.3 if actual else 0.1
    same = any(expected in g and actual in g for g in UNIT_GROUPS)
    grouped = any(expected in g for g in UNIT_GROUPS) and any(actual in g for g in UNIT_GROUPS)
    if expected == actual or (actual.endswith(expected) and len(expected) == 1 and expected != "个" and
                              (same or not grouped)):  # 场次 for 次, not 人次 (people) for 次 (events)
        return 1.0
    if {expected, actual} <= _HEADCOUNT:  # 人, 名 and 位 count people alike (人次 counts visits)
        return 1.0
    return 0.7 if same else 0.0


def keywords(norm: str, exclude: list[str]) -> list[str]:
    """Content words of a question: tokens minus interrogatives, stop words, cities and years."""
    text = re.sub(_QWORDS, " ", norm)
    for word in exclude:
        text = text.replace(word, " ")
    text = YEAR.sub(" ", text)
    text = re.sub(r"[市县区]\s", " ", text)
    out = []
    for t in tokens(text):
        if t in _STOP or (len(t) == 1 and not t.isdigit() and t not in "人户村"):
            continue
        out.append(t)
    return out


def _places(norm: str) -> list[str]:
    """Place names in a Chinese question (``qa.places.places_zh``)."""
    return places_zh(norm)


def _used_as_in_reports(norm: str, place: str, corpus: Vocabulary) -> bool:
    """Whether the question uses ``place`` as the reports do: with the two characters after (or before) it."""
    i = norm.find(place)
    sides = (norm[i : i + len(place) + 2], norm[max(0, i - 2) : i + len(place)])
    return i >= 0 and any(len(s) == len(place) + 2 and CJK_RUNS.fullmatch(s) and corpus.contains(s) for s in sides)


def _unknown_places(norm: str, lang: str, catalog: Catalog) -> list[str]:
    """Places the question names that no indexed report covers.

    A covered city never is. A province is unknown when no report mentions it or it is named as the owner of
    the work (「山东省妇联」). Any other place is unknown unless the question uses it as a report does (「北京第十
    四届…」 in a Chinese question); "Beijing", 「北京」, 「北京市妇联」 alone are."""
    corpus = catalog.vocabulary
    if lang == "zh":
        named = [(p, base(p), bool(re.search(f"{re.escape(base(p))}(?:{OWNER_ZH})", norm))) for p in _places(norm)]
        low = norm.lower()  # 「Zhengzhou妇联」: a place written in pinyin
        for written, name, _ in places_en(low):
            named.append((written.title(), name, bool(re.search(rf"{re.escape(written)}\s*(?:{OWNER_ZH})", low))))
    else:
        named = [(w.title(), name, owner) for w, name, owner in places_en(norm)]
    unknown: list[str] = []
    for written, name, owner in named:
        if not name or any(name in c or c in name for c in catalog.cities):
            continue
        if is_province(name) and not owner and corpus.contains(name):
            continue
        if not owner and lang == "zh" and corpus.contains(name) and _used_as_in_reports(norm, written, corpus):
            continue
        unknown.append(written)
    return sorted(set(unknown))


# a capitalised name that owns a federation or is called a county or city: 「the Gaomi women's federation」
_EN_OWNED = re.compile(
    r"\b([A-Z][a-z]{2,}(?: [A-Z][a-z]{2,})?)(?:'s)? (?:[Ww]omen's [Ff]ederation|County|City|District|Prefecture)\b"
)
_NOT_PLACES = frozenset({
    "The", "This", "That", "Its", "Their", "Which", "What", "How", "Did", "Does", "Was", "Were", "Has", "Have",
    "Provincial", "Municipal", "National", "County", "City", "District", "All", "China", "Chinese", "Each", "Every",
    "Local", "Township", "Village", "Town", "Province",
})


def _unknown_owners(question: str, catalog: Catalog) -> list[str]:
    """Names an English question calls a federation's owner, a county or a city (「the Gaomi women's federation」,
    「Gaomi City」) that spell no covered city; the gazetteer (``places_en``) knows only larger places."""
    covered = {p.replace(" ", "") for p in catalog.city_pinyin()}
    out = []
    for m in _EN_OWNED.finditer(question):
        name = re.sub(r" (?:County|City|District|Prefecture)$", "", m.group(1))  # 「the Yongjia County women's…」
        known = places_en(name.lower())  # a province or city the gazetteer knows is judged there (山东: covered)
        if not set(name.split()) & _NOT_PLACES and name.lower().replace(" ", "") not in covered and not known:
            out.append(name)
    return sorted(set(out))


_QUOTED = QUOTED


@lru_cache(maxsize=4)
def _quoted_in(corpus_text: str) -> frozenset[str]:
    """Every short quoted name in the reports (“最美庭院”, 《家庭教育促进法》)."""
    return frozenset(m.group(1) for m in _QUOTED.finditer(corpus_text))


def named_terms(norm: str, catalog: Catalog) -> list[str]:
    """The named things a Chinese question asks about: the names it quotes, and the names the reports quote
    (“最美家庭”) that it writes, longest first and not inside one another. Leaves out: English questions."""
    if detect_lang(norm) == "en":
        return []
    found = [q for q in _QUOTED.findall(norm) if CJK_RUNS.search(q)]
    found += catalog.vocabulary.quoted_in(norm)
    found = [t for t in found if not any(t in c for c in catalog.cities)]
    found.sort(key=len, reverse=True)
    return [t for i, t in enumerate(found) if not any(t in longer for longer in found[:i])]


def city_mentions(norm: str, lang: str, catalog: Catalog) -> list[tuple[int, str]]:
    """Every mention of a covered city in a question, as (offset, city), in order (English: by romanisation)."""
    found: list[tuple[int, str]] = []
    if lang == "zh":
        for city in catalog.cities:
            found += [(m.start(), city) for m in re.finditer(re.escape(city), norm)] if city else []
    if lang != "zh" or re.search(r"[A-Za-z]{4}", norm):  # 「Tianshui妇联…」: a Chinese question may write it in pinyin
        for py, city in catalog.city_pinyin().items():
            found += [(m.start(), city) for m in re.finditer(rf"(?<![a-z]){py}(?![a-z])", norm.lower())]
    return sorted(set(found))


def _clause_cities(norm: str, at: int, mentions: list[tuple[int, str]]) -> set[str]:
    """The cities named in the clause (between commas or semicolons) holding offset ``at`` — or, for a leading
    clause naming none (「By the end of 2016, how many … Tianshui …」), the clause after it — when that clause names
    one city and another clause names another; else an empty set."""
    bounds = [0, *(m.end() for m in re.finditer(r"[,;?]", norm)), len(norm) + 1]
    lo = max(b for b in bounds if b <= at)
    hi = min(b for b in bounds if b > at)
    inside = {c for p, c in mentions if lo <= p < hi}
    if not inside and lo == 0 and hi <= len(norm):
        lo, hi = hi, min((b for b in bounds if b > hi), default=len(norm) + 1)
        inside = {c for p, c in mentions if lo <= p < hi}
    outside = {c for p, c in mentions if not lo <= p < hi}
    return inside if len(inside) == 1 and outside - inside else set()


def city_years(norm: str, lang: str, catalog: Catalog) -> dict[str, list[int]]:
    """The years a question names, attached to the cities they go with.

    With one distinct year (or none) every city takes them all. With several, each year goes with the city it is
    written beside: the city before it when the question writes years after cities (「东营2020年和天水2016年」),
    the city after it when it writes them before (「2020年的东营和2016年的天水」). Leaves out: years of no city."""
    mentions = city_mentions(norm, lang, catalog)
    years = [(m.start(), int(m.group(1))) for m in YEAR.finditer(norm)]
    cities = list(dict.fromkeys(c for _, c in mentions))
    if len({y for _, y in years}) <= 1 or not mentions:
        if lang == "en" and years and len(cities) > 1 and (own := _clause_cities(norm, years[0][0], mentions)):
            return {c: [y for _, y in years] if c in own else [] for c in cities}  # 「…Dongying … in 2020, and …」
        if lang == "zh" and years and len(cities) > 1 and (own := _sentence_cities(norm, years[0][0], mentions)):
            return {c: [y for _, y in years] if c in own else [] for c in cities}  # 「东营2020年…？昌邑…？」
        return {c: [y for _, y in years] for c in cities}
    before = years[0][0] < mentions[0][0]  # years written before their cities
    out: dict[str, list[int]] = {c: [] for c in cities}
    for pos, year in years:
        if before:
            owner = next((c for p, c in mentions if p > pos), mentions[-1][1])
        else:
            owner = next((c for p, c in reversed(mentions) if p < pos), mentions[0][1])
        out[owner].append(year)
    return out


def _sentence_cities(norm: str, at: int, mentions: list[tuple[int, str]]) -> set[str]:
    """The cities named in the question's sentence holding offset ``at`` when every other city named is asked in
    a sentence of its own (「东营2020年选树了多少名…？昌邑有多少个…？」), else an empty set."""
    bounds = [0, *(m.end() for m in re.finditer(r"[？?；;。！!]", norm)), len(norm) + 1]
    spans = list(zip(bounds, bounds[1:], strict=False))
    home = next(((lo, hi) for lo, hi in spans if lo <= at < hi), None)
    if home is None:
        return set()
    own = {c for p, c in mentions if home[0] <= p < home[1]}
    others = {c for p, c in mentions if not home[0] <= p < home[1]}
    return own if own and others and not own & others else set()


def _without_places(norm: str, catalog: Catalog) -> str:
    """An English question without the romanised names of the cities it mentions (no glosses for them)."""
    for py in catalog.city_pinyin():
        norm = re.sub(rf"\b{py}\b", " ", norm)
    return norm


_EN_NUMBER = re.compile(
    r"\b(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|fifty|hundred)(?: (thousand|million|billion))?"
    r"((?: [\"“‘']?[a-z'-]+[\"”’']?){1,3})"  # the words after it, a quoted name's too (100 'most beautiful families')
)
_EN_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}
_EN_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def _en_value(m: re.Match[str]) -> str:
    """The number an ``_EN_NUMBER`` match writes, in digits (「one million」 → 1000000, 「1,000」 → 1000)."""
    raw = m.group(1).replace(",", "")
    value = float(raw) if raw[0].isdigit() else float(_EN_NUMBER_WORDS[raw])
    value *= _EN_SCALES.get(m.group(2) or "", 1)
    return str(int(value)) if value == int(value) else str(value)


_EN_DURATION = re.compile(r"\b(\d+) minutes?(?:,? (?:and )?(\d+) seconds?)?")


def english_claims(norm: str) -> list[str]:
    """The counts an English yes/no claim makes, written the reports' way (「help 10 poor households」 → 10户):
    a number and the unit its noun (among the next three words) gives; years and bare numbers are left out."""
    out = []
    for m in _EN_DURATION.finditer(norm):  # 「in 2 minutes 45 seconds」 → 2分45秒, 「in 3 minutes」 → 3分钟
        out.append(f"{m.group(1)}分{m.group(2)}秒" if m.group(2) else f"{m.group(1)}分钟")
    norm = _EN_DURATION.sub(" ", norm)
    for m in _EN_NUMBER.finditer(norm):
        raw, words = m.group(1), [w.strip("'\"“”‘’") for w in m.group(3).split()]
        value = _en_value(m)
        if raw.isdigit() and len(raw) == 4 and raw[:2] in ("19", "20") and not m.group(2):
            continue  # a year
        if raw == "one" and not m.group(2):
            continue  # 「one of the」, 「at least one group」: no count claimed
        if norm[: m.start()].endswith(("top ", "top-")):
            continue  # 「a 'top ten caring mothers' collective」: a title (十佳), no count
        unit = "年" if words[0] in ("years", "year") else ""  # 「for 10 years in a row」
        unit = unit or ("件" if words[0] == "cases" and words[1:2] != ["of"] else "")  # cases handled, not boxes
        unit = unit or next((u for pattern, u in _EN_UNITS[:2] if pattern.match(" ".join(words[:2]))), "")  # m²
        unit = unit or next((u for w in words for pattern, u in _EN_UNITS if pattern.fullmatch(w)), "")
        if unit and unit != "%":
            out.append(value + unit)
    return out


_BOUND_BEFORE = (
    (re.compile(r"(?:不少于|至少|不低于|no (?:fewer|less) than|at least)(?:有|是|达到?|为)?\s*$"), ">="),
    (re.compile(r"(?:不超过|至多|no more than|at most)(?:有|是|达到?|为)?\s*$"), "<="),
    (re.compile(r"(?:超过|超出|超|多于|大于|高于|逾|突破|more than|over|above|exceed(?:s|ed|ing)?|in excess of)\s*$"),
     ">"),
    (re.compile(r"(?:不到|少于|低于|不足|未满|fewer than|less than|under|below)\s*$"), "<"),
)
_BOUND_AFTER = (
    (re.compile(r"^[\u4e00-\u9fff]{0,2}?以上|^\s*(?:[a-z]+ )?(?:or|and) (?:more|above|over)\b|^\+"), ">="),
    (re.compile(r"^[\u4e00-\u9fff]{0,2}?(?:以下|以内)|^\s*(?:[a-z]+ )?or (?:fewer|less|below)\b"), "<="),
)


# a question asking whether a figure was reached (「有没有达到2万人次」, 'did it reach 200'): at least that
# (a report's own 「达到24%」 states its figure: read only in questions, ``asked``)
_REACHED = re.compile(r"(?:达到|达|突破了?|reach(?:ed|es)?|hit)(?:了)?\s*$")


def claim_bound(norm: str, claim: str, asked: bool = False) -> str:
    """How a yes/no claim bounds its figure (「超过100次了吗」 → ">", 「at least 10」 → ">="): one of > >= < <=,
    or "" when it claims the figure itself; in a question (``asked``) a figure 「达到」/'reached' is a lower bound."""
    num = re.match(r"\d+(?:\.\d+)?", claim)
    digits = num.group(0) if num else ""
    at = norm.find(digits) if digits else -1
    end = at + len(digits)
    if at < 0 and digits:  # written in words or with separators (「more than one million」, 「1,000」)
        written = next((m for m in _EN_NUMBER.finditer(norm) if _en_value(m) == digits), None)
        at, end = (written.start(), written.end(2) if written.group(2) else written.end(1)) if written else (-1, -1)
    if at < 0 and digits:  # written in Chinese numerals (「超过两万名」)
        cn = next((m for m in _CN_NUMERAL.finditer(norm) if str(cn_value(m.group(0))) == digits), None)
        at, end = (cn.start(), cn.end()) if cn else (-1, -1)
    if at < 0:
        return ""
    for rx, rel in _BOUND_BEFORE:
        if rx.search(norm[max(0, at - 16) : at]):
            return rel
    for rx, rel in _BOUND_AFTER:
        if rx.search(norm[end:]):
            return rel
    return ">=" if asked and _REACHED.search(norm[max(0, at - 16) : at]) else ""


def within(value: float, bound: str, claimed: float) -> bool:
    """Whether ``value`` meets a claim ``bound`` of ``claimed`` (``claim_bound``)."""
    return {">": value > claimed, ">=": value >= claimed, "<": value < claimed, "<=": value <= claimed}.get(
        bound, value == claimed
    )


_CN_NUMERAL = re.compile(r"[两二三四五六七八九十百千万]+")
# a count a claim asserts in Chinese numerals, after the words that assert one (「连续五年」, 「累计三千户」)
_CN_CLAIM = re.compile(
    rf"(?<=连续|已经|共有|一共|总共|累计|达到|超过)([两二三四五六七八九十百千万]+)({CN_COUNT_UNITS})"
    rf"(?![{CN_TEN}”」])"
)


def chinese_claims(norm: str) -> list[str]:
    """The counts a Chinese yes/no claim asserts in Chinese numerals (「连续五年」 → 5年), as Arabic figures; a
    counted name (两个规划, “三个一”) is no such count."""
    out = []
    for m in _CN_CLAIM.finditer(norm):
        if (value := cn_value(m.group(1))) is not None and value > 1:
            out.append(f"{value}{m.group(2)}")
    return list(dict.fromkeys(out))


_ASKED_TYPE = re.compile(r"(?:哪(?:次|届|个|种|类|项)|什么)(会议|会|活动|精神|文件|主题|名称|名字)")


_COUNT_WORD = re.compile(rf"[{CN_COUNT}\d]+(?:个|项|块|类|种|条|点|大|件|批|支|所|家|方面|部分)")


def parse(question: str, catalog: Catalog) -> Query:
    """Parse a question against what the index holds."""
    norm = normalize(question).strip()
    lang = detect_lang(norm)
    qtype = question_type(norm, lang)
    where: dict[str, int] = {}  # city → first mention, so cities keep the question's order
    for pos, city in city_mentions(norm, lang, catalog):
        where.setdefault(city, pos)
    cities = sorted(where, key=lambda c: (where[c], c))
    years = [int(y) for y in YEAR.findall(norm)]
    unknown = _unknown_places(norm, lang, catalog) or (_unknown_owners(question, catalog) if lang == "en" else [])
    kws = keywords(" ".join(CJK_RUNS.findall(norm)) if lang == "en" else norm, cities)
    if qtype == "list":  # 「哪三块」「哪五项」: the count shapes the answer (``asked_count``), it is no evidence word
        kws = [k for k in kws if not _COUNT_WORD.fullmatch(k)]
    if lang == "zh" and (asked := _ASKED_TYPE.search(norm)):  # 「哪次会议」: the answer names one, it need not say 会议
        kws = [k for k in kws if k != asked.group(1)]
    gloss: dict[str, tuple[str, ...]] = {}
    terms = named_terms(norm, catalog)
    if lang == "en":  # the reports' own words for the question's English ones
        gloss = glosses(_without_places(norm, catalog), catalog.vocabulary.contains)
        terms = quoted_names(norm, gloss, catalog.vocabulary.contains)  # 'green families' → 绿色家庭
        # 'Longyuan Qiaoshou' → 陇原巧手, a name as the reports write it (the question's cities are its scope)
        spelt = catalog.vocabulary.romanised(_without_places(norm, catalog))
        gloss.update(spelt)
    claim = []
    if qtype == "yesno":
        claim = [f.text for f in find_figures(norm) if not f.is_year and f.unit]  # "12338热线" is a name
        claim += chinese_claims(norm)
        if lang == "en":
            claim += english_claims(norm)
    asks_person = bool(re.search(r"谁|哪位|^who\b", norm))
    return Query(
        question,
        norm,
        lang,
        qtype,
        expected_unit(norm, lang),
        cities,
        years,
        unknown,
        kws,
        claim,
        asks_person,
        terms,
        gloss,
        qtype != "yesno" and asks_comparison(norm, lang),
    )
