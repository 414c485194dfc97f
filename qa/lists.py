"""List answers: the items of an enumeration, gathered across sentences and numbered lines of a passage.

``items_in(sentence)`` reads one sentence's items (quoted names or a 、-list); ``numbered_items(text)``
reads 「一是…二是…」, 「(一)…(二)…」, 「1.…2.…」 and 「一、…二、…」 enumerations, one item per marker (its words up to
the first punctuation). ``asked_count`` reads the count a question names (「哪六大行动」 → 6, "which three" → 3).
``headed_items`` gathers items that a report introduces as clauses of their own across its passages
(「六大行动」 → 「实施“红心向党”巾帼行动,…」 … one per line or sentence); ``section_items`` the numbered items of
the section an evidence sentence stands in. Leaves out: choosing the passage.
"""

from __future__ import annotations

import re

from core.text import CN_TEN, pos_tags
from core.types import StoredChunk
from qa.figures import cn_value

_CN = CN_TEN
_MARKERS = (
    re.compile(rf"([{_CN}])是"),
    re.compile(rf"[（(]([{_CN}]+)[)）]"),
    re.compile(r"(?:^|\n)\s*(\d{1,2})[.、．)]"),
    re.compile(rf"(?:^|\n)\s*([{_CN}]+)、"),
)
_COUNT_ZH = re.compile(
    rf"(?:哪|那)([{_CN}两]+|\d+)(?:大|个|项|类|种|支|条|方面)?|"
    rf"([{_CN}两]+|\d+)(?:大|个|项)[^\s，,。？?]{{0,8}}(?:是|有|分别|都有|包括)"
)
_EN_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else cn_value(raw) or 0


def asked_count(norm: str) -> int:
    """The number of items a question asks for, or 0."""
    m = _COUNT_ZH.search(norm)
    if m:
        return _number(m.group(1) or m.group(2))
    en = re.search(
        r"\b(?:which|what|the|name the|list the)(?: (?:are|were) the)? "
        r"(two|three|four|five|six|seven|eight|nine|ten)\b",
        norm,
    )
    return _EN_NUMBERS[en.group(1)] if en else 0


_GROUP_Q = re.compile(r"哪(?:些|几[个种家项类所支位条]?)((?:[\u4e00-\u9fff]){2,8})")
_NOUNS = ("n", "nz", "vn", "nt", "j", "ng")
_NAMED_RUN = re.compile(r"([^,，;；:：。]*、[^,，;；:：。]*?)等(?:各类|各种|多种|系列)?([\u4e00-\u9fff]{2,6})")


def asked_group(norm: str) -> str:
    """The group a Chinese list question that does not count its items names after 哪些 (「哪些报纸采用过…」 →
    报纸, 「在哪些媒体平台上发了稿」 → 媒体平台), or ""."""
    m = _GROUP_Q.search(norm)
    if not m or asked_count(norm):
        return ""
    words = []
    for word, flag in pos_tags(m.group(1))[:2]:
        if flag not in _NOUNS or len(word) < 2:
            break
        words.append(word)
    return "".join(words)


def typed_run(sentence: str, group: str) -> list[str]:
    """The items of a run the sentence names as of the asked group: a 、-run closed by 「等X」 where X shares two
    characters with the group (「…株洲新闻网等媒体」 for 媒体平台), two or more adjacent 《》 titles all ending
    with a character of the group (《中国妇女报》《湖南日报》 for 报纸), or adjacent quoted names the words after them
    call by the group (「“圆成屋”“七色花”婚姻家庭辅导驿站」 for 婚姻家庭辅导驿站); [] when none."""
    if not group:
        return []
    pairs = {group[i : i + 2] for i in range(len(group) - 1)}
    for m in _NAMED_RUN.finditer(sentence):
        label = m.group(2)
        if any(label[i : i + 2] in pairs for i in range(len(label) - 1)):
            items = [x.strip() for x in m.group(1).split("、") if x.strip()]
            items[0] = _VERBS.sub("", re.sub(r"^(?:在|于|被|向|对)", "", items[0])) or items[0]
            return items
    for m in re.finditer(r"(?:《[^》]{1,40}》){2,}", sentence):
        titles = re.findall(r"《[^》]{1,40}》", m.group(0))
        if all(t[-2] in group for t in titles):
            return titles
    for m in re.finditer(r"((?:“[^”]{1,20}”[、和与及]?){2,})([\u4e00-\u9fff]{2,12})", sentence):
        label = m.group(2)  # 「“圆成屋”“七色花”婚姻家庭辅导驿站」: the quoted names the words after them type
        if sum(label[i : i + 2] in pairs for i in range(len(label) - 1)) >= 2:
            return re.findall(r"“[^”]{1,20}”", m.group(1))
    return []


