"""Understand a question: language, normalised text, type, expected unit, cities, years, keywords.

Pure functions over the question plus a ``Catalog`` of what the index holds (cities, years, corpus
vocabulary). Leaves out: spelling correction and synonyms beyond traditional→simplified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from core.text import CJK_RUNS, YEAR, detect_lang, normalize, pos_tags, tokens
from qa.figures import find_figures

_QWORDS = (
    "多少|几|哪些|哪个|哪里|哪|什么|是否|是不是|有没有|有无|吗|呢|请问|一下|一共|总共|共计|分别|各|如何|怎样|怎么|谁|何时|何|"
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
    ]
)
_UNIT_AFTER = re.compile(
    r"(?:多少|几)\s*(个百分点|人次|户次|场次|万元|亿元|元|人|名|个|户|场|次|期|家|所|册|张|篇|件|项|支|位|对|条|部|本|份|批|座|处|"
    r"间|村|镇|套|幅|首|块|台|辆|亩|天|小时|周|月|岁|类|届|笔|门|轮|组|队|站|点|园|班|节|课|种|钱|倍|起|盒|瓶|包)"
)
_MONEY = re.compile(
    r"资金|总额|金额|多少钱|经费|款|贷款额|销售额|[金费额](?:分别|各|一共|总共|共|累计)?(?:是|有|为|达到?)?多少"
)
_EN_MONEY = re.compile(
    r"\bhow much\b.*\b(paid|pay|spent|spend|raised|raise|invested|cost|worth|funds?|funding|loans?|claims?|"
    r"subsid\w*|donat\w*|sales|sold|revenue|money|budget|premiums?|grants?|awarded|allocated)\b"
)
_PERCENT = re.compile(r"比例|百分比|百分之|占比|比重|比率|完成率|增长率|覆盖率|%|多少成")
_EN_UNITS = [
    (re.compile(r"\b(percent|percentage|proportion|share|rate|ratio)\b"), "%"),
    (re.compile(r"\bsquare met(er|re)s?\b"), "平方米"),
    (re.compile(r"\b(person-times|person times)\b"), "人次"),
    (re.compile(r"\b(yuan|rmb|money|funds?|funding|loans?)\b"), "元"),
    (re.compile(r"\b(households?|families)\b"), "户"),
    (
        re.compile(r"\b(people|persons?|women|men|participants|volunteers|members|children|trainees|mothers|girls)\b"),
        "人",
    ),
    (re.compile(r"\b(times|sessions|events|activities|lectures|meetings|classes|trainings?)\b"), "次"),
    (
        re.compile(
            r"\b(groups|organi[sz]ations|bases|stations|teams|projects|associations|enterprises|centers|centres)\b"
        ),
        "个",
    ),
]
UNIT_GROUPS = [
    {"人", "名", "人次", "位", "余人", "万人"},
    {"个", "家", "所", "支", "处", "座", "站", "点", "园", "队", "组", "村", "项", "类", "种"},
    {"户", "户次"},
    {"次", "场", "场次", "期", "届", "轮", "节", "课"},
    {"元", "万元", "亿元", "千元", "钱"},
    {"瓶", "盒", "包", "箱", "袋"},
    {"%", "个百分点", "百分点", "‰"},
    {"册", "张", "份", "本", "篇", "件", "篇次"},
]


@dataclass
class Catalog:
    """What the index holds, for recognising places and years in questions."""

    cities: dict[str, list[str]] = field(default_factory=dict)  # city → docs
    years: dict[str, set[int]] = field(default_factory=dict)  # doc → {year}
    doc_city: dict[str, str] = field(default_factory=dict)
    corpus_text: str = ""

    def city_pinyin(self) -> dict[str, str]:
        return {p: c for c in self.cities for p in _pinyins(c)}


@lru_cache(maxsize=256)
def _pinyins(city: str) -> tuple[str, ...]:
    """Romanisations of a city name: the word's reading (乐清 → yueqing) and the per-character one (leqing)."""
    from pypinyin import Style, lazy_pinyin

    whole = "".join(lazy_pinyin(city, style=Style.NORMAL))
    per_char = "".join(lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in city)
    return tuple(sorted({whole, per_char}))


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

    @property
    def multi(self) -> bool:
        return len(self.cities) > 1


