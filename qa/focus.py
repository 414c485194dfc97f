"""What a question counts and how it qualifies it: the focus of figure choice.

``focus_of(query)`` finds the counted thing — the words next to 多少/几 (「多少家长参加」 → 家长参加, 「阅读量有多少」
→ 阅读量) or after "how many" — and the question's other content words (its qualifiers: 农村, 累计, 单亲家庭…).
English words are matched to the reports' Chinese through a small domain glossary. ``label_of`` gives, for a
figure in a sentence, the words attached to it (「其中城区45支、农村75支」: 75支 ← 农村), and whether it is a part
of a total stated before it (after 其中, or in brackets).
Leaves out: choosing the figure (``qa.evidence.best_figure`` weighs these signals).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.text import normalize, pos_tags
from qa.bilingual import stem
from qa.figures import UNITS, Figure
from qa.query import Query

_ASK = re.compile(r"多少|几")
_LEAD_UNIT = re.compile(rf"^(?:{UNITS})")
_SKIP_BEFORE = {"有", "是", "为", "达", "达到", "了", "共", "一共", "总共", "分别", "各", "约", "大约", "的", "都"}
_NOUNISH = re.compile(r"^(n|vn|nz|j|l|ng|nr|ns|nt|an)")
_QWORDS = re.compile(
    r"多少|几|哪些|哪个|哪|什么|是否|是不是|有没有|吗|呢|请问|分别|各|如何|怎样|怎么|谁|何时|为什么|一下|比较|相比"
)
_DELIMS = set("，,；;：:。！？!?、（）() \n")
_OPEN = "（("
_CLOSE = "）)"
_TOTAL_WORDS = ("累计", "合计", "总计", "共计", "总共", "一共", "总数", "共")

# English words of this domain → the Chinese the reports use (counted things first, then qualifiers).
GLOSSARY: dict[str, tuple[str, ...]] = {
    "couple": ("对", "夫妻"), "parent": ("家长",), "child": ("儿童", "孩子", "少年"),
    "children": ("儿童", "孩子", "少年"), "people": ("人",), "student": ("学生",),
    "girl": ("女童", "女孩"), "school": ("学校", "学堂"), "kindergarten": ("幼儿园",), "family": ("家庭",),
    "household": ("户", "家庭"), "woman": ("妇女", "女性"), "women": ("妇女", "女性"), "mother": ("母亲",),
    "volunteer": ("志愿者", "志愿"), "lecture": ("讲座", "宣讲"), "train": ("培训",), "training": ("培训",),
    "trainee": ("培训",), "class": ("班", "课堂"), "course": ("班", "课程"), "read": ("阅读",),
    "reader": ("阅读",), "view": ("观看", "阅读", "点击"), "viewer": ("观看",), "like": ("点赞",),
    "post": ("推送", "信息"), "article": ("篇", "稿件", "信息"), "claim": ("理赔",), "premium": ("保费",),
    "insure": ("参保", "保险"), "insured": ("参保",), "loan": ("贷款", "贷"), "village": ("村",),
    "enterprise": ("企业",), "company": ("企业",), "cooperative": ("合作社",), "case": ("案件", "案"),
    "dispute": ("纠纷",), "mediate": ("调解",), "mediation": ("调解",), "reconcile": ("调和", "和好"),
    "visit": ("走访", "探访", "来访"), "call": ("来电", "热线"), "activity": ("活动",), "event": ("活动",),
    "session": ("场", "期"), "participant": ("参加", "参与"), "attend": ("参加", "参与"), "beneficiary": ("受益",),
    "benefit": ("受益",), "job": ("岗位", "就业"), "position": ("岗位",), "store": ("店",), "shop": ("店",),
    "product": ("产品", "农产品"), "sale": ("销售",), "sell": ("销售", "卖出"), "sold": ("销售", "卖出"),
    "member": ("会员", "成员", "执委"), "organization": ("组织",), "organisation": ("组织",), "home": ("之家",),
    "team": ("队",), "group": ("团", "组", "队"), "base": ("基地",), "station": ("站",), "centre": ("中心",),
    "center": ("中心",), "project": ("项目",), "fund": ("资金", "基金"), "funding": ("资金",),
    "subsidy": ("补贴", "补助"), "donation": ("捐", "捐赠"), "donate": ("捐",), "aid": ("救助", "帮扶"),
    "assist": ("救助", "帮扶"), "assistance": ("救助", "帮扶"), "screen": ("筛查", "检查"),
    "screening": ("筛查", "检查"), "check": ("检查",), "cancer": ("癌",), "poor": ("贫困",),
    "impoverished": ("贫困",), "rural": ("农村",), "urban": ("城区", "城镇"), "online": ("线上", "网上"),
    "offline": ("线下",), "new": ("新建", "新增"), "newly": ("新建", "新增"), "cumulative": ("累计",),
    "cumulatively": ("累计",), "total": ("共", "累计", "总"), "single": ("单亲",), "leader": ("干部",),
    "cadre": ("干部",), "award": ("奖", "表彰"), "honour": ("荣誉", "称号"), "honor": ("荣誉", "称号"),
    "package": ("包",), "box": ("盒",), "bottle": ("瓶",), "book": ("册", "书"), "pamphlet": ("册", "宣传"),
    "employment": ("就业",), "employ": ("就业",), "entrepreneur": ("创业",), "startup": ("创业",),
    "hotline": ("热线",), "complaint": ("信访", "投诉"), "petition": ("信访",), "letter": ("来信", "信访"),
    "problem": ("问题", "困难"), "issue": ("问题",), "difficulty": ("困难",), "practical": ("实际", "实用"),
    "help": ("帮助", "援助", "帮扶", "扶持"), "courtyard": ("庭院",), "garden": ("庭院",), "teacher": ("教师", "老师"),
    "doctor": ("医生",), "exam": ("检查",), "examination": ("检查",), "nutrition": ("营养",),
    "anemia": ("贫血",), "anaemia": ("贫血",), "infant": ("婴儿", "婴幼儿"), "baby": ("婴儿",),
    "milk": ("奶粉",), "powder": ("奶粉",),
    "outside": ("省外",), "within": ("省内",), "inside": ("省内",), "transfer": ("输转", "转移"),
    "migrant": ("输转", "外出"), "domestic": ("家政",), "housekeeping": ("家政",), "law": ("法",), "legal": ("法",),
}
_EN_WORD = re.compile(r"[a-z]+")
# auxiliaries a question inverts before its subject (a passive's were/was stays: 「couples were reconciled」)
_INVERTED = frozenset({"did", "do", "does", "have", "has", "had", "will", "can", "could"})
_BESIDES = re.compile(r"\b(?:besides|apart from|other than|except(?: for)?|excluding|not counting)\b[^,?]*")
_BESIDES_ZH = re.compile(  # 「除了…」, a clause opening 「除…外」 (not 消除…), 「在…的同时」, 「(不算…)」
    r"除了([^,，?？。]{2,30}?)(?:之外|以外|外)?(?=[,，])|(?<![\u4e00-\u9fff])除([^,，?？。]{2,30}?)(?:之外|以外|外)"
    r"(?=[,，])|在([^,，?？。]{2,30}?)的同时|(?:不算|不包括|不含|不计)([^,，?？。()（）]{2,30})"
)
_HOW_MANY = re.compile(r"how (?:many|much) ((?:[a-z'-]+ ?){1,4})")
_OF_THING = re.compile(  # the thing a measure word counts: 「how many cases of infant formula」
    r"how (?:many|much) [a-z'-]+(?: [a-z'-]+)? of "
    r"((?:(?!(?:did|do|does|were|was|are|is|have|has)\b)[a-z'-]+,? ?){1,6})"
)


@dataclass(frozen=True)
class Focus:
    """The counted thing and the qualifiers of a question, as Chinese text to match against labels."""

    thing: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    total: str = ""  # the question's own word for "in total" (累计, 全年…), or ""
    action: tuple[str, ...] = ()  # the verb right before 多少/几 (「做强了多少个项目」 → 做强; ``asked_action``)
    aside: tuple[str, ...] = ()  # the words of what the question sets aside (「在取消收费项目的同时」, 'besides cash')

    def __bool__(self) -> bool:
        return bool(self.thing or self.qualifiers or self.total)


@dataclass(frozen=True)
class Label:
    """The words attached to one figure in its sentence."""

    before: str
    after: str
    part: bool  # a part of a total stated before it (after 其中, or in brackets)
    parent: str = ""  # for a part: the words of that total (a part counts the same thing)
    lead: str = ""  # for a later item of a 、-run: the first item's words (「全市共配备A1名、B3名」: 全市 is B's too)


def domain_words(text: str) -> tuple[str, ...]:
    """The domain glossary's Chinese for the English words of ``text`` (「lecture」 → 讲座, 宣讲), in order."""
    return _english(_EN_WORD.findall(text))


