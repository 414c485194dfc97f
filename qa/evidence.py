"""Score candidate sentences of retrieved passages as evidence for a question.

Lexical evidence is IDF-weighted coverage (``qa.lexical``) of the question's content bigrams (after normalisation),
in the sentence itself and in its context (section heading and the sentence before). Questions with
no Chinese (English) are scored by embedding similarity between the question and each sentence.
Leaves out: learned re-ranking.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.sentences import PAGE_DATE, evidence_sentences
from core.text import CN_TEN, QUOTED_NAME, YEAR, normalize, pos_tags
from qa.figures import Figure, asked_numbered, cn_counts, counted, figure_keys, find_figures
from qa.focus import Focus, asked_action, label_of
from qa.lexical import Idf, coverage, grams
from qa.query import Query, asks_published, counted_unit, english_claims, unit_match
from qa.retrieve import Hit
from qa.spans import DATE_SPAN, asked_type, english_type_ends, typed_name

_SHARE_OF = re.compile(r"其中|仅")
_TOTAL_Q = re.compile(r"一共|总共|共计|合计|累计|全年|总计|总数|in total|altogether")
_TOTAL_T = re.compile(r"共|累计|总|全年|合计")
_FIGURE_TEXT = re.compile(r"\d[\d.,]*\s*[余多近约]?[万亿千百]?[\u4e00-\u9fff]?")
NUMBERED_BONUS = 0.6  # the sentence writes the numbered thing asked for (「第几批」 → 第五批)
HEADING_PENALTY = 0.05  # a numbered heading line (「一、实施…行动」「三是…」) as evidence
HEADING_LEN = 40  # characters: a longer numbered line is a body sentence that opens with its number
_HEADING = re.compile(rf"\s*(?:[{CN_TEN}]+[、是]|\d+[.、．]|[(（][{CN_TEN}\d]+[)）])")
TYPED_NAME_BONUS = 0.08  # a sentence naming a thing of the asked type (「开展了什么行动」)
THING_WORD_BONUS = 0.1  # per word of a many-word counted thing attached to a figure (at most three)
CLAIMED_FIGURE_BONUS = 0.05  # the figure a sentence states for a yes/no claim is the claimed one
_CLAUSE = re.compile(r"[，,；;（）()：:。！？!?]")


@dataclass
class Candidate:
    """One sentence of one retrieved passage, with its evidence scores."""

    hit: Hit
    rank: int
    start: int  # offsets within the passage text
    end: int
    text: str
    lex: float = 0.0
    ctx: float = 0.0
    sim: float = 0.0
    figure: Figure | None = None
    figure_fit: float = 0.0
    score: float = 0.0

    @property
    def span(self) -> tuple[int, int]:
        """Offsets of the sentence within its passage."""
        return self.start, self.end


def query_grams(query: Query, idf: Idf, glossed: bool = False) -> dict[str, float]:
    """The IDF-weighted bigrams of the question's keywords (``glossed``: and of its English words' Chinese glosses,
    for finding the sentence; a figure's or a name's own words are matched without them)."""
    gs: set[str] = set()
    words = [*query.keywords, *(w for ws in query.glosses.values() for w in ws)] if glossed else query.keywords
    for word in words:
        gs |= grams(word)
    return {g: idf(g) for g in gs}


def _share(words: tuple[str, ...], text: str) -> float:
    """How well the best of ``words`` is present in ``text``: 1 if whole, else its share of bigrams."""
    best = 0.0
    tg = grams(text)
    for word in words:
        if word in text:
            return 1.0
        wg = grams(word)
        if wg:
            best = max(best, len(wg & tg) / len(wg))
    return best


_RUNNING = re.compile(r"(?:累计|共计|合计|总计|总共|共)(?:达到?|有)?")
_NEW = re.compile(r"新建|新增|新成立|新发展|新培育|新创建|新开")
# a level or a grade that tells one part from its siblings (「镇级…」 vs 「市级…」, 「一等奖8名」 vs 「二等奖16名」)
_LEVEL = re.compile(r"(?:国家|[省市县区镇乡村])级|[特一二三四五六]等奖|[金银铜]奖")


def _run_share(word: str, text: str) -> float:
    """The longest piece of ``word`` written unbroken in ``text``, as a share of ``word``."""
    for n in range(len(word), 1, -1):
        if any(word[i : i + n] in text for i in range(len(word) - n + 1)):
            return n / len(word)
    return 0.0


def _own_before(sentence: str, fig: Figure, before: str) -> str:
    """The words before a figure that are its own: for 「N个X」 (a measure word, then its noun) only those after the
    last 和/及/与/、 (「2491个行政村和105个社区」: 行政村 is the first figure's)."""
    joined = re.search(r"[和及与、]([^和及与、]*)$", before)
    if fig.unit and joined and re.match(r"[“\u4e00-\u9fff]", sentence[fig.end : fig.end + 1]):
        previous = re.split(r"\d[\d.]*[^\u4e00-\u9fff\d]*[\u4e00-\u9fff]?", before[: joined.start()])[-1]
        if len(re.findall(r"[\u4e00-\u9fff]", previous)) >= 2:  # the figure before has a noun of its own
            return joined.group(1)  # (「12场和40场普法宣讲」 shares its noun: nothing is cut)
    return before


def _bare_verb(words: str) -> bool:
    """Whether a figure's own words are a verb alone (「劝返」 of 「劝返30名」)."""
    tags = pos_tags(words) if 2 <= len(words) <= 4 else []
    return bool(tags) and all(flag.startswith("v") for _, flag in tags)


_EN_STATED = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d.,]*\s*(?:%|percent|million|thousand))")
GIVEN_PENALTY = 0.6  # a figure the question writes itself is what it asks from, not what it asks
ACTION_BONUS = 0.3  # the asked verb among a figure's own words
ASIDE_PENALTY = 0.5  # a figure counting what the question sets aside (「除了…」, 'besides …')