def question_type(norm: str, lang: str) -> str:
    """numeric | list | yesno | entity, from interrogative words (Chinese or English)."""
    if lang == "en":
        if re.match(r"^(did|does|do|is|was|were|are|has|have|had|can|could)\b", norm):
            return "yesno"
        if re.search(
            r"\bhow (many|much)\b|\bwhat (percentage|proportion|share|number)\b|"
            r"\bwhat (?:was|is|were|are) the (?:[a-z'-]+ ){0,5}?(number|rate|amount|total|percentage|proportion|share|"
            r"sum|budget|value|count)\b",
            norm,
        ):
            return "numeric"
        if re.search(
            r"\b(which|what) (\w+ )?(activities|programs|programmes|projects|measures|brands|events|titles|"
            r"campaigns|actions|initiatives|things|services|areas|honou?rs|awards)\b|\blist\b",
            norm,
        ):
            return "list"
        return "entity"
    if re.search(r"是不是|是否|有没有|有无|(?<!什么)吗[?？]?$|对不对|对吗", norm):
        return "yesno"
    if re.search(r"多少|几[个人名次场期户家项所支位届]|几\w{0,2}[?？]?$|比例|百分比|占比|比重|多大|多高|多少钱", norm):
        return "numeric"
    if re.search(r"哪些|有什么|都有|包括|分别是|列举|哪几", norm):
        return "list"
    return "entity"


def expected_unit(norm: str, lang: str) -> str:
    if lang == "en":
        if _EN_MONEY.search(norm):
            return "元"
        head = re.search(r"how (?:many|much) ((?:[a-z'()-]+ ?){1,3})", norm)
        for text in ([head.group(1)] if head else []) + [norm]:
            for pattern, unit in _EN_UNITS:
                if pattern.search(text):
                    return unit
        return ""
    if _PERCENT.search(norm):
        return "%"
    m = _UNIT_AFTER.search(norm)
    if not m:
        return "元" if _MONEY.search(norm) else ""
    unit = m.group(1)
    return "元" if unit in ("钱", "万元", "亿元") else unit


def unit_match(expected: str, actual: str) -> float:
    """1 for the same unit, 0.7 for the same family (人/名), 0.3 when nothing was expected, else 0."""
    if not expected:
        return 0.3 if actual else 0.1
    if expected == actual or (actual.endswith(expected) and len(expected) == 1 and expected != "个"):
        return 1.0
    for group in UNIT_GROUPS:
        if expected in group and actual in group:
            return 0.7
    return 0.0


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
    """Place names in a Chinese question: jieba ``ns`` words and whole words ending in 市/县/区/省."""
    places = []
    for word, flag in pos_tags(norm):
        if len(word) >= 2 and (flag == "ns" or (len(word) >= 3 and word[-1] in "市县区省" and word[-2] != "全")):
            places.append(word)
    return places


def parse(question: str, catalog: Catalog) -> Query:
    """Parse a question against what the index holds."""
    norm = normalize(question).strip()
    lang = detect_lang(norm)
    qtype = question_type(norm, lang)
    where: dict[str, int] = {}  # city → first mention, so cities keep the question's order
    if lang == "zh":
        where = {c: norm.find(c) for c in catalog.cities if c and c in norm}
    else:
        for py, city in catalog.city_pinyin().items():
            if m := re.search(rf"\b{py}\b", norm):
                where[city] = min(m.start(), where.get(city, m.start()))
    cities = sorted(where, key=lambda c: (where[c], c))
    years = [int(y) for y in YEAR.findall(norm)]
    unknown: list[str] = []
    if lang == "zh":
        for place in _places(norm):
            base = re.sub(r"[市县区省]$", "", place)
            if any(base in c or c in base for c in catalog.cities):
                continue
            named_as_owner = re.search(f"{re.escape(base)}(?:市|妇联|妇女联合会)", norm)
            if base and (base not in catalog.corpus_text or named_as_owner):
                unknown.append(place)
    kws = keywords(" ".join(CJK_RUNS.findall(norm)) if lang == "en" else norm, cities)
    claim = []
    if qtype == "yesno":
        claim = [f.text for f in find_figures(norm) if not f.is_year and f.unit]  # "12338热线" is a name
    asks_person = bool(re.search(r"谁|哪位|^who\b", norm))
    return Query(
        question,
        norm,
        lang,
        qtype,
        expected_unit(norm, lang),
        cities,
        years,
        sorted(set(unknown)),
        kws,
        claim,
        asks_person,
    )
