"""Evidence-level refusals: the best evidence does not hold what the question asks for.

``evidence_refusal`` looks at the question and its chosen evidence sentence and says why the answer must
be refused — the asked measure is not stated (a rate, an area, people where only events are counted),
the asked thing is missing from the evidence (a near concept at most) or only listed beside the thing its figure
counts — or None.
Leaves out: scope refusals decided from the question alone (``qa.compose.scope_note``) and the evidence
threshold (``qa.answer``).
"""

from __future__ import annotations

import re

from core.text import normalize, pos_tags
from core.types import Refusal
from qa.evidence import Candidate
from qa.figures import Figure, counted, find_figures
from qa.focus import asked_action, focus_of, label_of
from qa.lexical import grams
from qa.plan import Options
from qa.query import UNIT_GROUPS, Query, unit_match

# Measures a question can ask that no other kind of figure answers: a rate, an area, money, people.
_AREA = next(g for g in UNIT_GROUPS if "平方米" in g)
_STRICT = [g for g in UNIT_GROUPS if g & {"%", "元", "人", "小时", "岁", "平方米"}]
_NAMES = {"%": "a rate", "元": "money", "人": "people", "平方米": "an area", "小时": "a duration", "岁": "an age"}
_SHARES = {"%", "‰", "个百分点", "百分点"}
_MONEY_UNITS = next(g for g in UNIT_GROUPS if "元" in g)
_COUNT_Q = re.compile(r"\bhow many\b")  # a count ('how much' may be money)
_AREA_Q = re.compile(
    r"面积|平方米|平米|多大地方|square (?:met(?:er|re)s?|feet|kilomet(?:er|re)s?)|\bacres?\b|hectares?\b"
)
# how many times in each period (「每个月…几次」, "how many times a month"), answered only by a stated frequency
_PERIOD_Q = re.compile(
    r"每(?:个)?(?:天|日|周|星期|月|季度|季|年)[^。?？]{0,16}?(?:几|多少)(?:次|回|趟)|"
    r"\bhow often\b|\bhow many times (?:a|per|each|every) (?:day|week|month|quarter|year)\b"
)
_PERIOD = re.compile(r"每(?:个)?(?:天|日|周|星期|月|季度|季|年)|一(?:月|周|季)一|[日周月季年]均|(?:周|月|年)度")
_RATE_Q = re.compile(r"([\u4e00-\u9fff]{2})率(?!先|领)")  # the rate a question names (满意率)
_EN_RATE_Q = re.compile(r"\b([a-z]+) rate\b")  # 'the satisfaction rate'
# an average or a share per head (「平均每人多少钱」, 'per person'), answered only where the report states one
_AVERAGE_Q = re.compile(
    r"平均|人均|户均|每人|每户|\bper (?:person|capita|head|household|woman|family|child)\b|\bon average\b|\baverage\b"
)
_AVERAGE = re.compile(r"均|每人|每户")  # 平均, 人均, 户均
_QUOTED = re.compile(r"[“「『‘《\"]([^“”「」『』‘’《》\"\n]{2,12})[”」』’》\"]")


def asked_measure(query: Query) -> set[str]:
    """The unit family a numeric question insists on (a rate, an area, money, people), or an empty set.

    A count of things (「多少个岗位」) insists on not being answered by people alone; other units insist on nothing."""
    if query.qtype != "numeric":
        return set()
    if _AREA_Q.search(query.norm):
        return _AREA
    for group in _STRICT:
        if query.unit in group:
            return group
    return set()


def _fits(measure: set[str], fig: Figure) -> bool:
    if fig.unit in measure or any(unit_match(m, fig.unit) > 0 for m in measure if m in ("%", "元", "人")):
        return True
    money = "元" in measure and not fig.unit and fig.value >= 10_000  # 「贷款1.2亿」: money without 元
    return money or (measure is _AREA and fig.unit == "米" and "平方" in fig.text)