def _focus_fit(focus: Focus, sentence: str, fig: Figure, figures: list[Figure], clause: str) -> float:
    """How well a figure's own words match the counted thing, the qualifiers and the asked total."""
    label = label_of(sentence, fig, figures)
    before = _own_before(sentence, fig, label.before)
    own = _FIGURE_TEXT.sub(" ", before + label.after)  # a neighbour's 「303余期」 does not count 期 here
    new = bool(_NEW.search(own))  # this year's new ones (新建), by the figure's own words
    if (_RUNNING.fullmatch(before.strip()) or _bare_verb(before.strip())) and (
        prev := [f for f in figures if f.end <= fig.start and f.unit == fig.unit]
    ):  # 「新建学堂3所,累计87所」: a running total counts what the figure before it counts, as does a bare verb's
        # figure (「寻找失联儿童70多名,劝返30名」: 30 children were persuaded)
        own += " " + _FIGURE_TEXT.sub(" ", label_of(sentence, prev[-1], figures).before)
    scope = own + " " + label.parent  # a part counts what its total counts (「陇原妹21256人(省外输转16222人)」)
    scope += " " + label.lead  # and an enumeration's opening words qualify each of its items
    quals = [q for q in focus.qualifiers if q in scope]
    # a qualifier names this part only where the sentence does not write it beside others too (「省内培训输转853人,
    # 省外培训输转877人」: 输转 names neither)
    written = normalize(sentence)
    own_quals = [q for q in quals if q in own and q not in label.parent and written.count(q) <= own.count(q)]
    own_thing = _share(focus.thing, own) if focus.thing else 0.0
    asked_level = {m for t in focus.thing for m in _LEVEL.findall(t)}
    other_level = bool(asked_level and (said := set(_LEVEL.findall(own))) and not said & asked_level)
    if other_level:
        own_thing *= 0.5  # 「镇级兼职副主席」 is not the asked 「市级兼职副主席」
    if label.lead and 0.0 < own_thing < 1.0:  # 「市级」 from 「全市共配备市级挂职副主席1名、兼职副主席3名」
        own_thing = max(own_thing, 0.95 * _share(focus.thing, label.lead + own))
    parent_thing = _share(focus.thing, label.parent) if focus.thing else 0.0
    # the question names this part: by a qualifier of its own, by the counted thing the total does not write, or by
    # the very words of the part's label (「直接建成妇联的有多少个」 for 「其中妇联69个」 of 「“四新”妇联组织562个」)
    bare = re.sub(r"^(?:其中|含|包括)|[^\u4e00-\u9fff\w]", "", own)
    named = bool(own_quals) or (own_thing == 1.0 and (parent_thing < 1.0 or (label.part and bare in focus.thing)))
    # a part the question does not name: only what its total counts is asked (「其中…专项基金141万元」 for 「救助金」)
    thing = parent_thing if label.part and label.parent and not named else max(own_thing, parent_thing)
    qual = len(quals) / max(1, len(focus.qualifiers))
    fit = 1.5 * thing * thing + 0.8 * qual  # a whole match of the counted thing outweighs a partial one
    # 「做强项目16个」 for 做强了多少个项目, not 「取消收费项目7个」 beside it
    if not other_level and any(a in own for a in focus.action):
        fit += ACTION_BONUS
    if not own_quals and any(w in own for w in focus.aside):  # what the question sets aside is not asked
        fit -= ASIDE_PENALTY
    if len(focus.thing) > 2:  # an English counted phrase's words: the more of them attached, the better (乡镇 and
        fit += THING_WORD_BONUS * min(3, sum(t in own for t in focus.thing))  # 会员 of 「乡镇(街道)级团体会员」)
    elif len(focus.thing) == 2 and len(focus.thing[1]) >= 2 and len(focus.thing[0]) == 1 and focus.thing[1] in own:
        fit += THING_WORD_BONUS  # 「331人受益」 for 'people benefited': the word beside the bare unit (人) tells
    if focus.thing and 0.0 < own_thing < 1.0:  # of partial matches, the one written in one piece (兼职副主席 in
        fit += 0.1 * _run_share(focus.thing[0], own)  # 市级兼职副主席, not 市级…副主席) fits a little better
    if label.part:  # a part of a total: right when the question names that part, else the total is meant
        fit += 0.3 if named else (-0.5 if thing < 0.5 or label.parent else 0.0)
    if focus.total:
        fit += 0.8 if focus.total in label.before else (0.1 if focus.total in clause else 0.0)
        if _SHARE_OF.search(label.before):
            fit -= 0.3  # 「其中仅…3196笔」 is a share of something larger, not the asked total
    elif new and not any("新" in w for w in (*focus.thing, *focus.qualifiers)) and any(
        f is not fig and f.unit == fig.unit and _TOTAL_T.search(label_of(sentence, f, figures).before)
        for f in figures
    ):  # 「有多少所」 beside 「新建学堂3所,累计87所」 asks what there is, not this year's new ones
        fit -= 0.3
    return fit


