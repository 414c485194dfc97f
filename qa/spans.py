"""The asked name in an evidence sentence: a quoted name, a title, a person, a place or a date.

``asked_kind`` tells what an entity question wants (「叫什么/什么品牌」 → name, 「谁」 → person, 「哪里」 → place,
「哪天」 → date). ``find_span`` fills the question's slot from the sentence: the words the question puts around
its question word are found in the sentence and the span between them is the answer (「跟哪家单位签了协议」 →
「与省联社东营审计中心签订」); failing that, the quoted 「“…”」/《…》 name, person or place nearest to the
question's words. Leaves out: choosing the sentence (``qa.evidence``) and names spread over sentences.
"""

from __future__ import annotations

import re

from core.sentences import PAGE_DATE
from core.text import QUOTED_NAME, detect_lang, normalize, pos_tags
from qa.lexical import grams
from qa.query import DATE_ASKED_ZH

_ORG_ENDS = "基金会 联合会 协会 委员会 中心 办公室 督导组 工作组 工委"  # the words an organisation's name ends with
_EN_TYPES = {  # an English question's type of thing and the words the reports end such names with
    "court": "法院", "company": "公司", "bank": "银行", "studio": "工作室", "newspaper": "报",
    "school": "学校 大学 学院", "hospital": "医院", "association": "协会", "team": "队", "platform": "平台",
    "village": "村", "county": "县",
    "project": "项目", "programme": "项目", "program": "项目", "campaign": "活动", "brand": "品牌", "award": "奖",
    "store": "超市 商店 店", "shop": "店 商店", "supermarket": "超市", "office": "办 办公室 室", "bureau": "局",
    "university": "大学", "college": "学院",
    "document": "文件", "organisation": _ORG_ENDS, "organization": _ORG_ENDS, "body": _ORG_ENDS,
    "agency": _ORG_ENDS, "institution": _ORG_ENDS, "foundation": "基金会", "fund": "基金",
    "book": "书", "magazine": "刊 杂志", "journal": "刊", "department": "部门 部 局 办公室 室",
    "prize": "奖", "product": "产品", "unit": "单位", "enterprise": "企业", "alliance": "联盟", "league": "联盟",
    "centre": "中心", "center": "中心", "hotline": "热线", "salon": "沙龙", "column": "专栏 栏目",
    "contest": "大赛 比赛 竞赛", "competition": "大赛 比赛 竞赛", "park": "园", "hall": "馆", "base": "基地",
    "station": "站 驿站", "mechanism": "机制", "exhibition": "展区 展", "livestream": "直播",
    "initiative": "行动 工程", "action": "行动", "plan": "计划 方案", "class": "班", "festival": "节",
}
_NAME = re.compile(
    r"叫什么|叫啥|什么名|名称|以什么为|名字|品牌|称号|口号|标题|题目|书名|篇名|主题是什么|评出了什么|什么奖|哪个奖|"
    r"什么(?:产品|活动|项目|工程|行动|计划|平台|节目|栏目|荣誉|书|报|刊|展区|基地|组织|服务|机制|模式)|"
    r"哪(?:个|家|所|本|部|项|支)(?:单位|银行|公司|企业|工作室|法院|机构|平台|项目|活动|组织|学校|医院|协会|团队|队)|"
    r"哪(?:本|部|篇|首)|(?:进|入|为|成)了?什么[？?]?$|"
    r"\bname[ds]?\b|\bcalled\b|\bbrand\b|\btitle\b|\bslogan\b|\btheme\b|\bwhat (?:award|prize|product|honou?r)\b|"
    rf"\bwhich (?:[\w'-]+ ){{0,3}}?(?:{'|'.join(_EN_TYPES)})s?\b|"  # 「which online business school」
    rf"\bwhat (?:(?:is|was|are|were) )?(?:the |an? )?(?:[\w'-]+ ){{0,3}}?(?:{'|'.join(_EN_TYPES)})s?\b"
)
_PERSON = re.compile(
    r"谁|哪位|哪户|\bwho\b|\bwhose\b|\bwhich (?:family|person|woman|(?:vice[- ])?(?:chair|chairwoman|chairman|"
    r"president|secretary|director|mayor|head)s?)\b|\bwhich (?:[\w'-]+ ){0,2}?(?:reporter|journalist)s?\b"
)
# English role words and the Chinese ones the reports write them with
_EN_ROLES = (
    (re.compile(r"\bvice[- ](?:chair|chairwoman|chairman|president)"), "副主席"),
    (re.compile(r"\b(?:chair|chairwoman|chairman|president)\b"), "主席"),
    (re.compile(r"\b(?:party )?secretary\b"), "书记"),
    (re.compile(r"\bdirector\b"), "主任"),
    (re.compile(r"\bmayor\b"), "市长"),
    (re.compile(r"\b(?:reporter|journalist)s?\b"), "记者"),
)
_PLACE = re.compile(
    r"哪里|在哪(?![个家本所部项支])|去哪|到哪|哪个(?:村|镇|县|区|乡|社区|街道|地方|城市|省)|"  # (在哪个平台: a name)
    r"\bwhere\b|\bwhich (?:village|town|county|district|city|place|province)\b"
)
_DATE = re.compile(  # (「when it reshuffled its departments」 is a clause, no question of a date)
    rf"{DATE_ASKED_ZH}|"
    r"^when\b|\bwhen (?:did|was|were|is|are|does|do|has|have|had)\b|\bwhat date\b|\bwhich (?:day|year|month)\b"
)
_WH = re.compile(
    r"(?:是)?(?:叫什么名字|叫什么|叫啥|什么(?:名字|名称)?|哪(?:个|家|所|本|部|项|支|位|户|里|天|一天|年|一年)?|谁|何时)"
)
DATE_SPAN = re.compile(  # a date as a sentence writes it, a month at least (a page's 2020- 03- 11 too)
    rf"{PAGE_DATE.pattern}|"
    r"(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{4}年|(?<![\d.])\d{1,2}月(?!份?\d)"
)
_STOPS = "，,；;。！？!?：:、（）()"
_SYNONYMS = {"跟": ("与", "和", "同", "跟"), "和": ("与", "和", "同", "跟"), "与": ("与", "和", "同", "跟")}
_PLACE_END = re.compile(r"[\u4e00-\u9fff0-9]{1,12}(?:村|镇|乡|县|区|街道|社区|园|馆|中心|基地)$")
# 「在义乌举办」: the place between 在 and an event verb
_PLACE_AT = re.compile(r"在([\u4e00-\u9fff]{2,8}?)(?:举办|举行|召开|开展|参加|设立|建立|成立)")
# a subject's leading verbs and adverbs, not part of the name (「成功推荐X获评」 → X)
_LEAD = re.compile(
    r"^(?:成功|先后|积极|共|全市|我市|本市|由|经|使|让|其中)*(?:推荐|指导|组织|帮助|支持|推动|推选|协调)?"
)
# an award's grade after its quoted name (「“…合唱节”铜奖第一名」)
_AWARD = re.compile(r"^(?:[金银铜]奖|[一二三]等奖|特等奖|优秀奖|大奖|奖)(?:第[一二三四五六七八九十\d]名)?")
# role words whose holder a 「谁」 question asks for
_ROLE = re.compile(r"(?:副)?(?:主席|书记|主任|部长|院长|局长|会长|队长|理事长|秘书长|市长|县长|区长|负责人)|记者")
_TITLE_NOUNS = ("书", "文件", "报", "刊", "杂志", "歌", "节目", "倡议书", "意见", "通知", "办法")


