"""Qualifiers of a yes/no claim: scope (全国/全省/全市), level (国家级/省级/市级), how often (每周/每月), how many
levels (三级/四级联动), rank (第一/第二/首个), year, date (12月25日), month (7月), award grade (银奖/铜奖), extent
(全覆盖 vs 只覆盖一部分), day of the month (每月15日) and an age range (6-24个月).

``contradiction(question, evidence)`` returns what the evidence says instead when it states another member
of a qualifier group than the claim (「全省第一个」 asked as 「全国第一个」 → 全省), or "" when every qualifier
the claim makes is supported or not contradicted. English claims are read through a small word map.
Leaves out: figures (``qa.answer`` compares claimed and stated figures) and negation.
"""

from __future__ import annotations

import re

from core.text import CN_COUNT, CN_TEN, QUOTED_NAME, pos_tags
from qa.figures import CN_COUNT_UNITS, cn_value, figure_keys, find_figures
from qa.lexical import grams
from qa.places import is_province

_SCOPE = ("全国", "全省", "全市", "全县", "全区")
_BARE_SCOPE = re.compile(
    r"(?:获评|评为|授予|命名为|入选|创建|成为)((?:省|市)(?!级|委|政府|妇联|直|内|外)[\u4e00-\u9fff]{2,12})"
)
_LEVEL = ("国家级", "省级", "市级", "县级", "区级", "镇级", "村级")
_LEVEL_SCOPE = {"国家级": "全国", "省级": "全省", "市级": "全市", "县级": "全县", "区级": "全区"}
# how often: each member with the words that write it
_FREQ = {
    "每天": ("每天", "每日", "天天"), "每周": ("每周", "每星期", "每个星期", "周例会"),
    "每月": ("每月", "每个月", "月度", "月例会"), "每季度": ("每季度", "每季", "季度"), "每年": ("每年", "每一年"),
}
# how many levels a network has (「市镇村三级」 vs 「市镇社区村四级联动」), not 「三级医院」 asked as a level
_TIERS = re.compile(
    r"(?<![第\d])([一二三四五六七八九两]|\d)级(?=联动|网络|体系|组织|阵地|服务|全覆盖|书记|妇联|联创|共建|贯通|团体|会员)"
)
_NOT_COUNTED = set(CN_COUNT_UNITS.replace("|", "")) | set("级等倍成些起点")  # 「三级」「一等」 are other qualifiers
_RANK = re.compile(rf"第([{CN_TEN}]+|\d+)|首(?=个|家|届|批|位|次|所|支|创)")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?=年|\b)")
_TIMES_A = r"\b(?:once|twice|thrice|\w+ times) (?:a|per|each|every) "  # 「twice a week」
_EN = (
    (re.compile(r"\bnational(ly)?\b|\bnationwide\b|\bin (the )?(whole )?country\b|\bin china\b"), "全国"),
    (re.compile(r"\bprovince-?wide\b|\bin the (whole )?province\b"), "全省"),
    (re.compile(r"\bcity-?wide\b|\bin the (whole )?city\b"), "全市"),
    (re.compile(r"\bnational-level\b|\bstate-level\b"), "国家级"),
    (re.compile(r"\bprovincial(-level)?\b"), "省级"),
    (re.compile(r"\bcity-level\b|\bmunicipal(-level)?\b"), "市级"),
    (re.compile(r"\bcounty-level\b"), "县级"),
    (re.compile(rf"\bdaily\b|\bevery day\b|{_TIMES_A}(?:day)\b"), "每天"),
    (re.compile(rf"\bweekly\b|\bevery week\b|{_TIMES_A}week\b"), "每周"),
    (re.compile(rf"\bmonthly\b|\bevery month\b|{_TIMES_A}month\b"), "每月"),
    (re.compile(rf"\bquarterly\b|\bevery quarter\b|{_TIMES_A}quarter\b"), "每季度"),
    (re.compile(rf"\bannually\b|\byearly\b|\bevery year\b|{_TIMES_A}year\b"), "每年"),
    (re.compile(r"\b(?:two|2)[ -](?:levels?|tiers?)\b"), "两级联动"),
    (re.compile(r"\b(?:three|3)[ -](?:levels?|tiers?)\b"), "三级联动"),
    (re.compile(r"\b(?:four|4)[ -](?:levels?|tiers?)\b"), "四级联动"),
    (re.compile(r"\b(?:five|5)[ -](?:levels?|tiers?)\b"), "五级联动"),
    (re.compile(r"\bfirst\b"), "第一"),
    (re.compile(r"\bsecond\b"), "第二"),
    (re.compile(r"\bthird\b"), "第三"),
)