def items_in(sentence: str, words: tuple[str, ...] = ()) -> list[str]:
    """Quoted names (at least two) or the longest 、-separated run of a sentence — of the runs holding one of
    ``words`` (the question's: 十佳 picks 「十佳好军嫂、十佳兵妈妈」 over a longer run beside it) when any does."""
    quoted = re.findall(r"“[^”]{2,40}”|《[^》]{2,40}》", sentence)  # not a one-character quote (抗“疫”)
    if len(quoted) >= 2:
        return list(dict.fromkeys(quoted))
    parts = [p for p in re.split(r"[,，;；:：。]", sentence) if "、" in p]
    parts = [p for p in parts if any(w in p for w in words)] or parts
    if parts:
        longest = max(parts, key=lambda p: p.count("、"))
        items = [x.strip() for x in longest.split("、") if x.strip()]
        items[-1] = re.sub(r"(?<=[\u4e00-\u9fff”》])等.*$", "", items[-1])  # 「…购物袋等各类宣传资料28.5万份」
        items[-1] = re.sub(rf"(?<=[\u4e00-\u9fff”》])各[\d{_CN}].*$", "", items[-1])  # 「…兵妈妈各10名」
        items[0] = _VERBS.sub("", items[0]) or items[0]  # 「发放创建明白纸」: the verb is not the item's
        while len(tags := pos_tags(items[0])) > 1 and tags[0][1] == "p" and len(items[0]) - len(tags[0][0]) >= 2:
            items[0] = items[0][len(tags[0][0]) :]  # nor prepositions (「加强与…」's 与, 「通过对乡镇、…」's 通过对)
        return [x for x in items if x]
    return []


def quoted_run(sentence: str, count: int) -> list[str]:
    """The first run of exactly ``count`` quoted names written next to each other (nothing, 、, 和 or 与 between
    them: 「“三八维权周”“6·26禁毒日”“11·25反家暴周”三大…」), or []."""
    for m in re.finditer(r"(?:[“《][^”》]{1,40}[”》](?:[、和与及]?))+", sentence):
        names = re.findall(r"“[^”]{1,40}”|《[^》]{1,40}》", m.group(0))
        if len(names) == count:
            return names
    return []


def counted_run(sentence: str, count: int) -> list[str]:
    """A 、-run of exactly ``count`` items written right before the number that counts them
    (「立足认知提升、机制建设、示范带动、宣传推介四个抓手」, 「开展政策、技术、服务“三送”」), or []."""
    counted = rf"([^，,;；:：。“]+?)等?“?([{_CN}两]+|\d+)(?:个|项|大|种|类|条|方面|[\u4e00-\u9fff](?=”))"
    for m in re.finditer(counted, sentence):  # 「…四个抓手」, 「政策、技术、服务“三送”」
        items = [x.strip(" “”") for x in m.group(1).split("、") if x.strip(" “”")]  # 「“晒、议…秀”五个环节」
        if items:
            items[0] = _VERBS.sub("", items[0])
        if _number(m.group(2)) == count and len(items) == count:
            return items
    return []


def counts_itself(sentence: str, count: int) -> bool:
    """Whether the sentence numbers a list it writes with the asked count right after the list's last item
    (「“三八维权周”“6·26禁毒日”“11·25反家暴周”三大主题…」, 「…服务等四个抓手」)."""
    after_run = rf"(?:[”》]|[\u4e00-\u9fff]、[^，,;；。]{{1,20}}?)等?([{_CN}两]+|\d+)(?:个|项|大|种|类|条|方面)"
    return any(_number(m.group(1)) == count for m in re.finditer(after_run, sentence))


def listed_run(sentence: str, count: int) -> list[str]:
    """The first clause of a sentence that lists exactly ``count`` items with 、 (「在生活上给予扶持、情感上给予关爱、
    安全上给予关照」), or []."""
    for clause in re.split(r"[,，;；:：。]", sentence):
        items = [x.strip() for x in clause.split("、") if x.strip()]
        if count >= 2 and len(items) == count and all(len(x) <= 20 for x in items):
            items[0] = _VERBS.sub("", re.sub(r"^(?:在|对|从|于)", "", items[0]))
            return items
    return []