def asked_kind(norm: str) -> str:
    """"name" | "person" | "place" | "date" | "" for the question's normalised text (a name too when the question's
    什么/哪个 names a type of thing: 「建立了什么制度」, 「哪家茶厂」)."""
    for kind, rx in (("date", _DATE), ("person", _PERSON), ("place", _PLACE), ("name", _NAME)):
        if rx.search(norm):
            return kind
    return "name" if asked_type(norm) or _QUOTED_PART.search(norm) else ""


_VERB_WHAT = re.compile(r"([\u4e00-\u9fff]{2})了?(?:哪些|什么)[？?]?$")  # 「评选了什么」


def verb_object(sentence: str, question_norm: str) -> str:
    """The quoted name right after the verb a question ends by asking the object of (「评选了什么」 →
    「评选“最美村妇联主席”」: “最美村妇联主席”), or ""."""
    m = _VERB_WHAT.search(question_norm)
    if not m or pos_tags(m.group(1))[0][1] != "v":
        return ""
    hit = re.search(rf"{m.group(1)}了?[\u4e00-\u9fff]{{0,4}}?(“[^”]{{2,30}}”|《[^》]{{2,40}}》)", normalize(sentence))
    return hit.group(1) if hit and hit.group(1)[1:-1] not in question_norm else ""


# 「以什么“小”来优化“大环境”」: the name asked is a quoted one holding the quoted word
_QUOTED_PART = re.compile(r"(?:什么|哪个|哪一个)[“「]([^”」]{1,6})[”」]")


def _quoted_part(sent: str, question_norm: str) -> str:
    """The one quoted name of ``sent`` holding the word the question quotes after 什么 (「什么“小”」 →
    “小视角”) and not written in the question, or ""."""
    m = _QUOTED_PART.search(question_norm)
    found = [
        q.group(0) for q in QUOTED_NAME.finditer(sent) if m and m.group(1) in q.group(0)[1:-1]
        and q.group(0)[1:-1] not in question_norm
    ] if m else []
    return found[0] if len(set(found)) == 1 else ""