def measure_refusal(query: Query, best: Candidate) -> str:
    """Why the evidence sentence does not state the asked measure ("" when it does or nothing is insisted on); the
    digits of a quoted name (“12445 n”工作措施) measure nothing."""
    figures = counted(best.text)
    measure = asked_measure(query)
    if measure and not any(_fits(measure, f) for f in figures):
        stated = "、".join(f.text for f in figures) or "no figure"
        name = next(n for unit, n in _NAMES.items() if unit in measure)
        return f"{name} is asked; the evidence gives {stated}"
    chosen = best.figure
    if query.qtype == "numeric" and query.unit and query.unit not in _SHARES and chosen and chosen.unit in _SHARES:
        return f"a count ({query.unit}) is asked; the evidence gives a share ({chosen.text})"  # 「多少个村」: not 24%
    if (query.qtype == "numeric" and _COUNT_Q.search(query.norm) and query.unit not in _MONEY_UNITS and chosen
            and chosen.unit in _MONEY_UNITS):
        return f"a count is asked; the evidence gives money ({chosen.text})"  # 'how many incubators': not 0.8亿元
    rate = _RATE_Q.search(query.norm) if "%" in measure else None
    if rate and rate.group(1) not in normalize(best.text) and figures:  # 满意率 asked, 办结率 stated
        return f"the {rate.group(0)} is asked; the evidence states another measure"
    named = _EN_RATE_Q.search(query.norm) if "%" in measure and query.lang == "en" else None
    said = query.glosses.get(named.group(1), ()) if named else ()
    if named and said and figures and not any(w in normalize(best.text) for w in said):  # 满意 asked, 办结率 stated
        return f"the {named.group(0)} is asked; the evidence states another measure"
    if query.qtype == "numeric" and _AVERAGE_Q.search(query.norm) and figures and not _AVERAGE.search(best.text):
        return "an average is asked; the evidence states totals"  # 「平均每人多少钱」 of 「救助金231万元,331人受益」
    if query.qtype == "numeric" and (period := _PERIOD_Q.search(query.norm)) and not _PERIOD.search(best.text):
        return f"how often ({period.group(0)}) is asked; the evidence states no frequency"
    people = UNIT_GROUPS[0]
    if query.qtype == "numeric" and query.unit == "个" and figures and all(f.unit in people for f in figures):
        heads = [pos_tags(t)[-1][0] for t in focus_of(query).thing if t]  # the counted thing's head noun
        if not any(len(h) >= 2 and h in normalize(best.text) for h in heads):  # 「二等奖16名」 counts people
            return f"the question counts things; the evidence counts only people ({'、'.join(f.text for f in figures)})"
    return ""


_HEAD_ENDS = "室站点所员师馆院园厅团队组班"  # the last character of a place or role noun (咨询室, 咨询师)


def _siblings(term: str, passage: str, opening: bool = False) -> list[str]:
    """Names in ``passage`` that look like ``term`` but are not it: a quoted name sharing its first or last two
    characters (最美庭院 for 最美家庭), a name with its head and last character (巾帼信用贷 for 巾帼创业贷), a head
    noun one place-or-role character away (咨询室 for 心理咨询师), or, with ``opening``, for a long name, one opening
    with its first three (十佳好军嫂 for 十佳好媳妇)."""
    quoted = [n for n in _QUOTED.findall(passage) if len(n) >= 4 and (n[:2] == term[:2] or n[-2:] == term[-2:])]
    pattern = re.escape(term[:2]) + r"[\u4e00-\u9fff]{1,4}?" + re.escape(term[-1])
    opens = re.findall(re.escape(term[:3]) + r"[\u4e00-\u9fff]{1,3}", passage) if opening and len(term) >= 5 else []
    # a head noun one place-or-role character away (咨询室 for 心理咨询师)
    heads = [term[-3:-1] + c for c in re.findall(re.escape(term[-3:-1]) + f"([{_HEAD_ENDS}])", passage)]
    found = quoted + re.findall(pattern, passage) + opens + (heads if len(term) >= 4 else [])
    return [n for n in found if n != term and n not in term]


def _name_like(thing: str) -> bool:
    """Whether a counted thing is a name made of nouns (巾帼文明村, 儿童友好图书馆), not a phrase with a verb or a
    figure in it (陇原妹输转到了省外, 五好家庭): only such a thing can have a near-concept sibling."""
    return all(flag[0] in "njab" and flag != "ad" for _, flag in pos_tags(thing))  # 巾帼 is tagged b


_HONOURED = re.compile(
    r"(?:获评|评为|评上|荣获|获得|获|授予|命名为|入选|当选)了?([\u4e00-\u9fff]{4,12}?)(?:称号|荣誉)?(?:吗|的|呢|[?？,，]|$)"
)


def _honours(query: Query) -> tuple[str, ...]:
    """The title a Chinese question says something was awarded (「哪户家庭获评了全国文明家庭」 → 全国文明家庭)."""
    if query.lang == "en":
        return ()
    return tuple(m.group(1) for m in _HONOURED.finditer(query.norm))