def best_figure(
    query: Query, sentence: str, qgrams: dict[str, float], focus: Focus | None = None
) -> tuple[Figure | None, float]:
    """The figure in ``sentence`` that best answers a numeric question, and how well it fits.

    Each figure is weighed by its unit against the asked one, the question's words in its clause and,
    with a ``focus``, the counted thing and qualifiers attached to it (part versus whole)."""
    figures = counted(sentence)
    if not figures:
        return None, 0.0
    qgrams = {g: w for g, w in qgrams.items() if not g[0].isdigit()}
    given = [  # the figures the question states itself, with their units (an English one's as the reports write)
        f for text in ([query.norm] if query.lang != "en" else english_claims(query.norm))
        for f in find_figures(text) if not f.is_year and f.unit
    ]
    # an English question's other numbers (「Of the 96 … indicators」: no unit known) are matched by value alone
    stated = _EN_STATED.findall(query.norm) if query.lang == "en" else []
    given_values = {float(n.replace(",", "")) for n in stated if not YEAR.fullmatch(n)} - {g.value for g in given}
    bounds = [0] + [m.end() for m in _CLAUSE.finditer(sentence)] + [len(sentence)]
    best, best_fit = None, -1.0
    for order, fig in enumerate(figures):
        lo = max(b for b in bounds if b <= fig.start)
        hi = min((b for b in bounds if b >= fig.end), default=len(sentence))
        before = normalize(sentence[max(lo, fig.start - 8) : fig.start])
        head = sentence[lo : fig.start].strip(",，、 ")
        if focus and lo > 0 and (not re.search(r"[\u4e00-\u9fff]{2}", head) or _RUNNING.fullmatch(head)):
            lo = max(b for b in bounds if b < lo)  # 「营养包3099箱,92970盒」: a bare figure shares the clause before
            before = label_of(sentence, fig, figures).before[-8:]  # and the words of the figure before it
        clause = normalize(sentence[lo:hi])
        if focus and (parent := label_of(sentence, fig, figures).parent):
            clause += " " + parent  # a part is qualified by what qualifies its total (「其中妇联69个」, 「组建…562个」)
        after = normalize(sentence[fig.end : min(hi, fig.end + 6)])
        before = _own_before(sentence, fig, before)
        if focus and "、" in sentence[lo : fig.start]:  # a later item of an enumeration: its opening words too
            before = label_of(sentence, fig, figures).lead + before
        units = unit_match(query.unit, fig.unit)
        fit = 1.2 * units
        fit += 0.8 * coverage(qgrams, grams(clause)) + 0.5 * coverage(qgrams, grams(before))
        fit += 0.3 * coverage(qgrams, grams(after))
        if focus:  # the words attached to a figure weigh less when its unit is not the asked one
            fit += _focus_fit(focus, sentence, fig, figures, clause) * (0.3 if query.unit and not units else 1.0)
        elif _TOTAL_Q.search(query.norm) and _TOTAL_T.search(clause):
            fit += 0.3  # "how many in all" prefers the clause that states a total
        fit -= 0.01 * order
        if query.qtype == "numeric" and (
            any(figure_keys(fig.text) & figure_keys(g.text) and unit_match(g.unit, fig.unit) >= 0.7 for g in given)
            or fig.value in given_values
        ):
            fit -= GIVEN_PENALTY  # the question states this figure itself (「那1396名患病妇女中…救助了多少人次」)
        if fit > best_fit:
            best, best_fit = fig, fit
    return best, best_fit