_WHAT = re.compile(r"什么(?!名字|名称)|哪一?(?:个|家|所|本|部|项|支|种|类|条|座|间|份)")
_TITLE_ASKED = re.compile(r"标题|书名|篇名|题目|\btitle\b")  # a title is written in 《》
_NAMED_BY = re.compile(r"(?:叫做|叫作|名为|称为|叫|是)(?:什么|啥)")
_NOUNISH = ("n", "vn", "nz", "j", "ng", "nt", "nr")
_NAMING_WORDS = ("题目", "名称", "名字", "标题", "主题", "口号")
_TYPE_VERBS = frozenset({"做法", "举措", "办法", "经验"})  # type nouns of names that jieba tags as verbs
_ORG_TYPES = frozenset({"部门", "单位", "机构", "机关"})  # 「哪个部门」 asks an organisation's name
# an organisation's name: a government or Party body's prefix, a few characters, its kind (市委改革办, 市人社局)
_ORG = re.compile(
    r"(?:中共)?(?:[省市县区]委|[省市县区]政府|[省市县区])(?:(?!妇联|联合)[\u4e00-\u9fff]){1,10}?"
    r"(?:办公室|委员会|中心|部|办|局|委|厅|院|处|所)(?=[作为被在和与及获、,，。;；]|开展|举办|发起|启动|共同|组织|印发|$)"
)


def asked_type(norm: str) -> str:
    """The type of thing a Chinese question's 什么/哪个 asks the name of, as the question writes it: the nouns
    after the question word (「建立了什么制度」 → 制度, 「什么推进模式」 → 推进模式, 「哪家茶厂」 → 茶厂) or, for
    「X叫什么」, the noun before it (「工作品牌叫什么」 → 品牌); "" when none (「起到了什么作用」 is not a name)."""
    words: list[str] = []
    if m := _WHAT.search(norm):
        after = m.end() + (norm[m.end() : m.end() + 1] == "的")  # 「哪家的检测服务项目」
        if norm.startswith("样的", m.end()):
            after = m.end() + 2  # 「什么样的…工作新模式」 asks the name of a 模式 too
        if norm.startswith("关于", after) and (of := norm.find("的", after, after + 24)) > 0:
            after = of + 1  # 「哪一份关于妇儿工委的制度文件」: the type after what it is about
        tags = pos_tags(norm[after:])[:4]
        for i, (word, flag) in enumerate(tags[:3]):
            if word in _TYPE_VERBS and not words:  # 「什么做法」: a type noun tagged as a verb
                words.append(word)
                break
            if flag in _NOUNISH or (flag in ("v", "b", "q") and not words and len(word) == 2):  # 「什么巾帼行动」,
                # 「什么系列活动」
                words.append(word)
            elif words and i + 1 < len(tags) and len(tags[i + 1][0]) == 1 and tags[i + 1][1] in ("zg", "ng"):
                words += [word, tags[i + 1][0]]  # 「文化创意园」 comes out 文化/创意/园: the type ends with 园
                break
            else:
                break
        while words and pos_tags(words[-1])[0][1] == "v" and words[-1] not in _TYPE_VERBS:  # 「什么推进」: no type
            words.pop()
    if not words and (m := _NAMED_BY.search(norm)):
        tags = [(w, f) for w, f in pos_tags(norm[: m.start()]) if w.strip()]
        while len(tags) > 2 and tags[-1][0] in _NAMING_WORDS:  # 「讲座(的)题目是什么」: the type is what is
            tags = tags[:-1]  # named (「演讲比赛，主题名称是什么」: 演讲比赛)
            while tags and tags[-1][0] in ("的", "，", ",", "、"):  # 「那份实施意见，标题是什么」
                tags.pop()
        if not tags or tags[-1][1] not in _NOUNISH or len(tags[-1][0]) < 2:
            return ""
        while tags and tags[-1][1] in _NOUNISH and len(words) < 3:  # 「公益助学项目叫什么」 → 公益助学项目
            words.insert(0, tags.pop()[0])
    return "".join(words)


# verbs that take what follows as their object, as a preposition does (「依托…园」, 「联合…局」); those that no
# name holds (联合会 does) start a name after them
_PREPOSITIONAL = re.compile(r".*(?:依托|依靠|利用|借助|通过|围绕|面向|针对|依据|根据|按照)")
_COVERB = re.compile(rf"{_PREPOSITIONAL.pattern[2:]}|联合|携手|会同|结合|对接|走进|深入|进入")