def _tier(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else 2 if raw == "两" else cn_value(raw)


def _rank(text: str) -> set[int]:
    out: set[int] = set()
    for m in _RANK.finditer(text):
        raw = m.group(1)
        if raw is None:
            out.add(1)
        elif (value := int(raw) if raw.isdigit() else cn_value(raw)) is not None:
            out.add(value)
    return out


def _claimed(question: str) -> str:
    """The question in Chinese qualifier words (English claims mapped through ``_EN``)."""
    extra = "".join(word for rx, word in _EN if rx.search(question))
    return question + extra


_PLACE_Q = re.compile(r"([\u4e00-\u9fff]{2,3}[省市县区])(?!级)([\u4e00-\u9fff“《]{2,4})")


def _trim(place: str) -> str:
    """Drop a function word caught before a place name (为山东省 → 山东省)."""
    return place[1:] if len(place) == 4 and place[0] in "为在的了与和由从到被向对给台成是获选" else place


def _other_place(claim: str, evidence: str) -> str:
    """Another place where the claim names one before the same words (山东省最佳… asked, 潍坊市最佳… stated)."""
    for m in _PLACE_Q.finditer(claim):
        place, follow = _trim(m.group(1)), m.group(2)
        if re.search(r"[了的是在把被实现]", place[:-1]):  # 「实现了市镇…」: no place name
            continue
        for hit in re.finditer(re.escape(follow[:2]), evidence):
            before = re.search(r"([\u4e00-\u9fff]{2,3}[省市县区])$", evidence[: hit.start()])
            stated = _trim(before.group(1)) if before else ""
            core = place[-3:]  # 「过温州市」 and 「办温州市」 name the same city: compare the name and its 市/省
            if stated[-3:] in claim:  # a place the claim names too (乐清市妇联 承办 温州市妇联…)
                continue
            if stated and not stated.endswith(core) and core not in evidence[max(0, hit.start() - 6) : hit.start()]:
                return stated
    return ""


_PIECES = re.compile(r"[；;。、]")  # an enumeration of different subjects' results


def _claim_clause(claim: str, evidence: str) -> str:
    """The clause of ``evidence`` that states the claim (most of its words), when one clause clearly does;
    else the whole evidence. 「刘亦光家庭获评全国最美家庭、汲淑艳家庭获评山东省最美家庭」 asked about 汲淑艳家庭
    → the second clause."""
    claimed = {k for f in find_figures(claim) if not f.is_year for k in figure_keys(f.text)}
    holding = [p for p in re.split(r"[,，;；。]", evidence) if claimed & figure_keys(p)]
    if len(holding) == 1:  # the one clause stating the claimed figure (「…,6户家庭被提名为省级“最美家庭”」)
        return holding[0]
    words = grams(re.sub("|".join((*_SCOPE, *_LEVEL)), " ", claim))
    pieces = [p for p in _PIECES.split(evidence) if p.strip()]
    if len(pieces) < 2 or not words:
        return evidence
    scored = sorted(((len(words & grams(p)), i) for i, p in enumerate(pieces)), reverse=True)
    (top, at), (second, _) = scored[0], scored[1]
    return pieces[at] if top >= 2 and top > second else evidence


def _as_scope(stated: str) -> str:
    """A stated scope as a scope word: a province (山东省) or a bare-省 title is 全省, a bare-市 title 全市."""
    if stated in _SCOPE:
        return stated
    return "全省" if stated.endswith("省") or stated[0] == "省" else ("全市" if stated[0] == "市" else stated)


def _scopes(text: str) -> list[str]:
    """The scope words a text states, a province's name counting as 全省 (山东省最美家庭 is a provincial title), as
    does a title awarded with a bare 省/市 (「获评省巾帼脱贫示范基地」)."""
    found = [w for w in _SCOPE if w in text]
    found += [m.group(1) for m in _BARE_SCOPE.finditer(text) if f"全{m.group(1)[0]}" not in found]
    if "全省" not in found:
        found += [p for p in _provinces(text) if p not in found]
    return found


def _provinces(text: str) -> list[str]:
    """Province names written with 省 (山东省, 黑龙江省)."""
    out = []
    for m in re.finditer("省", text):
        for k in (2, 3):
            name = text[max(0, m.start() - k) : m.end()]
            if len(name) == k + 1 and is_province(name):
                out.append(name)
                break
    return out


_WHOLE = re.compile(
    r"全覆盖|全部覆盖|全面覆盖|100%覆盖|覆盖率达到?100%|\bfull(?:y| coverage)\b|\bevery (?:one|single)\b"
)
_PART = re.compile(
    r"(?:只|仅)(?:覆盖|在|有)?了?(?:一)?部分|(?:一|少)部分|个别|少数|\bonly (?:some|part|a few|a portion)\b|"
    r"\bpartial(?:ly)?\b|\bnot all\b"
)
_DAY = re.compile(r"每(?:个)?月(\d{1,2})[日号]")
_EN_DAY = re.compile(r"\b(?:on )?the (\d{1,2})(?:st|nd|rd|th)|\b(first|last) day of (?:each|every|the) month")


_DATE = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})[日号]")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
)
_EN_DATE = re.compile(
    rf"\b({'|'.join(_MONTHS)})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({'|'.join(_MONTHS)})\b"
)