PUBLISHED_BONUS = 0.3  # for a question asking when it was published: a line stating the page's date
_DATELINE = re.compile(r"\d{1,2}月\d{1,2}日讯|发布日期|发布时间")  # 「·闪电新闻6月19日讯」, 「发布日期: …」


def published_on(text: str) -> bool:
    """Whether a sentence states when its page was published (「发布日期: 2020- 03- 11」, 「2023-06-19 18:07:06」,
    「…6月19日讯」)."""
    return bool(PAGE_DATE.search(text) or _DATELINE.search(normalize(text)))


def is_heading(text: str) -> bool:
    """Whether an evidence sentence is a numbered heading line (「一、实施…行动」, 「三是…」)."""
    return bool(_HEADING.match(text)) and len(text) <= HEADING_LEN


def has_person(text: str) -> bool:
    """Whether a sentence names a person (jieba ``nr`` tag)."""
    return any(flag == "nr" and len(word) >= 2 for word, flag in pos_tags(text))


def candidates(hits: list[Hit], depth: int, page_lines: bool = False) -> list[Candidate]:
    """The evidence sentences of the top ``depth`` passages (the same ones the indexer stores vectors for; with
    ``page_lines``, a saved web page's date lines too)."""
    out = []
    for rank, hit in enumerate(hits[:depth]):
        text = hit.chunk.text
        for span in evidence_sentences(text, page_lines):
            out.append(Candidate(hit, rank, span.start, span.end, text[span.start : span.end]))
    return out