def _own_names(query: Query) -> list[str]:
    """The names a question writes itself: in quotation marks (“五好家庭”), or in Chinese inside an English
    question (「Women's Micro-Homes (妇女微家)」) or quoted in it in English; three Chinese characters or more."""
    found = list(_QUOTED.findall(query.norm))
    if query.lang == "en":  # and the reports' names for the English names it quotes ('green families' → 绿色家庭)
        found += re.findall(r"[\u4e00-\u9fff]{3,}", query.norm) + query.terms
    names = [t for t in dict.fromkeys(found) if re.fullmatch(r"[\u4e00-\u9fff]{3,}", t)]
    return [t for t in names if not re.search(r"几|多少|什么|哪", t)]  # “几个一” asks, it names nothing


def _reworded(term: str, text: str) -> bool:
    """Whether ``text`` writes a name translated back from English (美丽庭院 for 'most beautiful courtyard') in
    its own words: its last two characters, a character of the rest a few characters before (最美庭院)."""
    head, rest = term[-2:], set(term[:-2])
    return bool(rest) and bool(re.search(rf"[{re.escape(''.join(rest))}][^,，。;；]{{0,3}}{re.escape(head)}", text))


_LEVEL = re.compile(r"^(?:国家级|全国|全省|全市|[省市县区镇乡村]级)")  # a level, not the thing's own name
_GENERIC = frozenset({"妇女", "女性", "妇联", "全市", "我市", "市妇联", "开展", "工作"})  # every report's words


def _clause_of(best: Candidate, wide: bool = False) -> str:
    """The clause of the evidence sentence that holds its chosen figure (``wide``: with the clause before it)."""
    assert best.figure is not None
    text = best.text
    lo = max(text.rfind(c, 0, best.figure.start) for c in ",，;；:：")
    if wide and lo > 0:
        lo = max(text.rfind(c, 0, lo) for c in ",，;；:：")
    his = [i for c in ",，;；。" if (i := text.find(c, best.figure.end)) >= 0]
    return normalize(text[lo + 1 : min(his, default=len(text))])


def concept_refusal(query: Query, best: Candidate) -> str:
    """Why the evidence is about a near concept: a name the question asks about (最美家庭), or the thing a numeric
    question counts (巾帼文明村), is neither in the passage nor in its headings, while the passage names a sibling
    (最美庭院, 巾帼示范村) or the figure's clause shares no two characters with it (「儿童友好学校」 asked,
    「取消收费项目7个」 found). An English question whose content words
    (through the domain glossary) are all absent from the passage and its headings is refused too, and an English
    count whose figure is written with none of the question's words in its clause or the one before.
    Leaves out: yes/no questions (a sibling there is a 否, ``qa.qualifiers``)."""
    if query.qtype == "yesno":
        return ""
    passage = normalize(best.hit.chunk.text)
    context = passage + " " + normalize(best.hit.chunk.meta.section)
    bare = re.sub(r"[()（）“”‘’\"'《》「」\s]", "", context)
    things = focus_of(query).thing[:1] if query.qtype == "numeric" and query.lang != "en" else ()
    things = tuple(_LEVEL.sub("", t) for t in things)  # 省级媒体报道 is looked at as 媒体报道 (an honour's 全国 is not)
    things = tuple(t for t in (*things, *_honours(query)) if _name_like(t))
    named = query.terms if query.lang != "en" else []  # an English name's translation is checked in its words
    for term in (*named, *things):
        if len(term) < 4 or not re.fullmatch(r"[\u4e00-\u9fff]+", term) or term in context or term in bare:
            continue
        if siblings := _siblings(term, passage, opening=term in query.terms):
            return f"the evidence is about {siblings[0]}, not {term}"
        if term in things and best.figure is not None and not grams(term) & grams(_clause_of(best)):
            return f"the evidence does not mention {term}, and its figure counts something else"
    own = _own_names(query)
    for term in own:
        if term not in context and term not in bare and not (query.lang == "en" and _reworded(term, bare)):
            return f"the evidence does not mention {term}, which the question names"
    if query.lang == "en" and not own:  # a name it writes itself, found above, is enough
        focus = focus_of(query)
        glossed = (w for gs in query.glosses.values() for w in gs)
        asked = [
            w for w in dict.fromkeys((*focus.thing, *focus.qualifiers, *glossed, *query.keywords))
            if len(w) >= 2 and w not in _GENERIC
        ]
        if query.qtype == "numeric" and best.figure is not None and asked and not any(
            w in _clause_of(best, wide=True) for w in asked
        ):  # 「全年共培训妇女3000余人」 for pregnant women screened: the figure counts something else
            return f"the evidence's figure is written with none of the asked words ({'、'.join(asked)})"
        words = list(dict.fromkeys(focus.thing + focus.qualifiers))
        if len(words) >= 3 and not any(w in context for w in words):
            return f"none of the asked things ({'、'.join(words)}) is in the evidence passage"
    return ""