def _quote_typed(sent: str, asked: str, question_norm: str) -> str:
    """The quoted name (or run of adjacent quoted names) the sentence calls by the asked type in the same clause
    (「建立“互查互比互评”制度」 → “互查互比互评”, 「“一带一路一街区”“1+1+N”妇建联盟模式」, 「成立“…维权驿站”」
    for the 驿站); of several, the one whose words before the type share most with the question's
    (「“邑润花开”公益助学活动项目」 for 「公益助学项目」), then the nearest to its type. "" when none."""
    noun, qualifier = asked[-2:], asked[:-2]
    best, best_score = "", 0.0
    for m in QUOTED_NAME.finditer(sent):
        inner = m.group(0)[1:-1]
        if inner in question_norm:
            continue
        tail = re.split(r"[,，;；。!！?？:：“《「]", sent[m.end() :], maxsplit=1)[0][:20]
        gap = 0 if inner.endswith(noun) else tail.find(noun)
        if not (0 <= gap <= 16 and (inner.endswith(noun) or _is_head(tail[gap + len(noun) :]))):
            continue
        if gap and _COVERB.match(tail):
            continue  # 「“巾帼巧手脱贫行动”依托天水66号文化创意园」: the type is the object of another verb
        shared = sum(c in tail[:gap] for c in set(qualifier)) / len(set(qualifier)) if qualifier else 0.0
        score = 1 + shared - 0.01 * gap
        if score > best_score:
            run, lo = m.group(0), m.start()
            while (prev := [q for q in QUOTED_NAME.finditer(sent[:lo]) if q.end() == lo]) and len(run) < 40:
                lo = prev[-1].start()
                run = prev[-1].group(0) + run
            best, best_score = run + _grade(sent, m.end(), question_norm), score
    return best


def _is_head(rest: str) -> bool:
    """Whether the type noun just read ends its phrase, given the text after it (「“…”制度,」 yes; 「“家”文化主题活动」
    no: there 主题 qualifies 活动; 「铜奖第一名」 yes: a grade may follow)."""
    if not rest or rest[0] in "等第暨":  # 「…活动暨书香嘉年华」: 暨 joins a second event
        return True
    return pos_tags(rest)[0][1] not in _NOUNISH


_NAMING = re.compile(r"叫什么|叫啥|什么名字|什么名称|\bname\b|\bcalled\b")
_CLASSIFIER_WH = re.compile(r"哪(?:个|家|所|本|部|项|支|位|户)$")
_TYPE_NOUN = re.compile(
    r"^[\u4e00-\u9fff]{1,3}?(?=建|设|开|举|发|获|创|签|参|推|联|组|成|是|在|的|吗|给|向|为|对|把|将|被|与|跟|？|\?|$)"
)
# 「which online business school」, 「which chain of poverty-relief stores」: the type word a few words on
# the type after which/what or after 「the name of」
_EN_TYPE_Q = re.compile(
    rf"(?:\b(?:which|what)(?: is| was| are| were)?(?: the| an?)?|\bname of(?: the| an?| its| their)?) "
    rf"(?:[\w'-]+ ){{0,3}}?({'|'.join(_EN_TYPES)})s?\b"
)


def english_type_ends(question_norm: str) -> tuple[str, ...]:
    """The words the names an English question asks for end with (「which chain of … stores」 → 超市, 商店), or ()
    for another question."""
    for m in _EN_TYPE_Q.finditer(question_norm):
        before = question_norm[: m.start()]
        if before.endswith(", ") and re.search(r"\b(?:what|which|how|who)\b", before):
            continue  # a relative clause after the question (「…alliance it set up, which has 56 teams」)
        return tuple(_EN_TYPES[m.group(1)].split())
    return ()


def _anchors(norm: str, avoid: tuple[str, ...]) -> tuple[str, str, str]:
    """The question's words right before and after its question word, and the type noun the question
    names after 哪个/哪家 (「哪个工作室」 → 工作室), which ends the answer span."""
    m = _WH.search(norm)
    if not m:
        return "", "", ""
    before = re.split(r"[的了,，\s]", norm[: m.start()].rstrip("了"))[-1][-4:]  # 「编录进了什么」: 编录进
    if before in avoid or any(before.endswith(a) for a in avoid):
        before = ""
    rest = norm[m.end() :]
    kind_noun = ""
    if _CLASSIFIER_WH.search(m.group(0)) and (t := _TYPE_NOUN.match(rest)):
        kind_noun = t.group(0)
        if (full := asked_type(norm)).startswith(kind_noun) and rest.startswith(full):
            kind_noun = full  # 「哪个文化创意园」: the whole type, not only 文化
        rest = rest[len(kind_noun) :]
    rest = re.sub(r"^(?:名字|名称|产品|奖)", "", rest)
    after = re.split(r"[的了,，?？\s]", rest)[0][:2]
    return before, after, kind_noun