def _english(words: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for word in words:
        for key in (word, stem(word), stem(word) + "e"):
            if key in GLOSSARY:
                out.extend(GLOSSARY[key])
                break
    return tuple(dict.fromkeys(out))


def _thing_zh(norm: str, cities: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The counted thing of a Chinese question, with its head noun as a second form when it has more words
    (「多少所小学建了家长学校」 → 小学建了家长学校, 小学)."""
    m = _ASK.search(norm)
    if not m:
        return ()
    after = re.split(r"[?？,，。;；!！]", norm[m.end() :], maxsplit=1)[0].strip()
    after = re.sub(r"[「」“”『』]", "", after)  # 「几个「中心」」: the quoted thing, without its marks
    unit = _LEAD_UNIT.match(after)
    if unit and (first := pos_tags(after)[0][0]) and len(first) <= len(unit.group()):  # 「多少家长」 keeps 家长
        after = after[unit.end() :]
    after = re.sub(r"^[个名]", "", after)
    after = re.sub(r"^(?:是在|是从|是由|是|在|为|被|由)", "", after)
    after = re.sub(r"(?:的|了)$", "", after)[:8]
    if re.search(r"[\u4e00-\u9fff]{2}", after):
        return _with_head(after)
    head = re.sub(r"(?:分别|各|一共|总共|共|累计|都)?(?:有|是|为|达到|达)?了?$", "", norm[: m.start()])
    head = re.sub(r"的$", "", head)  # 「调和成功的有多少对」: what comes before 的 is counted
    for city in cities:
        head = head.replace(city, " ")
    tags = [(w, f) for w, f in pos_tags(head) if w.strip()]
    if (norm[: m.start()].endswith("了") and len(tags) >= 2 and tags[-1][1].startswith("v")
            and len(tags[-1][0]) == 1 and _NOUNISH.match(tags[-2][1])):
        tags.pop()  # 「五好家庭评了多少户」: the verb after the counted thing
    tail = _tail(tags)
    tail = re.sub(r"^[级类]", "", tail)  # 「乡镇(街道)级团体会员」: the level qualifies, the members are counted
    tail = _drop_leading_adverbs(tail)
    if 2 <= len(tail) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", tail):
        return (_measured(tail), *_object(tail))
    while tags and tags[-1][0] in _SKIP_BEFORE:
        tags.pop()
    taken: list[str] = []
    for word, flag in reversed(tags[-2:]):
        if not taken and not (_NOUNISH.match(flag) or word[-1] in "量数额金"):
            break
        if flag in ("uj", "ul", "p", "c", "d", "r", "x", "m") or word in _SKIP_BEFORE:
            break
        taken.insert(0, word)
    return (_measured("".join(taken)),) if taken else ()


_TAIL_STOP = {"的", "了", "和", "与", "及", "里面", "当中", "之中", "其中"}


def _tail(tags: list[tuple[str, str]]) -> str:
    """The Chinese words at the end of a tagged phrase, back to the nearest 的/了/和…, punctuation or space."""
    out: list[str] = []
    for word, _ in reversed(tags):
        if word in _TAIL_STOP or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
            break
        out.insert(0, word)
    return "".join(out)


def _with_head(thing: str) -> tuple[str, ...]:
    """``thing``, and its leading nouns when a verb follows them (the thing counted, without what it did)."""
    tags = [(w, f) for w, f in pos_tags(thing) if w.strip()]
    lead: list[str] = []
    for word, flag in tags:
        if not (_NOUNISH.match(flag) or (flag == "f" and len(word) >= 2)):  # 初中 is tagged a place word
            break
        lead.append(word)
    head, rest = "".join(lead), tags[len(lead) :]
    # 「建了家长学校」 (not 「帮帮团」); a two-character verb before a noun and no verb after may be the noun's
    # attribute (「市级兼职副主席」)
    predicate = bool(rest) and rest[0][1].startswith("v") and len(rest) >= 2 and (
        len(rest[0][0]) == 1 or rest[1][0] in "了过着" or any(f.startswith("v") for _, f in rest[1:])
    )
    return (thing, head) if predicate and len(head) >= 2 else (thing,)


def _object(phrase: str) -> tuple[str, ...]:
    """The noun a verb phrase acts on, as a shorter form of the counted thing (「发给贫困妇女的有多少笔」 → 贫困妇女:
    the report labels the part 「为贫困妇女发放贷款17笔」); () when the phrase does not open with a verb."""
    tags = [(w, f) for w, f in pos_tags(phrase) if w.strip()]
    if len(tags) < 2 or not tags[0][1].startswith("v") or not re.match(r"(n|j)(?!v)", tags[-1][1]):
        return ()
    rest = "".join(w for w, _ in tags[1:])
    return (rest,) if len(rest) >= 2 else ()


def _drop_leading_adverbs(tail: str) -> str:
    """``tail`` without the adverbs and time words it opens with (「最后调和成功」 → 调和成功)."""
    tags = [(w, f) for w, f in pos_tags(tail) if w.strip()]
    i = 0
    while i < len(tags) - 1 and tags[i][1] in ("d", "ad", "t", "f", "c", "p", "r"):
        i += 1
    return "".join(w for w, _ in tags[i:]) if i else tail


def _measured(thing: str) -> str:
    """The thing a measure word is of: 「阅读量」 → 阅读, 「参与人数」 → 参与 (reports write 阅读点击达…, 参与…人)."""
    stem = re.sub(r"(?:总量|数量|总数|人数|次数|量|数)$", "", thing)
    return stem if len(stem) >= 2 else thing


def _glossed(words: list[str], glosses: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, ...]:
    """The domain glossary's Chinese for ``words``, then the dictionary's for those it lacks."""
    out = list(_english(words))
    known = {w for w in words if _english([w])}
    text = " ".join(words)
    for key, chinese in glosses:
        spelt = re.escape(key).replace(r"\-", "[- ]")  # 「e-commerce」 is read as two words (e commerce)
        if key not in known and re.search(rf"\b{spelt}\b", text):
            out.extend(chinese)
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=1024)
def _focus(
    norm: str, lang: str, cities: tuple[str, ...], glosses: tuple[tuple[str, tuple[str, ...]], ...] = ()
) -> Focus:
    total = next((w for w in _TOTAL_WORDS if re.search(rf"{w}(?![^，,。？?]*\d)", norm)), "")  # not of a stated figure
    if lang == "en":
        head = _HOW_MANY.search(norm)
        counted = _EN_WORD.findall(head.group(1)) if head else []
        asks = next((i for i, w in enumerate(counted) if w in _INVERTED), len(counted))
        counted = counted[:asks] or counted[:1]  # 「how many likes did the Chaling … get」: the subject is no thing
        if of := _OF_THING.search(norm):  # 「how many cases of infant formula」
            counted = list(dict.fromkeys(counted + _EN_WORD.findall(of.group(1))))
        thing = _glossed(counted, glosses)
        if (zh := re.search(r"\(([\u4e00-\u9fff]{2,})\)", norm)) and head and zh.start() <= head.end() + 40:
            thing = (zh.group(1), *thing)  # the question writes the counted thing's Chinese name itself
        kept = _BESIDES.sub(" ", norm)  # 「besides cash and toys, how many…」: what is set aside qualifies nothing
        rest = _glossed(_EN_WORD.findall(kept), glosses)
        set_aside = [w for m in _BESIDES.finditer(norm) for w in _glossed(_EN_WORD.findall(m.group(0)), glosses)]
        if re.search(r"\b(in total|altogether|cumulative(ly)?|so far)\b", norm):
            total = "累计"
        elif re.search(r"\b(?:during|over|in|for|throughout) the (?:whole )?year\b", norm):
            total = "全年"  # 'during the year': the year's total, not a share of it (其中仅…)
        en_aside = tuple(w for w in dict.fromkeys(set_aside) if w not in thing and w not in rest)
        return Focus(thing, tuple(w for w in rest if w not in thing), total, aside=en_aside)
    thing = _thing_zh(norm, cities)
    text = _QWORDS.sub(" ", norm)
    for city in cities:
        text = text.replace(city, " ")
    aside = [
        w for m in _BESIDES_ZH.finditer(text) for w, f in pos_tags(m.group(0))  # (its marker too: 不算)
        if len(w) >= 2 and f[0] in "nvj" and not any(w in t for t in thing)
    ]
    text = _BESIDES_ZH.sub(" ", text)  # what is set aside qualifies nothing
    quals = [
        w
        for w, f in pos_tags(text)
        if len(w) >= 2 and not w.isdigit() and f not in ("m", "x", "uj", "ul", "r") and not any(w in t for t in thing)
    ]
    return Focus(thing, tuple(dict.fromkeys(quals)), total, asked_action(norm), tuple(dict.fromkeys(aside)))


def focus_of(query: Query) -> Focus:
    """The counted thing, qualifiers and total word of a question (empty ``Focus`` if none)."""
    return _focus(query.norm, query.lang, tuple(query.cities), tuple(query.glosses.items()))


def label_of(sentence: str, fig: Figure, figures: list[Figure]) -> Label:
    """The normalised words before and after ``fig`` up to the nearest delimiter or neighbouring figure.

    Figures written side by side (「贷款22笔124万元」) share the words before the first; a figure with no words
    of its own after a comma (「营养包3099箱,92970盒」) takes those of the figure before it; a figure given 「分别」
    takes the item in its place (``_respective``), a share (「占…的71.9%」) the clause before it, and a later item
    of a 、-run keeps the first item's words as ``lead``."""
    i = _label_start(sentence, fig.start, figures)
    before = sentence[i : fig.start]
    if not before.strip("，, ") and i > 0 and sentence[i - 1] in "，,":
        prev = [f for f in figures if f.end == i - 1 or f.end == i]
        if prev:
            before = sentence[_label_start(sentence, prev[-1].start, figures) : prev[-1].start]
    hi = min((o.start for o in figures if o.start >= fig.end), default=len(sentence))
    j = fig.end
    while j < hi and sentence[j] not in _DELIMS and j - fig.end < 8:
        j += 1
    before = _respective(sentence, fig, figures) + before
    if before.startswith("占") and i > 0 and sentence[i - 1] in "，,":  # 「有69项指标实现中期达标,占…的71.9%」:
        head = re.sub(r"[(（][^()（）]*[)）]", "", sentence[: i - 1])  # a share of the clause before it, its
        before = re.split(r"[，,；;。(（]", head)[-1] + before  # brackets stepped over (「贫困户1730人(…),占…」)
    head = sentence[: fig.start]
    first = figures[0].start if figures else fig.start
    part = ("其中" in head[first:] and fig is not figures[0]) or _inside_brackets(head)
    parent = ""
    if part and (total := _total_of(sentence, fig, figures)) is not None:
        parent = normalize(sentence[_label_start(sentence, total.start, figures) : total.start])
    return Label(normalize(before), normalize(sentence[fig.end : j]), part, parent, _run_lead(sentence, fig, figures))


def _run_lead(sentence: str, fig: Figure, figures: list[Figure]) -> str:
    """The words of the first item of the 、-run ``fig`` is a later item of ("" for a first or lone item)."""
    first, i = None, _label_start(sentence, fig.start, figures)
    while i > 0 and sentence[i - 1] == "、":
        prev = [f for f in figures if f.end <= i - 1 and not re.search(r"[^\s余多]", sentence[f.end : i - 1])]
        if not prev:
            break
        first = prev[-1]
        i = _label_start(sentence, first.start, figures)
    if first is None:
        return ""
    lead = normalize(sentence[i : first.start])
    own = normalize(sentence[_label_start(sentence, fig.start, figures) : fig.start])
    if own and lead[-1:] == own[-1:] and len(lead) > len(own):
        return lead[: -len(own)]  # 「全市共配备市级挂职副主席1名、兼职副主席3名」: 挂职副主席 parallels 兼职副主席
    return lead


_RESPECTIVE = re.compile(r"分别(?:[\u4e00-\u9fff]{0,6}?)$")
_JOINS = re.compile(r"[和与及、]|以及")


def _respective(sentence: str, fig: Figure, figures: list[Figure]) -> str:
    """For figures given 「分别」 (「开展A和B…,分别开展12场和40场」), the item of the earlier run that this figure
    belongs to by its place (12场 ← A); "" for other figures or when the runs' lengths differ."""
    run: list[Figure] = []
    for f in figures:
        if run and re.fullmatch(r"(?:和|与|及|、|以及)", sentence[run[-1].end : f.start]):
            run.append(f)
        elif fig in run:
            break
        else:
            run = [f]
    if len(run) < 2 or fig not in run or not (m := _RESPECTIVE.search(sentence[: run[0].start])):
        return ""
    lo = max(sentence.rfind(c, 0, m.start()) for c in "。;；")
    for clause in reversed(re.split(r"[,，]", sentence[lo + 1 : m.start()])):
        masked = re.sub(r"“[^”]*”|《[^》]*》", lambda q: "_" * len(q.group(0)), clause)  # quoted names stay whole
        cuts = [0, *(c for j in _JOINS.finditer(masked) for c in (j.start(), j.end())), len(clause)]
        items = [clause[a:b] for a, b in zip(cuts[::2], cuts[1::2], strict=True) if clause[a:b].strip()]
        if len(items) == len(run):
            return normalize(items[run.index(fig)])
        if len(items) > 1:
            return ""
    return ""


def _total_of(sentence: str, fig: Figure, figures: list[Figure]) -> Figure | None:
    """The total a part belongs to: the last figure before the bracket or the 其中 that opens the part (one with
    the part's unit when there is one)."""
    head = sentence[: fig.start]
    opens = [head.rfind(o) for o in (*_OPEN, "其中")]
    cut = max(opens)
    before = [f for f in figures if f.end <= cut]
    if cut < 0 or not before:
        return None
    same = [f for f in before if f.unit == fig.unit]
    return (same or before)[-1]


def _label_start(sentence: str, start: int, figures: list[Figure]) -> int:
    """Walk back from ``start`` to the nearest delimiter, stepping over figures written right before."""
    ends = {f.end: f.start for f in figures}
    i = start
    while i > 0:
        if sentence[i - 1] in _CLOSE and (j := _opening(sentence, i - 1)) > 0:
            i = j  # a bracketed qualifier inside the label (「乡镇(街道)级团体会员」) is stepped over
            continue
        if sentence[i - 1] in _DELIMS:
            break
        i = ends[i] if i in ends and ends[i] < i else i - 1
    return i


def _opening(sentence: str, close: int) -> int:
    """The offset of the bracket that ``close`` closes, when the bracketed words are short and hold no figure
    (-1 otherwise)."""
    lo = max(sentence.rfind(o, 0, close) for o in _OPEN)
    inner = sentence[lo + 1 : close]
    return lo if lo >= 0 and 0 < len(inner) <= 8 and not re.search(r"\d", inner) else -1


def _inside_brackets(head: str) -> bool:
    depth = 0
    for ch in head:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
    return depth > 0


# Verbs that name no particular action: a count after them can be of anything.
_LIGHT = (
    "有 是 为 达 达到 共 共有 累计 总共 一共 开展 组织 实施 进行 完成 实现 举办 参加 参与 覆盖 涉及 包括 建立 "
    "建成 成立 设立 打造 推出 形成 获得 获 取得 办 办理 做 搞 提供 增加 新增 新 超过 超 受益 服务 帮助 投入 使用 用 "
    "拿到 得到 收到 找到 领到 争取到 有了 办了 还有 另有 又有 共计 总计 合计 组成 构成"
)
_LIGHT_VERBS = frozenset(_LIGHT.split())
_ASKED = re.compile(r"(?:多少|几)")


_DIRECTIONS = frozenset(
    {"出去", "出来", "进去", "进来", "下来", "下去", "上来", "上去", "过来", "过去", "回来", "回去", "起来", "出", "掉"}
)


def asked_action(norm: str) -> tuple[str, ...]:
    """The action a Chinese numeric question counts the outcome of, the verb right before 多少/几
    (「株洲培训了多少人」 → 培训), with the verbs joined to it by 或/和/、 (「捐赠或募集了多少钱」 → 募集, 捐赠);
    () when that verb is a light one (有, 开展, 完成…, a getting verb ending in 到: 筹到) or there is none."""
    m = _ASKED.search(norm)
    if not m:
        return ()
    head = re.sub(  # 「线上线下加起来有多少」: a sum, no action
        r"(?:加起来|合起来|算起来|加在一起|合计|总计)(?:一共|总共|共|有|是|达)*$", "", norm[: m.start()]
    )
    words = [(w, f) for w, f in pos_tags(head) if w.strip()]
    while words and words[-1][0] in ("了", "过", "的", "共", "一共", "总共", "累计", "有", "是", "达", "达到"):
        words.pop()
    while words and words[-1][0] in _DIRECTIONS:  # 「赔出去」: a direction after the verb is no action
        words.pop()
    after = [(w, f) for w, f in pos_tags(re.sub(r"^(?:个|名|位|人)", "", norm[m.end() :])) if w.strip()]
    before_is_verb = bool(words) and words[-1][1].startswith("v") and words[-1][0] not in _LIGHT_VERBS
    if not before_is_verb and after and after[0][1] == "v" and len(after[0][0]) >= 2:
        words = after[:1]  # 「一共有多少人报名参赛」: the verb after the counted people
    if not words:
        return ()
    word, flag = words[-1]
    noun = len(words)
    while noun > 1 and (words[noun - 1][1][0] in "njb" or words[noun - 1][1] == "vn"):
        noun -= 1
    if 0 < noun < len(words) and words[noun - 1][1] == "v":
        words = words[:noun]  # 「劝返失联儿童多少名」: the verb before the counted thing (失联 is its attribute)
        word, flag = words[-1]
    if not (flag.startswith("v") and len(word) >= 2 and word not in _LIGHT_VERBS and not word.endswith("到")):
        return ()
    actions = [word]
    i = len(words) - 2
    while i >= 1 and words[i][0] in ("或", "和", "或者", "及", "、", "与") and words[i - 1][1].startswith("v"):
        actions.append(words[i - 1][0])
        i -= 2
    return tuple(actions)