def closed_run(sentence: str, name: str) -> list[str]:
    """The items of a 、-run the sentence closes with 等 and ``name`` (the question's quoted name: 「先后组织专题
    学习会、…、党支部书记讲党课等“机关课堂”」 → 专题学习会…), or []."""
    m = re.search(rf"([^,，;；:：。]*、[^,，;；:：。]*?)等[“「]?{re.escape(name)}", sentence)
    if not m:
        return []
    items = [x.strip() for x in m.group(1).split("、") if x.strip()]
    items[0] = _VERBS.sub("", re.sub(r"^(?:先后|分别|相继|陆续)", "", items[0])) or items[0]
    return items


def parallel_run(sentence: str, count: int) -> list[str]:
    """``count`` (two or more) clauses in a row, joined by commas, of as many Chinese characters each (four to
    eight: 「广泛宣传发动,注重分类施策,坚持示范先行,创新长效机制」), or []. Leaves out clauses with figures."""
    clauses = [c.strip() for c in re.split(r"[,，;；]", sentence)]
    runs: list[list[str]] = []  # the longest runs of alike clauses (a part of a longer run is not the list)
    for c in clauses:
        alike = re.fullmatch(r"[\u4e00-\u9fff]{4,8}", c) is not None
        if alike and runs and runs[-1] and len(runs[-1][-1]) == len(c):
            runs[-1].append(c)
        else:
            runs.append([c] if alike else [])
    return next((run for run in runs if count >= 2 and len(run) == count), [])


def numbered_items(text: str) -> list[str]:
    """The items of the longest numbered enumeration in ``text`` (first one, two, three… in order)."""
    best: list[str] = []
    for marker in _MARKERS:
        found: list[tuple[int, str]] = []
        for m in marker.finditer(text):
            head = re.split(r"[,，;；:：。！？!?\n]", text[m.end() :].lstrip(), maxsplit=1)[0].strip()
            if 2 <= len(head) <= 40:
                found.append((_number(m.group(1)), head))
        run: list[str] = []
        for n, head in found:  # keep a run numbered 1, 2, 3…
            if n == len(run) + 1:
                run.append(head)
            elif n == 1:
                run = [head]
        if len(run) > len(best):
            best = run
    return best


_HEADS = "行动|工程|活动|计划|机制|品牌|项目|举措|措施|任务|环节|体系|平台|保障|中心|站点|阵地"
_HEADED = re.compile(rf"(?:[{_CN}两]+|\d+)(?:大|个|项|类|种|条)(?:[\u4e00-\u9fff]{{0,3}}?)({_HEADS})")
_LEAD_VERB = re.compile(rf"^(?:[{_CN}]+[、.．]|[（(][{_CN}\d]+[)）]|\d+[、.．])?\s*")
_VERBS = re.compile(  # (after a subject and a coverb: 「我们通过培育…」)
    r"^(?:(?:我们|我市|全市|市妇联)?(?:通过|依托)?)(?:培育|选树|实施|开展|提升|推进|深化|启动|打造|实行|强化|抓好|做好|突出|建设|组织|深入实施|全面实施|立足|围绕|坚持|"
    r"发放|印发|举办|制作|推出|建立|设立|成立|评选|解决|帮助|提供|开设|加强)"
)


# a count and the words its items end with, quoted (「哪三个「相结合」」: each item ends 相结合)
_HEADED_QUOTED = re.compile(  # (the quote ends the phrase: 「哪三类“最美”家庭」 quotes a qualifier of 家庭)
    rf"(?:[{_CN}两]+|\d+)(?:大|个|项|类|种|条)?[“「]([\u4e00-\u9fff]{{2,6}})[”」](?=[?？,，。;；]|$|是|分别|指|包括)"
)


def headed_phrase(norm: str) -> tuple[str, str]:
    """The counted phrase and its head noun (「五大专项行动」, 「行动」; 「三个「相结合」」, 「相结合」), or ("", "").
    """
    m = _HEADED.search(norm) or _HEADED_QUOTED.search(norm)
    return (m.group(0), m.group(1)) if m else ("", "")


def quoted_head(norm: str) -> bool:
    """Whether the question quotes the words its counted items end with (「哪三个「相结合」」)."""
    return bool(_HEADED_QUOTED.search(norm)) and not _HEADED.search(norm)


def headed_items(text: str, phrase: str, head: str, count: int) -> list[tuple[int, str]]:
    """Items named as the opening clause of a line (or else of a sentence) after ``phrase`` in a report's
    ``text``: short clauses ending in ``head`` (「实施“红心向党”巾帼行动」 → 「“红心向党”巾帼行动」), in order,
    at most ``count``; with their offsets."""
    at = text.find(phrase)
    group = re.sub(rf"^(?:[{_CN}两]+|\d+)(?:大|个|项|类|种|条)", "", phrase)  # 「专项行动」: the group's own name
    for origin in dict.fromkeys((at + len(phrase) if at >= 0 else 0, 0)):  # after the phrase, else the whole report
        found = _clauses(text, origin, head, group, count)
        if len(found) == count:
            return found
    return found