def _slot(sentence: str, before: str, after: str, kind_noun: str) -> str:
    """The text between the question's anchors as found in the sentence ("" if they are not there)."""
    lo = -1
    for word in (before, before[-2:], *_SYNONYMS.get(before[-1:], ())) if before else ():
        i = sentence.find(word)
        if word and i >= 0:
            lo = i + len(word)
            break
    if lo < 0 and before and len(after) == 2:  # 「以什么为抓手」 in 「城区妇联以“幸福妇建”为抓手」: one character
        # before the slot is enough where the word after it follows closely
        hit = re.search(rf"{re.escape(before[-1])}(.{{2,20}}?){re.escape(after)}", sentence)
        lo = hit.start(1) if hit and not re.search(r"[,，;；。]", hit.group(1)) else -1
    if lo < 0:
        return ""
    if kind_noun and (k := sentence.find(kind_noun, lo)) > lo:
        end = k + len(kind_noun)
    elif after and (hi := sentence.find(after, lo)) > lo and not re.search(r"[,，;；。]", sentence[lo:hi]):
        end = hi  # (not past the end of the clause: 「…乐清人妇联,实现乐清妇联组织…」 ends at 妇联)
    else:
        end = next((j for j in range(lo, len(sentence)) if sentence[j] in _STOPS), len(sentence))
    span = sentence[lo:end].strip().lstrip("的")
    return span if 2 <= len(span) <= 30 else ""


def _predicate(question_norm: str) -> str:
    """What the question says about the asked thing, after its question word and type noun
    (「哪个单位获评了全国巾帼文明岗」 → 「获评全国巾帼文明岗」), without 了 and the closing punctuation."""
    m = _WH.search(question_norm)
    if not m:
        return ""
    rest = question_norm[m.end() :]
    if _CLASSIFIER_WH.search(m.group(0)) and (t := _TYPE_NOUN.match(rest)):
        rest = rest[len(t.group(0)) :]
    return re.sub(r"[了？?。!！\s]|吗$", "", rest)


def _subject(sentence: str, predicate: str) -> str:
    """The name right before the question's predicate in the sentence (「…、刘亦光家庭获评全国最美家庭」 →
    「刘亦光家庭」): the longest leading part of the predicate (three characters or more) found in the sentence,
    and the text before it back to a punctuation mark, without leading verbs."""
    predicate = re.sub(r"^(?:是|为|被)", "", predicate)  # 「哪个镇是省级试点镇」 is written 「柳市镇省级试点镇」
    for n in range(len(predicate), 2, -1):
        at = sentence.find(predicate[:n])
        if at > 0:
            lo = max((sentence.rfind(c, 0, at) for c in _STOPS + "—-▲▼ "), default=-1) + 1
            span = _LEAD.sub("", sentence[lo:at]).strip()
            span = re.sub(r"(?<=[\u4e00-\u9fff]{2})[为在对向给把被与和跟同的]$", "", span)  # 「淘商大学为…」: not 为
            tags = pos_tags(span)
            if len(tags) > 1 and tags[0][1] == "v" and len(span) - len(tags[0][0]) >= 2:
                span = span[len(tags[0][0]) :]  # 「推进柳市镇」: the verb before the name
            return span if 2 <= len(span) <= 30 else ""
    return ""


def _holder(sentence: str, question_norm: str) -> str:
    """The person holding the role the question names (「株洲市妇联主席是谁」): each name right after that role
    word, preferring one whose role phrase carries the question's owner (「市妇联…主席邹展晖」 over
    「省妇联…主席姜欣」)."""
    if role := _ROLE.search(question_norm):
        word, owner = role.group(0), re.sub(r"^.*?(?=[省市县区]|妇联|妇女联合会)", "", question_norm[: role.start()])
    else:  # 「which vice-chair of the provincial women's federation」
        word = next((zh for rx, zh in _EN_ROLES if rx.search(question_norm)), "")
        provincial = re.search(r"\bprovinc", question_norm)
        owner = "省妇联" if provincial else "市妇联" if "federation" in question_norm else ""
    if not word:
        return ""
    best, best_score = "", -1
    for m in re.finditer(re.escape(word), sentence):
        name = next((w for w, f in pos_tags(sentence[m.end() : m.end() + 6]) if f == "nr" and 2 <= len(w) <= 4), "")
        if not name or not sentence[m.end() :].lstrip().startswith(name):
            continue
        rest = sentence[m.end() :].lstrip()[len(name) :]
        if len(name) == 2 and re.match(r"[\u4e00-\u9fff](?:\s|$)", rest):  # a byline's 「记者 王亮家 通讯员」: a
            name += rest[0]  # three-character name the tagger cut short
        lo = max((sentence.rfind(c, 0, m.start()) for c in ",，;；。!！?？▲▼ "), default=-1) + 1
        phrase = sentence[lo : m.start()]
        score = 2 * bool(owner and owner in phrase) + bool(owner[-2:] and owner[-2:] in phrase)
        if score > best_score:
            best, best_score = name, score
    return best