_ISO_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d\s*-\s*(0?[1-9]|1[0-2])\s*-\s*(0?[1-9]|[12]\d|3[01])(?!\d)")


def _dates(text: str) -> set[tuple[int, int]]:
    """The (month, day) dates a text names (「12月25日」, 「2023-06-19」, 「December 12」, 「the 12th of December」)."""
    out = {(int(m), int(d)) for m, d in _DATE.findall(text)} | {(int(m), int(d)) for m, d in _ISO_DATE.findall(text)}
    for m in _EN_DATE.finditer(text.lower()):
        month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        out.add((_MONTHS.index(month) + 1, int(day)))
    return out


_MONTH = re.compile(r"(?<![\d.])(1[0-2]|[1-9])月(?!份?\d)")
# an English month where it names one: after in/on/during/since/by/until or before a day (not the verb 「may」)
_EN_MONTH = re.compile(
    rf"\b(?:in|on|during|since|by|until|through|early|late|mid-?)\s+({'|'.join(_MONTHS)})\b|"
    rf"\b({'|'.join(m for m in _MONTHS if m != 'may')})\b"
)
_STAGE = re.compile(r"(?:初期|中期|终期|末期)(?=监测|评估|检查|考核|验收|督导)")  # which review of a plan
_AWARDS = ("特等奖", "一等奖", "二等奖", "三等奖", "金奖", "银奖", "铜奖", "优秀奖")
_EN_AWARDS = (
    (re.compile(r"\bgrand prize\b"), "特等奖"), (re.compile(r"\bfirst prize\b"), "一等奖"),
    (re.compile(r"\bsecond prize\b"), "二等奖"), (re.compile(r"\bthird prize\b"), "三等奖"),
    (re.compile(r"\bgold\b"), "金奖"), (re.compile(r"\bsilver\b"), "银奖"), (re.compile(r"\bbronze\b"), "铜奖"),
)


def _months(text: str) -> set[int]:
    """The months a text names (「11月」, 「in July」; a date's too: 「2020年8月5日」 is in August)."""
    out = {int(m) for m in _MONTH.findall(text)} | {month for month, _ in _dates(text)}
    for m in _EN_MONTH.finditer(text.lower()):
        out.add(_MONTHS.index(m.group(1) or m.group(2)) + 1)
    return out