def opening_items(text: str, word: str, count: int) -> list[tuple[int, str]]:
    """A report's numbered items (「一是强化顶层设计,…二是强化资源统筹,…」) that all open with ``word`` (the quoted
    「三个“强化”」), numbered one, two, three… in a row: their first clauses, at most ``count``, with their offsets;
    [] when fewer than ``count`` run so."""
    run: list[tuple[int, str]] = []
    for m in re.finditer(rf"([{_CN}])是({re.escape(word)}[^，,。；;:：\n]{{1,20}})", text):
        n = _number(m.group(1))
        if n == len(run) + 1:
            run.append((m.start(2), m.group(2)))
        elif n == 1:
            run = [(m.start(2), m.group(2))]
        if len(run) == count:
            return run
    return []


# a question asking the quoted names that end with one quoted word (「聚起哪几种“气”」, 「用哪几个“心”来概括」)
_CLOSING_Q = re.compile(rf"哪(?:几|些|[{_CN}两]+)?[个种类]?[“「]([\u4e00-\u9fff]{{1,2}})[”」]")
NAME_REACH = 1500  # characters between two quoted names of one run (「“齐心”…“暖心”…“爱心”」 across a section)


def closing_word(norm: str) -> str:
    """The word a list question's items end with, quoted alone after 哪几个/哪些 (「哪几个“心”」 → 心), or ""."""
    m = _CLOSING_Q.search(norm)
    return m.group(1) if m and not re.fullmatch(f"[{_CN}两]+", m.group(1)) else ""  # 「哪三个“一”」: 写一句…


def closing_items(text: str, word: str, at: int, count: int = 0) -> list[tuple[int, str]]:
    """The quoted names of a report's ``text`` that are ``word`` with one character before it (“齐心”, “暖心”,
    “爱心” for 心), in the run of them nearest the offset ``at`` (names at most ``NAME_REACH`` apart), at most
    ``count`` (0: all) from the nearest; with their offsets. Leaves out longer names (“心连心”)."""
    found = [(m.start(1), m.group(1)) for m in re.finditer(rf"[“「]([\u4e00-\u9fff]{re.escape(word)})[”」]", text)]
    runs: list[list[tuple[int, str]]] = []
    for hit in found:
        if runs and hit[0] - runs[-1][-1][0] <= NAME_REACH:
            runs[-1].append(hit)
        else:
            runs.append([hit])
    if not runs:
        return []
    run = min(runs, key=lambda r: 0 if r[0][0] <= at <= r[-1][0] else min(abs(r[0][0] - at), abs(r[-1][0] - at)))
    unique = list({item: (o, item) for o, item in reversed(run)}.values())[::-1]  # each name once, where first
    if count and len(unique) > count:
        unique = sorted(sorted(unique, key=lambda f: abs(f[0] - at))[:count])
    return unique


def _clauses(text: str, origin: int, head: str, group: str, count: int) -> list[tuple[int, str]]:
    clause = rf"([^，,。；;：:\n]{{2,30}}?{head}”?)(?=[，,。；;：:\s]|$)"
    found: list[tuple[int, str]] = []
    for opening in (r"(?m)^[ \t\u3000]*", r"(?:^|(?<=[。；;！？!?\n]))[ \t\u3000]*"):  # lines first, then sentences
        found = []
        for m in re.finditer(opening + clause, text[origin:]):
            item = _VERBS.sub("", _LEAD_VERB.sub("", m.group(1)).strip())
            own_name = group != head and item.endswith(group)  # 「巾帼专项行动」 heads the group, it is not an item
            if 2 <= len(item) <= 16 and item not in (f for _, f in found) and not own_name:
                found.append((text.find(item, origin + m.start(1)), item))  # where the item's own words start
            if len(found) == count:
                return found
    return found


# a heading opens a line or follows a sentence's end (passages are stitched with spaces where lines broke)
_HEADING = re.compile(
    rf"(?m)(?:^|(?<=[。；;！？!?\s]))[ \t\u3000]*(?:[{_CN}]+、|[（(][{_CN}]+[)）]|\d{{1,2}}[.、．](?!\d))"
)


def _heading_kind(marker: str) -> str:
    """「二、」 → 「、」, 「(三)」 → 「(」, 「2.」 → 「.」: headings of one kind are one level."""
    marker = marker.strip()
    return "(" if marker[0] in "（(" else "、" if marker[0] in _CN else "."