def _typed(sentence: str, noun: str, question_norm: str, head: bool = False) -> str:
    """A name ending in the asked type noun (「…工作室」, 「…法院」) that the question does not already hold (and
    not a piece of a quoted name); with ``head``, only where the noun ends its phrase (not 「文化主题活动」)."""
    for m in re.finditer(rf"[\u4e00-\u9fff0-9“”]{{2,14}}{re.escape(noun)}", sentence):
        start = len(sentence[: m.start()].rstrip("0123456789"))  # never inside a number (「2018年度…项目」)
        name = re.sub(r"^.*的", "", sentence[start : m.end()])  # 「比较密集的甘谷县…学校」: a name starts after 的
        name = re.sub(r"^(?:我市|全市|本市|市|由|在|与|和|经|指导|推荐|联合|其中)|^\d+(?:余|多)?[名个位人支]", "", name)
        if lead := _PREPOSITIONAL.search(name):  # 「“…行动”依托天水66号文化创意园」: the name is the object
            name = name[lead.end() :]
        if name.count("“") != name.count("”") or (head and not _is_head(sentence[m.end() :])):
            continue
        if len(tags := pos_tags(name)) > 1 and tags[0][1] == "v":  # 「开展“家”文化主题」: not the verb
            name = name[len(tags[0][0]) :]
        name = name.lstrip("了着过")  # the end of a verb cut off before it (「成立了天水市…联盟」)
        prefix = name[: -len(noun)]
        asked = grams(prefix) & grams(question_norm)  # 「庆三八的特别节目叫什么」: 「制作庆三八特别节目」 is the
        own = bool(_NAMING.search(question_norm)) and 2 * len(asked) >= len(grams(prefix))  # question's own words
        if prefix and prefix not in question_norm and not own and not any(
            w in name for w in re.findall(r"[\u4e00-\u9fff]{3,}", question_norm)
        ):
            return name
    return ""


_NAMING_GLOSSES = frozenset({"名儿", "称号", "名字", "名称"})  # what an English 「name」 is glossed with


def _described(sent: str, quoted: list[tuple[int, str]], words: list[str]) -> str:
    """The quoted name the words written right after it describe with two or more of the question's words
    (「“慧家”周末妈妈沙龙」 for 「the weekend salon for mothers」), with those words; "" when none does."""
    words = [w for w in dict.fromkeys(words) if len(w) >= 2 and w not in _NAMING_GLOSSES]
    best, best_n = "", 1
    for at, name in quoted:
        end = at + len(name)
        tail = re.split(r"[,，;；。、“《(（]", sent[end : end + 14])[0]
        hits = [(tail.find(w) + len(w), w) for w in words if w in tail]
        if len(hits) > best_n:
            best, best_n = sent[at : end + max(e for e, _ in hits)], len(hits)
    return best


def _nearest(spans: list[tuple[int, str]], sentence: str, words: list[str]) -> str:
    """The span closest to any of the question's words in the sentence (the first span without words)."""
    if not spans:
        return ""
    places = [i for w in words if len(w) >= 2 for i in [sentence.find(w)] if i >= 0]
    if not places:
        return spans[0][1]
    return min(spans, key=lambda s: min(abs(s[0] - p) for p in places))[1]


# things that bear names in the reports: what an English question's type words may be in Chinese
_NAME_TYPE_WORDS = (
    "项目 品牌 活动 工程 行动 计划 平台 节目 栏目 制度 模式 机制 主题 专题 口号 称号 展区 基地 工作室 协会 大赛 比赛 "
    "工作法 服务队 志愿服务队 队伍 课堂 讲堂 学堂 热线 驿站 联盟 阵地 措施 视角 理念 文化"
)
NAME_TYPES = frozenset(_NAME_TYPE_WORDS.split())


def english_types(question_norm: str, glosses: dict[str, tuple[str, ...]], words: list[str]) -> tuple[str, ...]:
    """The Chinese words an English name question's type may be written with: the dictionary's words for the noun
    after what/which (「what viewpoint」 → 视角, 观点) after the endings of names of a type the question names
    (``english_type_ends``: 「what was the reading campaign」 → 活动), then the question's words that name things."""
    m = re.search(r"(?:what|which) ([a-z'-]+)", question_norm)
    after = glosses.get(m.group(1), ()) if m else ()
    ends = english_type_ends(question_norm)
    return tuple(dict.fromkeys([*ends, *after, *(w for w in words if w in NAME_TYPES)]))


def typed_name(sentence: str, types: tuple[str, ...], question_norm: str) -> str:
    """The quoted name the sentence calls by the first of ``types`` it uses that way (``_quote_typed``), or ""."""
    sent = normalize(sentence)
    return next((q for t in types if t and (q := _quote_typed(sent, t, question_norm))), "")


def _organisation(sentence: str, question_norm: str, cities: tuple[str, ...] = ()) -> str:
    """The organisation (``_ORG``, with its city's name before it: 昌邑市妇幼保健院…) whose own clause after it
    shares most of the question's words (「被市委改革办作为改革创新案例推广」 for 「被哪个部门当作…推广」), or ""."""
    asked = grams(question_norm)
    best, best_shared = "", 0
    for m in _ORG.finditer(sentence):
        clause = re.split(r"[,，;；。]", sentence[m.end() :], maxsplit=1)[0]
        shared = len(asked & grams(clause))
        owner = next((c for c in cities if sentence[: m.start()].endswith(c)), "")
        if not owner and m.group(0)[0] in "县区" and re.match(r"[\u4e00-\u9fff]", sentence[m.start() - 1 : m.start()]):
            continue  # 「乙县人民医院」 read from 县: a county's name is cut off
        if shared > best_shared and m.group(0) not in question_norm:
            best, best_shared = owner + m.group(0), shared
    return best