def _awards(text: str) -> list[str]:
    """The award grades a text names (银奖, 二等奖, 「a silver award」 → 银奖)."""
    found = [w for w in _AWARDS if w in text]
    return found + [w for rx, w in _EN_AWARDS if rx.search(text.lower()) and w not in found]


def _extent(text: str) -> str:
    """Whether a text says something covers everything (「全覆盖」), only part (「只覆盖一部分」), or neither."""
    return "whole" if _WHOLE.search(text) else "part" if _PART.search(text) else ""


def _extent_words(evidence: str) -> str:
    """The words an evidence uses for its extent (「全覆盖」…)."""
    m = _WHOLE.search(evidence) or _PART.search(evidence)
    return m.group(0) if m else ""


_RANGE = re.compile(r"(\d+)\s*(?:-|—|–|~|～|至|到)\s*(\d+)\s*(个月|岁|周岁)")
_EN_RANGE = re.compile(r"\b(?:aged |from )?(\d+|zero) (?:to|-) (\d+)[ -](months?|years?)\b")


def _ranges(text: str) -> list[tuple[int, int, str, str]]:
    """Ranges of age written with their unit (「6-24个月龄」, 'aged 0 to 12 months'): low, high, unit, as written."""
    found = [
        (int(m.group(1)), int(m.group(2)), "岁" if "岁" in m.group(3) else "月", m.group(0))
        for m in _RANGE.finditer(text)
    ]
    for m in _EN_RANGE.finditer(text):
        low = 0 if m.group(1) == "zero" else int(m.group(1))
        found.append((low, int(m.group(2)), "月" if m.group(3).startswith("month") else "岁", m.group(0)))
    return found


def _days(text: str) -> set[int]:
    """Days of the month a text names for something monthly (「每月15日」, 「the first day of every month」)."""
    days = {int(d) for d in _DAY.findall(text)}
    for m in _EN_DAY.finditer(text):
        if m.group(1):
            days.add(int(m.group(1)))
        elif m.group(2) == "first":
            days.add(1)
    return days


def _named_piece(evidence: str, claim: str, words: tuple[str, ...]) -> str:
    """The piece of an enumeration (「每月一期“心绘堂”、每周一期“快乐周末”」) holding the quoted name the claim
    asks about (its own text or a Chinese word of an English claim), else the piece holding most of the claim's
    words, or ""."""
    for m in QUOTED_NAME.finditer(evidence):
        inner = m.group(0)[1:-1]
        if len(inner) >= 2 and (inner in claim or inner in words):
            lo = max(evidence.rfind(c, 0, m.start()) for c in "、,，;；。")
            his = [i for c in "、,，;；。" if (i := evidence.find(c, m.end())) >= 0]
            return evidence[lo + 1 : min(his, default=len(evidence))]
    # no quoted name: the one piece holding more of the claim's words than any other (「《日报》每月专版、电台每周
    # 专栏」 asked of the radio's column: 电台, 专栏)
    asked = [w for w in dict.fromkeys((*words, *grams(claim))) if len(w) >= 2]
    scored = sorted(((sum(w in p for w in asked), p) for p in _PIECES.split(evidence) if p.strip()), reverse=True)
    if len(scored) >= 2 and scored[0][0] >= 2 and scored[0][0] > scored[1][0]:
        return scored[0][1]
    return ""


_FOUND = ("成立", "建立", "设立", "建成", "创建", "组建")  # verbs of setting a thing up, one for another
_WHERE_CLAIM = re.compile(r"在([\u4e00-\u9fff]{2,4}?)[县区市镇乡]?(成立|建立|设立|建成|举办|开展|创建)")
_WHERE_FAR = re.compile(rf"在(?![全各每本我])([\u4e00-\u9fff]{{2,8}}?)[里内中]?的?({'|'.join(_FOUND)})")
_WHERE_SAID = r"在([\u4e00-\u9fff\d、和及]{{2,40}}?)(?:分别|先后|陆续|相继)?(?:{verb})"