def score_candidates(
    query: Query,
    hits: list[Hit],
    idf: Idf,
    vectors: Callable[[list[Candidate]], np.ndarray] | None = None,
    query_vector: np.ndarray | None = None,
    depth: int = 5,
    focus: Focus | None = None,
    kind: str = "",
) -> list[Candidate]:
    """All candidate sentences of the top ``depth`` passages, best first."""
    published = asks_published(query)  # 「发布日期是哪一天」: the page's date line can answer it
    cands = candidates(hits, depth, page_lines=published)
    if not cands:
        return []
    if focus and focus.aside:  # what the question sets aside (「不算…新增的2名执委」) is not looked for
        query = dataclasses.replace(query, keywords=[k for k in query.keywords if k not in focus.aside])
    qgrams = query_grams(query, idf)
    sgrams_q = query_grams(query, idf, glossed=True)
    use_sim = query.lang == "en" and vectors is not None and query_vector is not None
    if vectors is not None and query_vector is not None and use_sim:
        sims = vectors(cands) @ query_vector
    actions = asked_action(query.norm) if query.qtype == "numeric" and query.lang == "zh" else ()
    named_type = asked_type(query.norm) if kind == "name" and query.lang == "zh" else ""
    ends = english_type_ends(query.norm) if kind == "name" and query.lang == "en" else ()
    numbered = asked_numbered(query.norm) if query.qtype == "numeric" else None
    claimed = {k for claim in query.claim_figures for k in figure_keys(claim)} if query.qtype == "yesno" else set()
    claimed_values = {f.value for claim in query.claim_figures for f in find_figures(claim)[:1]} if claimed else set()
    in_unit = counted_unit(query) if query.qtype == "numeric" else ""  # 「连续四年」 counts 几年 without digits
    prev_text = ""
    prev_hit = None
    for i, c in enumerate(cands):
        norm = normalize(c.text)
        section = c.hit.chunk.meta.heading
        context = normalize(section + " " + (prev_text if prev_hit is c.hit else ""))
        sgrams = grams(norm)
        c.lex = coverage(sgrams_q, sgrams)
        c.ctx = coverage(sgrams_q, sgrams | grams(context))
        if use_sim:
            c.sim = float(sims[i])
        prior = 1.0 / (1 + c.rank)
        if query.lang == "en":
            c.score = c.sim + 0.3 * c.lex + 0.05 * prior
        else:
            c.score = 0.55 * c.lex + 0.35 * c.ctx + 0.1 * prior
        if query.qtype == "numeric" or (query.qtype == "yesno" and query.claim_figures):
            c.figure, c.figure_fit = best_figure(query, c.text, qgrams, focus)
            # an English sentence's fit counts in full once it holds some of the question's words (through their
            # glosses): a unit and a loose thing word alone do not make a sentence about the asked thing
            weight = 0.15 if query.lang != "en" else 0.075 + min(0.075, 0.3 * max(c.lex, 0.5 * c.ctx))
            in_words = not c.figure and any(
                v in claimed_values or (in_unit and unit_match(in_unit, u) == 1.0) for _, v, u in cn_counts(norm)
            )  # 「百人以上」 for a claimed 100; 「连续四年」 for 连续几年
            c.score += weight * c.figure_fit if c.figure else (CLAIMED_FIGURE_BONUS if in_words else -0.3)
            if claimed and c.figure and figure_keys(c.figure.text) & claimed:
                c.score += CLAIMED_FIGURE_BONUS  # it states the very figure a yes/no claim makes
        if numbered and numbered.search(c.text):  # it writes the asked 「第N批」/「“N个一”」
            c.score += NUMBERED_BONUS
        if any(a in norm for a in actions):  # the question's own action (带动, 培训) over another count in its topic
            c.score += 0.1
        if query.qtype not in ("numeric", "list") and is_heading(c.text):
            c.score -= HEADING_PENALTY  # a heading names the topic; its body states what was done (a list's
            # items are numbered in the section a heading opens)
        if query.asks_person and not has_person(c.text):
            c.score -= 0.2
        if published and published_on(c.text):
            c.score += PUBLISHED_BONUS
        if kind == "date" and not DATE_SPAN.search(normalize(c.text)):
            c.score -= 0.2  # a date is asked (「几月开展的」): a sentence stating none does not answer
        if kind == "name" and ends:  # an English question asks a name of a type: one the sentence holds
            c.score += 0.08 * any(end in c.text for end in ends)
        elif kind == "name":  # a name is usually quoted or a title
            c.score += 0.04 * min(len(QUOTED_NAME.findall(c.text)), 2)
            if named_type and typed_name(c.text, (named_type,), query.norm):
                c.score += TYPED_NAME_BONUS  # it calls a quoted name by the asked type (「“网上助农”巾帼行动」)
        if query.qtype == "list":
            quoted = len(re.findall(r"“[^”]{1,30}”|《[^》]{1,30}》", c.text)) + c.text.count("、")
            c.score += 0.03 * min(quoted, 5)
        prev_text, prev_hit = c.text, c.hit
    cands.sort(key=lambda c: -c.score)
    return cands