MAX_SECTION_ITEMS = 10  # a section's items given for a list question that does not count them


def _marker_number(marker: str) -> int:
    """The number a heading marker writes (「3.」 → 3, 「(二)」 → 2)."""
    return _number(re.sub(rf"[^\d{_CN}]", "", marker))


def _sibling_items(
    text: str, siblings: list[re.Match[str]], opening: re.Match[str], count: int, words: list[str], named: int = 0
) -> list[tuple[int, str]]:
    """The numbered headings that ``opening`` is one of (「1. 突出党建带妇建。」「2. …」「3. …」), when the line
    before the first of them holds more of ``words`` than ``named`` (how many the opening heading holds: the
    unnumbered heading 「实施破难行动,…」 that opens them names the asked group) and they number at least
    ``count``; with their offsets in ``text``; else []."""
    at = next(i for i, m in enumerate(siblings) if m.start() == opening.start())
    while at > 0 and _marker_number(siblings[at - 1].group(0)) == _marker_number(siblings[at].group(0)) - 1:
        at -= 1
    first = siblings[at]
    if _marker_number(first.group(0)) != 1:
        return []
    parent = text[: first.start()].rstrip().rsplit("\n", 1)[-1]
    if sum(w in parent for w in words) <= named:
        return []
    found: list[tuple[int, str]] = []
    for m in siblings[at:]:
        if _marker_number(m.group(0)) != len(found) + 1:
            break
        head = re.split(r"[,，;；:：。！？!?\n]", text[m.end() :].lstrip(), maxsplit=1)[0].strip()
        found.append((text.find(head, m.end()), head))
    return found[: count or MAX_SECTION_ITEMS] if len(found) >= max(count, 2) else []


def _opened_run(
    text: str, heads: list[re.Match[str]], at: int, count: int, words: list[str]
) -> list[tuple[int, str]]:
    """The numbered run that opens on the line right after the one holding ``at`` — the evidence is the
    unnumbered heading line of 「凝聚巾帼力量,…\n1. 用心用情…」 — as ``_sibling_items`` gives it; else []."""
    eol = text.find("\n", at)
    first = next((m for m in heads if eol >= 0 and eol <= m.start() <= eol + 3), None)
    if first is None or _marker_number(first.group(0)) != 1:
        return []
    kind = _heading_kind(first.group(0))
    return _sibling_items(text, [m for m in heads if _heading_kind(m.group(0)) == kind], first, count, words)


def section_items(text: str, at: int, count: int, words: list[str]) -> list[tuple[int, str]]:
    """The numbered items (「一是…二是…」, 「1.…2.…」) of the section of a report's ``text`` that holds offset ``at``
    — from its heading line to the next heading of the same level — when its heading holds one of ``words`` (the
    question's group: 「二、提升“家家幸福安康工程”」) and it numbers at least ``count``: the first ``count`` items
    (all of them for a ``count`` of 0), with their offsets in ``text``; else []."""
    heads = list(_HEADING.finditer(text))
    if opened := _opened_run(text, heads, at, count, words):
        return opened
    opening = max((m for m in heads if m.start() <= at), key=lambda m: m.start(), default=None)
    if opening is None:
        return []
    kind = _heading_kind(opening.group(0))
    end = next((m.start() for m in heads if m.start() > opening.start() and _heading_kind(m.group(0)) == kind), None)
    body_at = opening.end()
    line_end = re.compile(rf"\n|。|[{_CN}]是").search(text, body_at)  # the heading's own words end here
    siblings = [m for m in heads if _heading_kind(m.group(0)) == kind]
    named = sum(w in text[body_at : line_end.start() if line_end else end] for w in words)
    if not named:
        return _sibling_items(text, siblings, opening, count, words)
    body = text[body_at : end if end is not None else min(len(text), body_at + 6000)]
    items = numbered_items(body)
    if len(items) < max(count, 1):  # the heading is one of a numbered run itself (「3. 注重改革成果转化」)
        return _sibling_items(text, siblings, opening, count, words, named)
    found: list[tuple[int, str]] = []
    pos = 0
    for item in items[: count or MAX_SECTION_ITEMS]:
        pos = body.find(item, pos)
        found.append((body_at + pos, item))
        pos += len(item)
    return found


def stitch(chunks: list[StoredChunk]) -> str:
    """A report's text rebuilt from its passages in order (overlaps once, gaps as spaces), so offsets are the
    report's own (``meta.start``)."""
    text = ""
    for c in chunks:
        if c.meta.start >= len(text):
            text += " " * (c.meta.start - len(text)) + c.text
        else:
            text += c.text[len(text) - c.meta.start :]
    return text