def _other_places(claim: str, evidence: str) -> str:
    """The places the evidence says a thing was done in when the claim says another (「在甲县成立了…吗」 against
    「在乙县、丙县分别成立了…」; 「在苏州等地工厂里建立的…吗」 against 「在甘谷县…等15个…基地成立…」, a verb of
    setting up for another), or ""."""
    if asked := _WHERE_CLAIM.search(claim):
        said = re.search(_WHERE_SAID.format(verb=asked.group(2)), evidence)
        if said and asked.group(1) not in said.group(1) and re.search(r"[、和及]", said.group(1)):
            return said.group(1)
    if (far := _WHERE_FAR.search(claim)) and (said := re.search(_WHERE_SAID.format(verb="|".join(_FOUND)), evidence)):
        place, tag = pos_tags(far.group(1))[0]  # the place's name (苏州 of 「苏州等地工厂」)
        if tag == "ns" and place not in evidence:
            return said.group(1)
    return ""


_NAMED_PLACE = re.compile(r"[\u4e00-\u9fff]{2,4}[县区镇乡村]")


def _other_named(words: tuple[str, ...], evidence: str) -> str:
    """The places the evidence lists when an English claim names another by its pinyin (「Gangu County」 →
    甘谷县, against 「在秦州、武山、秦安、清水县分别成立」), or ""."""
    for place in (w for w in words if _NAMED_PLACE.fullmatch(w)):
        if place[:-1] in evidence:
            continue
        run = rf"(?<=[在于赴到])([\u4e00-\u9fff]{{2,4}}(?:、[\u4e00-\u9fff]{{2,4}})+{place[-1]})"  # 在乙、丙、丁县
        listed = re.search(run, evidence)
        if listed:
            return listed.group(1)
    return ""


_PARTNER = re.compile(
    r"(?:联合|会同|携手|协同|与|和|同|跟|对象是)"
    r"((?:市|县|区|省)?[\u4e00-\u9fff]{1,6}?(?:部门|局|委员会|委|院|厅|办|协会|中心|公司|银行|大学|学校|集团))"
)


def _bare(body: str) -> str:
    """A body's name without the level before it (市公安部门 → 公安部门)."""
    return re.sub(r"^[市县区省]", "", body)


def _partners(text: str) -> list[str]:
    """The bodies a text says something was done together with (「联合公安部门举办…」 → 公安部门)."""
    return list(dict.fromkeys(m.group(1) for m in _PARTNER.finditer(text)))


_EN_PARTNER = re.compile(
    r"\b(?:together with|jointly with|in partnership with|partnering with|alongside|with) the (?:[a-z'-]+ ){0,3}?"
    r"(?:court|bureau|department|bank|university|college|school|committee|commission|association|cent(?:er|re)|"
    r"office|company|corporation|group|police|procuratorate)s?\b"
)
_BODY = re.compile(r"[\u4e00-\u9fff]{1,6}(?:部门|局|委员会|委|院|厅|办|协会|中心|公司|银行|大学|学校|集团)")


def _partner_clause(evidence: str, claim: str, words: tuple[str, ...]) -> str:
    """Of the evidence's clauses naming a partner (「联合市法院举行开放日活动,联合市司法局拍摄案例」), the one
    sharing most of the claim's words other than the bodies' (拍摄, 案例 for 'film … case videos'), when one
    clearly does; else the whole evidence."""
    pieces = [p for p in re.split(r"[,，;；。]", evidence) if _PARTNER.search(p)]
    if len(pieces) < 2:
        return evidence
    asked = {w for w in (*words, *grams(claim)) if len(w) >= 2 and not _BODY.fullmatch(w)}
    scored = sorted(((sum(w in p for w in asked), i) for i, p in enumerate(pieces)), reverse=True)
    return pieces[scored[0][1]] if scored[0][0] > scored[1][0] else evidence