def find_span(
    kind: str, question_norm: str, sentence: str, words: list[str], avoid: tuple[str, ...] = (),
    types: tuple[str, ...] = (), given: tuple[str, ...] = (),
) -> str:
    """The asked name/person/place/date in ``sentence``, or "" when none is found with confidence.

    ``avoid`` holds words that cannot anchor the answer (the question's city names); ``types`` the Chinese words an
    English question's asked type may be written with (``english_types``); ``given`` the Chinese words of the names
    an English question quotes itself (a quoted name holding one is the question's, not the answer)."""
    sent = normalize(sentence)
    if kind == "date":
        m = DATE_SPAN.search(sent)
        return m.group(0) if m else ""
    asked = asked_type(question_norm) if kind == "name" else ""
    types = (asked,) if asked else types or english_type_ends(question_norm)
    if kind == "name" and (quoted_type := _quoted_part(sent, question_norm) or typed_name(sent, types, question_norm)):
        return quoted_type
    if asked in _ORG_TYPES and (org := _organisation(sent, question_norm, avoid)):
        return org
    if asked[-2:] in _ORG_TYPES and len(asked) >= 4 and (named := _qualified(sent, asked[:-2], question_norm)):
        return named  # 「哪家早教机构」: the body the sentence names with 早教 (美吉姆早教中心)
    if kind == "place" and (place_type := asked_type(question_norm)) and (
        typed := _typed(sent, place_type, question_norm, True)
    ):
        return typed  # 「哪所学校」: a named institution (甘谷县腾达职业技术学校), not only its county
    before, after, noun = _anchors(question_norm, avoid)
    if asked and not noun and asked not in _TITLE_NOUNS and (
        typed := _typed(sent, asked, question_norm, True) or _typed(sent, asked[-2:], question_norm, True)
        or (_typed(sent, "员", question_norm, True) if asked.endswith("人员") else "")  # 「什么人员」: 服务企业专员
    ):
        return typed  # 「哪家保险公司」 → …天水分公司
    if not noun and (ends := english_type_ends(question_norm)):  # 「which online business school」: 学校/大学…
        noun = next((t for t in ends if t in sent), ends[0])
    naming = bool(_NAMING.search(question_norm))  # 「X叫什么」: the name stands before X, not after it
    slot = "" if naming else _slot(sent, before, after, noun)
    if not slot and not naming and not before and kind in ("name", "person", "place"):
        slot = _subject(sent, _predicate(question_norm))
    if kind == "person" and (held := _holder(sent, question_norm)):
        return held
    quoted = [
        (m.start(), m.group(0) + _grade(sent, m.end(), question_norm))
        for m in QUOTED_NAME.finditer(sent)
        if m.group(0)[1:-1] not in question_norm
    ]
    quoted = [q for q in quoted if not any(len(w) >= 2 and w in q[1] for w in given)] or quoted
    if noun in _TITLE_NOUNS or _TITLE_ASKED.search(question_norm):  # a book or a document is named in 《》
        quoted = [q for q in quoted if q[1].startswith("《")] or quoted
    ending = [t for t in (asked, noun) if t]  # 《…实施意见》 for 「那份实施意见」, 《大众日报》 for a newspaper
    titled = [q for q in quoted if any(q[1][1:-1].endswith(t) for t in ending)]
    if not titled and _TITLE_ASKED.search(question_norm):  # 「那份…通知，标题是什么」: the title ending 通知
        titled = [q for q in quoted if q[1].startswith("《") and q[1][-3:-1] in question_norm]
    if not slot and not titled and noun in _TITLE_NOUNS and (typed := _typed(sent, noun, question_norm, True)):
        return typed  # a newspaper named without 《》 (「在天水晚报关注栏目中」)
    quoted = titled or quoted
    if slot and (slot.count("《") != slot.count("》") or slot.count("“") != slot.count("”")):
        at = sent.find(slot)  # a slot cut inside a quoted name or title (at its 、): the whole name
        slot = next((q for i, q in quoted if at >= 0 and i <= at + len(slot) and at < i + len(q)), slot)
    if slot:
        inner = [q for _, q in quoted if q in slot]
        return inner[0] if kind == "name" and len(inner) == 1 and len(slot) > len(inner[0]) + 6 else slot
    if kind == "place" and (went := re.search(r"(?:赴|到|去|前往)([\u4e00-\u9fff]{2,6}?)等地", sent)):
        return went.group(1)  # 「组队赴洞头等地学习」: where they went
    if kind == "place" and noun and (named := _place_named(sent, noun, question_norm, words)):
        return named
    if kind in ("person", "place") and (near := _people_or_places(kind, sent, question_norm, words)):
        return near
    if noun and noun not in _TITLE_NOUNS and (typed := _typed(sent, noun, question_norm)):
        return typed
    wh = _WH.search(question_norm)
    head = re.sub(r"(?:叫做|叫作|名为|称为|叫|是|为)$", "", question_norm[: wh.start()]) if wh else ""
    type_word = re.split(r"[的了,，\s]", head)[-1][-2:]  # 「…助学项目叫什么」 → 项目
    if kind == "name":
        qgrams = grams(question_norm)  # a name the question mostly writes itself is what it names, not the answer
        quoted = [(i, q) for i, q in quoted if len(grams(q) & qgrams) < 3] or quoted
        if detect_lang(question_norm) == "en" and (described := _described(sent, quoted, words)):
            return described  # an English question describes the named thing in words the reports write after it
        labelled = [(i, q) for i, q in quoted if type_word and type_word in sent[i + len(q) : i + len(q) + 10]]
        return _nearest(labelled or quoted, sent, [w for w in words if not asked or w not in asked])
    return _people_or_places(kind, sent, question_norm, words)