# verbs the reports write one action with: a question's 拿下 is the report's 获, its 评出 the report's 选树
_KIN = (
    frozenset(["获", "获得", "荣获", "拿下", "拿到", "摘得", "斩获", "夺得", "赢得", "获评", "取得"]),
    frozenset(["评出", "评选", "评选出", "选树", "评定", "评为", "命名", "推选", "选出"]),
)


def _said(action: str, context: str) -> bool:
    """Whether the evidence says ``action``: the verb, its characters, its first character with a result
    complement (评出 as 评选出, 开出 as 开具), or a verb of its kin (拿下 as 获)."""
    return (
        action in context
        or all(ch in context for ch in action)
        or (len(action) == 2 and action[1] in "出完好成下到得" and action[0] in context)
        or any(action in kin and any(k in context for k in kin) for kin in _KIN)
    )


def _counts_the_thing(query: Query, sentence: str) -> bool:
    """Whether a figure of ``sentence`` has the question's counted thing (three characters or more) among the
    words attached to it (``qa.focus.label_of``)."""
    thing = [t for t in focus_of(query).thing if len(t) >= 3]
    figures = [f for f in find_figures(sentence) if not f.is_year]
    labels = [label_of(sentence, f, figures) for f in figures] if thing else []
    return any(t in normalize(label.before + label.after) for label in labels for t in thing)


def action_refusal(query: Query, best: Candidate) -> str:
    """Why the evidence counts the outcome of another action: the question's verb (培训) is neither in the evidence
    sentence nor in its passage's headings, nor are its characters or a verb of its kin (a screening count does not
    answer a training question), and no figure there counts the very thing asked. Leaves out: English questions
    (their verbs are matched through the embedding)."""
    if query.qtype != "numeric" or query.lang != "zh" or not (actions := asked_action(query.norm)):
        return ""
    context = normalize(best.text) + " " + normalize(best.hit.chunk.meta.section)
    if any(_said(a, context) for a in actions):
        return ""
    if _counts_the_thing(query, best.text):
        return ""  # a figure counts the very thing asked (「对接…女性求职者」 said 「为2000余名女性求职者牵线搭桥」)
    action = "/".join(actions)
    return f"the question asks what was done by {action}; the evidence does not say {action}"


def sibling_refusal(query: Query, best: Candidate) -> str:
    """Why the figure counts another thing: the evidence names the asked thing only in a list beside the thing its
    figure counts (「完善反家暴告诫书、人身保护令等,全年开具反家暴告诫书45份」 asked about 人身保护令)."""
    if query.qtype != "numeric" or best.figure is None:
        return ""
    figures = [f for f in find_figures(best.text) if not f.is_year]
    fig = next((f for f in figures if f.start == best.figure.start), None)
    if fig is None:
        return ""
    label = label_of(best.text, fig, figures)
    own = label.before + label.after
    sent = normalize(best.text)
    for thing in focus_of(query).thing:
        if len(thing) < 3 or thing in own or (at := sent.find(thing)) < 0:
            continue
        lo = max(sent.rfind(c, 0, at) for c in ",，;；。") + 1
        hi = min((i for c in ",，;；。" if (i := sent.find(c, at)) >= 0), default=len(sent))
        if lo <= fig.start < hi:  # the figure's own clause lists what it counts (「11间培训室、沙龙室、活动室」)
            continue
        items = [re.sub(r"等$", "", i) for i in re.split(r"[、和及与]", sent[lo:hi]) if i.strip()]
        counted = [i[-3:] for i in items if thing not in i and len(i) >= 3 and i[-3:] in own]
        if len(items) > 1 and counted:
            return f"the figure counts {counted[0]}; the evidence only lists {thing} beside it"
    return ""


def evidence_refusal(query: Query, best: Candidate, options: Options) -> tuple[Refusal, str] | None:
    """The refusal kind and a one-line reason when ``best`` does not answer ``query``, else None."""
    if not options.measure:
        return None
    if reason := measure_refusal(query, best):
        return Refusal.NO_MEASURE, reason
    if reason := concept_refusal(query, best) or action_refusal(query, best) or sibling_refusal(query, best):
        return Refusal.NO_CONCEPT, reason
    return None