def _claimed_partners(claim: str, words: tuple[str, ...]) -> list[str]:
    """The bodies a claim says something was done with: its own Chinese (「和消防部门一起」), or for an English
    claim written 'with the …', the glosses that name a body (法院 for 'the city court')."""
    if _EN_PARTNER.search(claim):  # (a verb's gloss ending like a body, 创办 for 'launch', names none)
        return [w for w in words if _BODY.fullmatch(w) and not pos_tags(w)[0][1].startswith("v")]
    return _partners(claim)


_NUMERALS = CN_COUNT
# a name counted by its numeral (“五进活动”, “三服务”): the numeral and the word it counts, in a quote
_NUMBERED = re.compile(rf"[“「『‘《\"]([{_NUMERALS}])([\u4e00-\u9fff])")
# words a claim counts by a Chinese numeral (六项主题活动, 十三五规划): the whole numeral and the two characters after
_COUNTED_WORDS = re.compile(rf"(?<![{_NUMERALS}百千万第])([{_NUMERALS}]+)([\u4e00-\u9fff]{{2}})")


def _shared_opening(a: str, b: str) -> str:
    """The Chinese characters two texts open with alike (「活动吗」, 「活动,」 → 活动)."""
    out = ""
    for x, y in zip(a, b, strict=False):
        if x != y or not "\u4e00" <= x <= "\u9fff":
            break
        out += x
    return out


def _other_numbered(claim: str, evidence: str) -> str:
    """The evidence's quoted name counted by another numeral than the claim's (「六进活动」 claimed, “五进活动”
    stated), or the words a claim counts by a Chinese numeral written with another (「六项主题活动」 claimed,
    「五项主题活动」 stated; 「“六项机制”」), or ""."""
    for m in _COUNTED_WORDS.finditer(claim):
        numeral, counted = m.groups()
        said = re.search(rf"(?<![{_NUMERALS}])([{_NUMERALS}]+){re.escape(counted)}", evidence)
        if said and said.group(1) != numeral and m.group(0) not in evidence:
            return said.group(0) + _shared_opening(claim[m.end() :], evidence[said.end() :])  # 六项主题活动
    stated = {m.group(2): m for m in _NUMBERED.finditer(evidence) if m.group(2) not in _NOT_COUNTED}
    for m in re.finditer(rf"([{_NUMERALS}])([\u4e00-\u9fff])", claim):
        said = stated.get(m.group(2))
        if said and said.group(1) != m.group(1) and m.group(0) not in evidence:
            close = min((i for c in "”」』’\"》" if (i := evidence.find(c, said.end())) >= 0), default=said.end())
            return evidence[said.start() : close + 1]
    return ""


_IS_WHAT = re.compile(  # 「…,是巾帼志愿者吗」, 「是不是巾帼志愿者」
    r"(?:是不是([\u4e00-\u9fff“”「」]{2,12}?)|是(?!否)([\u4e00-\u9fff“”「」]{2,12}?)(?:吗|呢))[?？]?$"
)


def _counted_as(evidence: str, end: int) -> str:
    """The noun a figure ending at ``end`` counts (「1.3万余名妇联执委参与…」 → 妇联执委), or ""."""
    words = []
    for word, flag in pos_tags(evidence[end : end + 12]):
        if not flag.startswith(("n", "j", "b")):
            break
        words.append(word)
    return "".join(words)


def _other_kind(claim: str, evidence: str) -> str:
    """What the evidence says a claimed figure counts when the claim says it is something else (「那1.3万余人，
    是巾帼志愿者吗」 against 「1.3万余名妇联执委」: 1.3万余名妇联执委), or ""."""
    asked = _IS_WHAT.search(claim)
    said = [f for f in find_figures(claim[: asked.start()]) if not f.is_year] if asked else []
    if not asked or not said:
        return ""
    kind = re.sub(r"[“”「」]", "", asked.group(1) or asked.group(2))
    if kind in evidence or re.search("[的了在把被给]", kind) or _counted_as(kind, 0) != kind:
        return ""  # 「是在社区参与的吗」 asks no kind
    for fig in find_figures(evidence):
        if figure_keys(fig.text) & figure_keys(said[-1].text) and (noun := _counted_as(evidence, fig.end)):
            return "" if noun in kind or kind in noun else evidence[fig.start : fig.end] + noun
    return ""