_PLACE_PART = ("ns", "nr", "nz", "n", "j", "nrt", "nrfg")
_NOT_NAME = ("p", "v", "vn", "c", "u", "uj", "ul", "m", "x", "d", "r", "q")


def _place_part(word: str, flag: str) -> bool:
    """Whether a tagged word can be part of a place name (a name word, or a single character jieba did not know
    as a word: 「上垅村」 comes out 上/垅/村)."""
    return flag in _PLACE_PART or (len(word) == 1 and flag not in _NOT_NAME and "\u4e00" <= word <= "\u9fff")


def _place_named(sent: str, noun: str, question_norm: str, words: list[str]) -> str:
    """A place of the asked kind (「哪个村」 → a name ending in 村): the word ending in that noun and the place-name
    words right before it (「拨付资金20万元到攸县上垅村」 → 攸县上垅村), nearest the question's words."""
    tags = [(w, f) for w, f in pos_tags(sent) if w]
    found: list[tuple[int, str]] = []
    pos = 0
    starts = []
    for w, _ in tags:
        pos = sent.find(w, pos)
        starts.append(pos)
        pos += len(w)
    for i, (word, _) in enumerate(tags):
        if not word.endswith(noun):
            continue
        j = i
        while j > 0 and _place_part(*tags[j - 1]) and len(sent[starts[j - 1] : starts[i] + len(word)]) <= 12:
            j -= 1
        name = sent[starts[j] : starts[i] + len(word)]
        if len(name) > len(noun) and name[: -len(noun)] not in question_norm:
            found.append((starts[j], name))
    return _nearest(found, sent, words)


def _qualified(sent: str, qualifier: str, question_norm: str) -> str:
    """The item of a run (between 、/,/等/和…) that holds ``qualifier`` and is not the question's own words, without
    a verb it opens with (「发动…、美吉姆早教中心等单位」 → 美吉姆早教中心); "" when none."""
    for item in re.split(r"[、,，;；。:：等和与及]", sent):
        if qualifier not in item or item in question_norm:
            continue
        tags = pos_tags(item)
        if len(tags) > 1 and tags[0][1] == "v":
            item = item[len(tags[0][0]) :]
        if 3 <= len(item) <= 16 and item != qualifier:
            return item
    return ""


def _grade(sent: str, end: int, question_norm: str) -> str:
    """The award grade right after a quoted name, when the question asks for an award (「铜奖第一名」)."""
    if not re.search(r"奖|award|prize", question_norm):
        return ""
    m = _AWARD.match(sent[end:])
    return m.group(0) if m else ""


def _people_or_places(kind: str, sent: str, question_norm: str, words: list[str]) -> str:
    """The person (jieba ``nr``) or place (``ns``, or a word ending in 村/镇/县…) nearest the question's words."""
    found: list[tuple[int, str]] = []
    pos = 0
    for word, flag in pos_tags(sent):
        pos = sent.find(word, pos)
        if word in question_norm:
            continue
        if kind == "person" and flag == "nr" and 2 <= len(word) <= 4:
            found.append((pos, word + ("家庭" if sent[pos + len(word) : pos + len(word) + 2] == "家庭" else "")))
        if kind == "place" and (flag == "ns" or _PLACE_END.match(word)) and len(word) >= 2:
            found.append((pos, word))
    if kind == "place":
        found += [(m.start(1), m.group(1)) for m in _PLACE_AT.finditer(sent) if m.group(1) not in question_norm]
        found.sort()
    if kind == "person" and ("家庭" in question_norm or re.search(r"\bfamil(?:y|ies)\b", question_norm)):
        found = [f for f in found if f[1].endswith("家庭")] or found
    return _nearest(found, sent, words)