_ROLE = r"(?:主席|主任|书记|会长|部长|局长|理事长|秘书长|队长|组长|站长|校长|院长|所长)"


def _other_rank(claim: str, evidence: str) -> str:
    """The office the evidence names when the claim names its deputy or the reverse (「村妇代会副主任」 claimed,
    「村妇代会主任」 stated), or ""."""
    for m in re.finditer(rf"(副)?({_ROLE})", claim):
        role = m.group(2)
        deputy = re.search(rf"[\u4e00-\u9fff]{{0,4}}副{role}", evidence)
        plain = re.search(rf"[\u4e00-\u9fff]{{0,4}}(?<!副){role}", evidence)
        if m.group(1) and plain and not deputy:
            return plain.group(0)
        if not m.group(1) and deputy and not plain:
            return deputy.group(0)
    return ""


def near_name(question: str, evidence: str) -> str:
    """The evidence's quoted name a claim's quoted name nearly writes — counted by another numeral (“六个一” for
    「五个一」) or a few characters changed (“七色花” for 「七彩花」) — or ""."""
    claim = _claimed(question)
    return _other_numbered(claim, evidence) or _other_quoted(claim, evidence)


def _other_quoted(claim: str, evidence: str) -> str:
    """The evidence's quoted name that the claim's quoted name nearly writes — as long, most characters alike in
    place (「七彩花」 claimed, “七色花” stated) — when the claim's own is not in the evidence; or ""."""
    for m in QUOTED_NAME.finditer(claim):
        asked = m.group(0)[1:-1]
        if len(asked) < 3 or asked in evidence:
            continue
        for q in QUOTED_NAME.finditer(evidence):
            said = q.group(0)[1:-1]
            alike = sum(a == b for a, b in zip(asked, said, strict=False))
            if len(said) == len(asked) and said != asked and alike >= max(2, len(asked) - 2) and alike * 2 > len(asked):
                return q.group(0)
    return ""


# where something was done, as one of a pair (「线下观展」 claimed, 「线上观展」 stated)
_SIDES = (("线上", "线下"), ("省内", "省外"), ("市内", "市外"), ("城镇", "农村"), ("城区", "农村"))
_EN_SIDES = ((re.compile(r"\bonline\b"), "线上"), (re.compile(r"\boffline\b|\bin person\b|\bon site\b"), "线下"))


def _other_side(claim: str, evidence: str) -> str:
    """The other side of a pair the evidence states where the claim states one side alone (线下 claimed, only
    线上 stated), or ""."""
    claimed = claim + "".join(word for rx, word in _EN_SIDES if rx.search(claim))
    for pair in _SIDES:
        for side, other in (pair, pair[::-1]):
            if side in claimed and other not in claimed and other in evidence and side not in evidence:
                return other
    return ""


def contradiction(question: str, evidence: str, words: tuple[str, ...] = ()) -> str:
    """What the evidence states instead of one of the claim's qualifiers, or "" if nothing contradicts. The
    qualifiers are read in the clause that states the claim when the evidence has several; how often, in the
    piece naming the claim's quoted name (``words``: the claim's Chinese words, an English one's glosses)."""
    claim = _claimed(question)
    if other := (
        _other_place(claim, evidence) or _other_places(claim, evidence) or _other_named(words, evidence)
        or _other_numbered(claim, evidence) or _other_kind(claim, evidence) or _other_quoted(claim, evidence)
    ):
        return other
    whole, evidence = evidence, _claim_clause(claim, evidence)
    if rank := _other_rank(claim, evidence) or _other_side(claim, evidence):
        return rank
    asked, stated = [w for w in _SCOPE if w in claim], _scopes(evidence)
    as_scope = [_as_scope(w) for w in stated]
    if asked and stated and not set(asked) & set(as_scope):
        return stated[0]
    levels = [w for w in _LEVEL if w in evidence and w in _LEVEL_SCOPE]
    if asked and not stated and levels and not set(asked) & {_LEVEL_SCOPE[w] for w in levels}:
        return levels[0]  # 全国 asked, 「被提名为省级“最美家庭”」 stated
    # a level asked against a scope stated (省级 asked, 全国…示范基地 stated; 国家级 asked, 浙江省…示范市 stated)
    asked_level = {_LEVEL_SCOPE[w] for w in _LEVEL if w in claim and w in _LEVEL_SCOPE}
    stated_level = {_LEVEL_SCOPE[w] for w in _LEVEL if w in evidence and w in _LEVEL_SCOPE}
    if asked_level and not stated_level and as_scope and not asked_level & set(as_scope):
        return stated[0]
    for group in (_LEVEL,):
        asked = [w for w in group if w in claim]
        stated = [w for w in group if w in evidence]
        if asked and stated and not set(asked) & set(stated):
            return stated[0]
    asked_freq = {k for k, said in _FREQ.items() if any(w in claim for w in said)}
    piece = _named_piece(evidence, claim, words)
    stated_freq = [k for k, said in _FREQ.items() if any(w in piece for w in said)] or [
        k for k, said in _FREQ.items() if any(w in evidence for w in said)
    ]
    if asked_freq and stated_freq and not asked_freq & set(stated_freq):
        return next(w for w in _FREQ[stated_freq[0]] if w in evidence)  # as the report writes it (季度例会: 季度)
    if (extent := _extent(claim)) and (said := _extent(evidence)) and extent != said:
        return _extent_words(evidence)
    asked_days, stated_days = _days(claim), _days(evidence)
    if asked_days and stated_days and not asked_days & stated_days:
        return f"每月{sorted(stated_days)[0]}日"
    asked_dates, stated_dates = _dates(claim), _dates(evidence)
    if asked_dates and stated_dates and not asked_dates & stated_dates:
        month, day = sorted(stated_dates)[0]
        return f"{month}月{day}日"
    asked_months, stated_months = _months(claim), _months(evidence)
    if asked_months and stated_months and not asked_months & stated_months:
        return f"{sorted(stated_months)[0]}月"
    asked_stage, stated_stage = _STAGE.findall(claim), _STAGE.findall(evidence)
    if asked_stage and stated_stage and not set(asked_stage) & set(stated_stage):
        return stated_stage[0]  # 「中期评估」 claimed, 「终期评估」 stated
    asked_awards, stated_awards = _awards(claim), _awards(evidence)
    if asked_awards and stated_awards and not set(asked_awards) & set(stated_awards):
        return stated_awards[0]
    asked_tiers = {_tier(m.group(1)) for m in _TIERS.finditer(claim)}
    stated_tiers = [m.group(0) for m in _TIERS.finditer(evidence)]
    if asked_tiers and stated_tiers and not asked_tiers & {_tier(t[:-1]) for t in stated_tiers}:
        return stated_tiers[0]
    asked_ranges, stated_ranges = _ranges(claim), _ranges(evidence)
    if (
        asked_ranges
        and not {r[:3] for r in asked_ranges} & {r[:3] for r in stated_ranges}
        and any(a[2] == b[2] for a in asked_ranges for b in stated_ranges)
    ):
        return stated_ranges[0][3]
    asked_rank, stated_rank = _rank(claim), _rank(evidence)
    if asked_rank and stated_rank and not asked_rank & stated_rank:
        m = _RANK.search(evidence)
        return m.group(0) if m else ""
    asked_partners = _claimed_partners(claim, words)
    stated_partners = _partners(_partner_clause(whole, claim, words)) if asked_partners else []
    if asked_partners and stated_partners and not any(
        _bare(a) in b or _bare(b) in a for a in asked_partners for b in stated_partners
    ):
        return stated_partners[0]
    asked_years = set(_YEAR.findall(claim))
    stated_years = set(_YEAR.findall(evidence))
    if asked_years and stated_years and not asked_years & stated_years:
        return f"{sorted(stated_years)[0]}年"
    return ""
