"""The extractive answerer: no LLM, answers by quoting the clause that holds the answer.

numeric → the figure with its unit as written, then the evidence sentence; list → the listed items;
yes/no → 是/否 with the evidence (a claimed figure is checked against the report's); entity → the
evidence sentence. Weak evidence (below a calibrated threshold) → "the reports don't say".
Leaves out: arithmetic across passages (sums are left to the LLM answerer's checked path).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.sentences import split_sentences
from core.text import CJK_RUNS, QUOTED_NAME, normalize, pos_tags
from core.types import Refusal, StoredChunk
from qa.bilingual import quoted_glosses
from qa.evidence import (
    Candidate,
    best_figure,
    has_person,
    is_heading,
    published_on,
    query_grams,
    score_candidates,
)
from qa.figures import Figure, as_written, asked_numbered, cn_counts, figure_keys, find_figures
from qa.focus import Focus, focus_of, label_of
from qa.lexical import Idf
from qa.lists import (
    asked_count,
    asked_group,
    closed_run,
    closing_items,
    closing_word,
    counted_run,
    counts_itself,
    headed_items,
    headed_phrase,
    items_in,
    listed_run,
    numbered_items,
    opening_items,
    parallel_run,
    quoted_head,
    quoted_run,
    section_items,
    stitch,
    typed_run,
)
from qa.plan import Options
from qa.qualifiers import contradiction, near_name
from qa.query import Query, asks_published, claim_bound, counted_unit, unit_match, within
from qa.refusals import evidence_refusal
from qa.retrieve import Hit, Retrieval
from qa.spans import asked_kind, asked_type, english_types, find_span, typed_name, verb_object
from qa.templates import say


@dataclass(frozen=True)
class Thresholds:
    """Minimum evidence score to answer (calibrated with ``fulian-qa eval --calibrate`` on the gold set and the
    spent sealed splits: zh answers the same from 0.28 to 0.33, the highest is kept)."""

    zh: float = 0.33
    en: float = 0.775


@dataclass
class Draft:
    """An answer before citations are numbered: text uses ``{n0}``, ``{n1}``… for its evidence."""

    text: str
    found: bool
    evidence: list[Candidate] = field(default_factory=list)
    confidence: float = 0.0
    reason: str = ""
    refusal: Refusal | None = None
    figure: Figure | None = None  # the figure a numeric answer states (None for one without digits: 第五批, 四年)


MAX_GAP = 4  # blank lines between two passages (a sentence broken across a paragraph break)
MAX_CONTINUATION = 300  # characters of a sentence read on into the next passage
LIST_LOOKAHEAD = 12  # candidate sentences searched for one that lists the asked number of items
HEADING_REACH, HEADING_MARGIN = 3, 0.1  # how far down, and how far below the best, a list's heading is looked for
TERM_MARGIN = 0.15  # how far below the best a sentence writing the question's quoted name may score to replace it
SHAPE_BONUS = 0.06  # confidence added when the evidence has the asked shape: as many items, a name of the type
LIST_RUNNER_UP = 0.55  # share of the best sentence's score a sentence listing the asked count needs to replace it
LABELLED_RUNNER_UP = 0.55  # the same for a sentence naming its list with the question's words


def _sentence_items(query: Query, text: str) -> list[str]:
    """A sentence's items: a run of the asked count that the sentence counts itself (「…四个抓手」) or that stands
    together among more quoted names; else its items, the last one cut before the group the question names
    (「…朗诵会“五个一”活动」)."""
    items = items_in(text, tuple(k for k in query.keywords if len(k) >= 2))
    count = asked_count(query.norm)
    if count and len(items) == count - 1 and len(pair := re.split(r"和|及|与", items[-1], maxsplit=1)) == 2 and all(
        len(p) >= 2 for p in pair
    ):
        items[-1:] = pair  # 「上岗准入、在岗管理和推荐提拔」 for 三道关: the last two are joined by 和
    if count and (run := counted_run(text, count) or (len(items) > count and quoted_run(text, count))):
        return run  # the report counts them itself (「…四个抓手」), or they stand together
    if count and len(items) != count and (run := parallel_run(text, count)):
        return run  # as many clauses as asked, alike in length (「广泛宣传发动,注重分类施策,…」)
    asked = [k for k in query.keywords if not any(k in t or t in k for t in query.terms)]  # not its own names
    named = [i for i in items if i[0] in "“《" and any(k in i for k in asked) and not any(t in i for t in query.terms)]
    if count and len(items) != count and len(named) == count:
        return named  # the quoted names that carry the question's words (「几个行动、几大工程…」: “四个攻坚行动”…)
    head = headed_phrase(query.norm)[1]
    if count and len(items) != count and (run := listed_run(text, count)) and all(i.endswith(head) for i in run):
        return run  # a 、-list of as many items as asked (of the asked group's kind), beside other quoted names
    if items:
        last = items[-1]
        cuts = [at for t in query.terms if (at := last.find(f"“{t}”")) > 1]
        if cuts:
            items[-1] = last[: min(cuts)]
    return items


def asked_ordinal(norm: str, sentence: str) -> str:
    """The numbered thing a 「第几X」 or 「“几个一”」 question asks for, as the sentence writes it (第五批), or ""."""
    found = pattern.search(sentence) if (pattern := asked_numbered(norm)) else None
    return found.group(0) if found else ""


def _lists_as_asked(query: Query, cand: Candidate) -> bool:
    """Whether a sentence lists exactly the (two or more) items the question counts."""
    count = asked_count(query.norm)
    return count >= 2 and len(_sentence_items(query, cand.text)) == count


_LABELLED = re.compile(r"、[^,，;；。、]{1,12}等(?:各类|各种|多种|系列)?([\u4e00-\u9fff]{2,6})")


def _labelled_run(query: Query, text: str) -> bool:
    """Whether a sentence names its 、-run with two or more of the question's words (「…等各类宣传资料」)."""
    words = [w for w in query.keywords if len(w) >= 2]
    return any(sum(w in m.group(1) for w in words) >= 2 for m in _LABELLED.finditer(normalize(text)))


def _fitting_list(query: Query, cands: list[Candidate], best: Candidate) -> Candidate:
    """For a list question that counts its items, a sentence scoring near the best that lists that many and numbers
    them so itself (「…三大主题…」) when the best does not; else the best-ranked sentence that names the quoted
    group nearest the count and lists exactly that many, when the best one does not (no group named: a sentence
    scoring near the best that lists that many); else ``best``."""
    if not _labelled_run(query, best.text):  # 「发放明白纸、宣传画、购物袋等各类宣传资料」 for 「哪几种宣传资料」
        for cand in cands[:LIST_LOOKAHEAD]:
            if cand.score >= LABELLED_RUNNER_UP * best.score and _labelled_run(query, cand.text):
                return cand
    count = asked_count(query.norm)
    if count and not counts_itself(best.text, count):  # a near runner-up that numbers its list with the count
        for cand in cands[:LIST_LOOKAHEAD]:
            if cand.score >= LIST_RUNNER_UP * best.score and counts_itself(cand.text, count) and (
                len(_sentence_items(query, cand.text)) == count
            ):
                return cand
    if not count or len(_sentence_items(query, best.text)) == count:
        return best
    if query.terms:
        group = max(query.terms, key=lambda t: query.norm.rfind(t))  # the quoted name nearest the count
        for cand in cands[:LIST_LOOKAHEAD]:
            if group in cand.text and len(_sentence_items(query, cand.text)) == count:
                return cand
    for cand in cands[:LIST_LOOKAHEAD]:  # no group named: a near runner-up listing exactly as many
        if cand.score >= LIST_RUNNER_UP * best.score and len(_sentence_items(query, cand.text)) == count:
            return cand
    return best


def _counts_it(focus: Focus, best: Candidate) -> bool:
    """Whether the evidence's figure is written right before the Chinese counted thing itself (「7个中心」)."""
    thing = focus.thing[0] if focus.thing else ""
    if best.figure is None or len(thing) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", thing):
        return False
    return normalize(best.text[best.figure.end : best.figure.end + len(thing) + 2]).startswith(thing)


def _counted_so(query: Query, sentence: str, value: float) -> bool:
    """Whether the sentence states the claimed count with another measure word, the claimed thing written right
    after it (「10个县市区妇联主席」 for 'ten … chairs', 主席 a gloss of the claim's word)."""
    words = [w for w in (*query.keywords, *(g for gs in query.glosses.values() for g in gs)) if len(w) >= 2]
    text = normalize(sentence)
    return any(
        f.value == value and any(w in text[f.end : f.end + 10] for w in words) for f in find_figures(text)
    )


_LOOSE_GROUPS = frozenset({"活动", "工作", "项目", "行动", "措施", "方面", "内容", "事情", "问题", "服务", "举措"})
TYPED_RANK = 2  # the lowest passage rank a list of the asked group is taken from


def _typed_list(query: Query, cands: list[Candidate], best: Candidate) -> Candidate | None:
    """For a Chinese list question naming its group (「哪些报纸」, 「哪些媒体平台」, not a loose 「哪些活动」), a
    sentence of a top passage listing things of that group (``typed_run``), the best one first; else None."""
    group = asked_group(query.norm) if query.lang == "zh" else ""
    if not group or group in _LOOSE_GROUPS:
        return None
    return next(
        (c for c in [best, *cands[:LIST_LOOKAHEAD]] if c.rank <= TYPED_RANK and len(typed_run(c.text, group)) >= 2),
        None,
    )


def _list_items(query: Query, best: Candidate, options: Options) -> list[str]:
    """The evidence sentence's items, or the passage's numbered enumeration when that fits the asked count
    better (or the sentence lists nothing)."""
    if not options.lists:
        return items_in(best.text)
    text = re.sub(r"[;；](?=\S)", "、", best.text)  # a run cut by a semicolon (``_run_before``) is one run
    if query.lang == "zh" and (typed := typed_run(text, asked_group(query.norm))):
        return typed  # the run the sentence names as of the asked group
    if run := next((r for t in query.terms if (r := closed_run(text, t))), []):
        return run  # the run the sentence closes with the question's quoted name (「…等“机关课堂”」)
    items = _sentence_items(query, text)
    count = asked_count(query.norm)
    numbered = numbered_items(best.hit.chunk.text)
    if len(numbered) >= 2 and (not items or (count and abs(len(numbered) - count) < abs(len(items) - count))):
        return numbered[:count] if count else numbered
    return items


class ExtractiveAnswerer:
    """Quotes the best evidence sentence; states figures exactly as written."""

    name = "extractive"

    def __init__(
        self,
        idf: Callable[[], Idf],
        encode: Callable[[list[str]], np.ndarray] | None = None,
        thresholds: Thresholds = Thresholds(),
        stored: Callable[[list[str]], dict[tuple[str, int, int], np.ndarray]] | None = None,
        doc_chunks: Callable[[str], list[StoredChunk]] | None = None,
    ) -> None:
        self._idf = idf  # the current corpus's IDF (it changes when reports are added)
        self._encode = encode  # for sentences without a stored vector (an index built before they were kept)
        self._stored = stored  # sentence vectors computed at index time, by (chunk id, start, end)
        self._doc_chunks = doc_chunks  # a report's passages, for lists whose items span several
        self._vectors: dict[str, np.ndarray] = {}
        self.thresholds = thresholds
        self.encoded_at_query = 0  # sentences that had to be encoded while answering (should stay 0)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Sentence vectors encoded now, cached by text."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing and self._encode is not None:
            if len(self._vectors) > 20_000:
                self._vectors.clear()
            self._vectors.update(zip(missing, self._encode(missing), strict=True))
            self.encoded_at_query += len(missing)
        return np.stack([self._vectors[t] for t in texts])

    def sentence_vectors(self, cands: list[Candidate]) -> np.ndarray:
        """One vector per candidate sentence: the one stored at index time, else encoded now."""
        stored = self._stored(list({c.hit.chunk.id for c in cands})) if self._stored else {}
        keys = [(c.hit.chunk.id, c.start, c.end) for c in cands]
        todo = [c.text for c, k in zip(cands, keys, strict=True) if k not in stored]
        fresh = iter(self.encode(todo)) if todo else iter(())
        return np.stack([stored[k] if k in stored else next(fresh) for k in keys])

    def confidence(self, query: Query, best: Candidate) -> float:
        lexical = 0.6 * best.lex + 0.4 * best.ctx
        return best.sim + 0.3 * lexical if query.lang == "en" else lexical

    def draft(self, query: Query, retrieval: Retrieval, slot: int = 0, options: Options = Options()) -> Draft:
        """Answer from one retrieval; ``slot`` numbers the citation placeholder (``{n0}``...); ``options`` turns
        mechanisms off for ablations (``refuse=False`` answers even below the threshold)."""
        vectors = self.sentence_vectors if self._encode is not None or self._stored else None
        idf = self._idf()
        focus = focus_of(query) if options.focus else None
        kind = asked_kind(query.norm) if options.spans and query.qtype == "entity" else ""
        cands = score_candidates(query, retrieval.hits, idf, vectors, retrieval.query_vector, focus=focus, kind=kind)
        if not cands:
            return Draft("", False, reason="no passages", refusal=Refusal.NO_PASSAGES)
        best = _writing_terms(query, cands, retrieval.uncovered_years)
        conf = self.confidence(query, best)
        heading = self._heading_of_list(query, cands) if query.qtype == "list" and options.lists else None
        if heading:
            best, conf = heading, self.confidence(query, heading) + SHAPE_BONUS  # it opens the numbered items
        elif query.qtype == "list" and options.lists and _lists_as_asked(query, best):
            conf += SHAPE_BONUS  # the sentence lists as many items as asked: its shape is evidence too
        elif query.qtype == "list" and options.lists and (typed := _typed_list(query, cands, best)):
            best, conf = typed, max(conf, self.thresholds.zh)  # it lists things of the very group asked for
        elif query.qtype == "numeric" and focus and _counts_it(focus, best):
            conf += SHAPE_BONUS  # its figure is written with the very thing counted (「…等7个中心」 for 几个「中心」)
        elif asks_published(query) and published_on(best.text):
            conf = max(conf, self.thresholds.en if query.lang == "en" else self.thresholds.zh)  # the page's own date
        elif kind == "name" and query.lang == "zh" and typed_name(best.text, (asked_type(query.norm),), query.norm):
            conf += SHAPE_BONUS  # it names a thing of the asked type (「开展了什么巾帼行动」: “网上助农”巾帼行动)
        limit = self.thresholds.en if query.lang == "en" else self.thresholds.zh
        if options.refuse and conf < limit:
            reason = f"weak evidence ({conf:.2f} < {limit:.2f})"
            return Draft("", False, [best], conf, reason, Refusal.WEAK_EVIDENCE)
        # a figure stated as the sentence writes it, without digits: 「第几批」 → 第五批, 「连续几年」 → 四年
        worded = asked_ordinal(query.norm, best.text) if query.qtype == "numeric" else ""
        if query.qtype == "numeric" and best.figure is None and not worded and (unit := counted_unit(query)):
            worded = next((t for t, _, u in cn_counts(normalize(best.text)) if unit_match(unit, u) == 1.0), "")
        if query.qtype == "numeric" and best.figure is None and not worded:
            return Draft("", False, [best], conf, "no figure in the evidence", Refusal.NO_FIGURE)
        if query.asks_person and not has_person(best.text):
            return Draft("", False, [best], conf, "no person named in the evidence", Refusal.NO_PERSON)
        if refusal := evidence_refusal(query, best, options):
            return Draft("", False, [best], conf, refusal[1], refusal[0])
        if query.qtype == "list" and options.lists and not heading:
            best = _fitting_list(query, cands, best)
        unnamed: list[str] = []  # the claim's names no passage writes
        if query.qtype == "yesno" and options.qualifiers:
            best, unnamed = _unnamed_claim(query, cands, best)
        best = _extend(best)
        if query.qtype == "list" and options.lists:
            best = _run_before(best)
        extra: list[Candidate] = []  # passages holding list items beyond the evidence sentence
        if tail := self._continuation(best):  # the sentence goes on in the next passage
            extra.append(tail)
        n = f"{{n{slot}}}"
        whole = dataclasses.replace(best, text=best.text + tail.text) if tail else best
        evidence = whole.text.strip()
        lang = query.lang
        stated = None
        if query.qtype == "numeric":
            figure = worded or (as_written(best.text, best.figure) if best.figure else "")  # 第五批, 四年; 近100名
            stated = None if worded else best.figure
            text = say(lang, "figure", figure=figure, evidence=evidence, n=n)
        elif query.qtype == "list" and (
            items := self._closing_list(query, best, options, extra)
            or (self._section_list(query, heading, 0, extra) if heading else [])
            or self._list(query, whole, options, extra)
        ):
            count = asked_count(query.norm) if options.lists else 0
            key = "list_fewer" if 0 < len(items) < count else "list"
            text = say(lang, key, items="、".join(items), evidence=evidence, n=n, found=len(items), asked=count)
        elif (kind or query.qtype == "entity") and (span := self._span(kind, query, best, focus, options)):
            text = say(lang, "span", span=span, evidence=evidence, n=n)
        elif query.qtype == "yesno":
            text = self._yesno(query, best, evidence, n, idf, options, unnamed)
        else:
            text = say(lang, "plain", evidence=evidence, n=n)
        return Draft(text, True, [best, *extra], conf, figure=stated)

    def _span(self, kind: str, query: Query, best: Candidate, focus: Focus | None, options: Options) -> str:
        """The asked name in the evidence sentence (an English question's type through its words' glosses)."""
        words = _words(query, focus)
        types = english_types(query.norm, query.glosses, words) if query.lang == "en" else ()
        if not kind:  # an English question whose type of thing bears names (「what viewpoint」): only such a name;
            # a Chinese one asking what was done (「评选了什么」): the quoted name right after the verb
            if not options.spans:
                return ""
            return typed_name(best.text, types, query.norm) if types else verb_object(best.text, query.norm)
        given = quoted_glosses(query.norm, query.glosses) if query.lang == "en" else ()
        if (piece := _figure_piece(query.norm, best.text)) and (
            span := find_span(kind, query.norm, piece, words, tuple(query.cities), types, given)
        ):
            return span  # the name beside the figure the question states (「…发布了1373条信息」: “株洲女性”)
        return find_span(kind, query.norm, best.text, words, tuple(query.cities), types, given)

    def _continuation(self, best: Candidate) -> Candidate | None:
        """The rest of an evidence sentence cut off at the end of its passage: the next passage of the report up
        to the sentence's end, or None."""
        chunk, text = best.hit.chunk, best.text.rstrip()
        if self._doc_chunks is None or text[-1:] in _TERMINAL or chunk.text[best.end :].strip():
            return None
        nxt = min(
            (
                c
                for c in self._doc_chunks(chunk.meta.doc)
                if c.meta.start <= chunk.meta.end + MAX_GAP and chunk.meta.end < c.meta.end
            ),
            key=lambda c: c.meta.start,
            default=None,
        )
        if nxt is None:
            return None
        lo = max(0, chunk.meta.end - nxt.meta.start)
        stop = next((i + 1 for i in range(lo, len(nxt.text)) if nxt.text[i] in _TERMINAL), len(nxt.text))
        clauses = (re.split(r"[,，;；:：]", text)[-1], re.split(r"[,，;；:：]", nxt.text[lo:stop])[0])
        if nxt.meta.start > chunk.meta.end and not all("、" in c for c in clauses):
            return None  # across a paragraph break only an enumeration goes on (not a caption before a heading)
        if stop - lo > MAX_CONTINUATION or not nxt.text[lo:stop].strip():
            return None
        return Candidate(Hit(nxt, 0.0), best.rank, lo, stop, nxt.text[lo:stop])

    def _list(self, query: Query, best: Candidate, options: Options, extra: list[Candidate]) -> list[str]:
        """The items of a list answer: the evidence sentence's, or — when the question counts a group
        (「六大行动」) the sentence does not spell out — the group's items across the report, whose passages are
        added to ``extra`` for citing."""
        count = asked_count(query.norm)
        quoted = re.findall(r"[“「]([\u4e00-\u9fff]{2,4})[”」]", query.norm) if options.lists and count else []
        if quoted and self._doc_chunks:  # 「分别“强化”了哪三个方面」: the report's items opening with the word
            chunks = sorted(self._doc_chunks(best.hit.doc), key=lambda c: c.meta.start)
            if opened := next((o for q in quoted if (o := opening_items(stitch(chunks), q, count))), []):
                return _cited(opened, chunks, best, extra)
        items = _list_items(query, best, options)
        short = options.lists and count and len(items) != count
        if short and (sectioned := self._section_list(query, best, count, extra)):
            return sectioned
        phrase, head = headed_phrase(query.norm)
        if not (options.lists and phrase and self._doc_chunks):
            return items
        valid = [] if any(phrase in i for i in items) else items  # a sentence that names the group introduces it
        ending = all(i.rstrip('”"').endswith(head) for i in valid)
        if quoted_head(query.norm) and not ending:
            valid = []  # the question quotes what its items end with (「三个「相结合」」): these are not they
        headed = len(valid) >= count and ending
        if headed or len(valid) == count:
            return items
        chunks = sorted(self._doc_chunks(best.hit.doc), key=lambda c: c.meta.start)
        found = headed_items(stitch(chunks), phrase, head, count)
        if len(found) <= max(len(valid), 1):
            return items
        return _cited(found, chunks, best, extra)

    def _closing_list(self, query: Query, best: Candidate, options: Options, extra: list[Candidate]) -> list[str]:
        """For a question asking the names that end with a quoted word (「用哪几个“心”来概括」), the report's
        names so written nearest the evidence (齐心、暖心、爱心), their passages added to ``extra``; else []."""
        if not (options.lists and (word := closing_word(query.norm)) and self._doc_chunks):
            return []
        chunks = sorted(self._doc_chunks(best.hit.doc), key=lambda c: c.meta.start)
        at = best.hit.chunk.meta.start + best.start
        found = closing_items(stitch(chunks), word, at, asked_count(query.norm))
        return _cited(found, chunks, best, extra) if len(found) >= 2 else []

    def _heading_of_list(self, query: Query, cands: list[Candidate]) -> Candidate | None:
        """A heading among the leading candidates that names the question's group and opens a section of numbered
        items (「三、实施巾帼“双创”攻坚行动」 → 一是…五是…) — as many as the question counts, when it counts them
        and no sentence near the best lists so many itself (``_fitting_list``) or the heading writes the name the
        question writes (「…(妇女儿童权益维护工程)」); None when there is none."""
        count = asked_count(query.norm)
        if not cands:
            return None
        names = written_names(query)
        listed = count and _lists_as_asked(query, _fitting_list(query, cands, cands[0]))
        for cand in cands[:HEADING_REACH]:
            near = cand.score >= cands[0].score - HEADING_MARGIN
            if listed and not any(name in _squash(normalize(cand.text)) for name in names):
                continue
            if near and is_heading(cand.text) and (
                len(items := self._section_list(query, cand, 0, [])) == count >= 2 or (not count and len(items) >= 2)
            ):
                return cand
        return None

    def _section_list(self, query: Query, best: Candidate, count: int, extra: list[Candidate]) -> list[str]:
        """The ``count`` numbered items of the report section the evidence stands in (its heading names the group,
        「二、提升“家家幸福安康工程”」 → 一是…四是…), their passages added to ``extra``; [] when it numbers fewer."""
        if self._doc_chunks is None:
            return []
        chunks = sorted(self._doc_chunks(best.hit.doc), key=lambda c: c.meta.start)
        words = [*query.terms, *(k for k in query.keywords if len(k) >= 3 or (len(k) == 2 and k not in _EVERYWHERE))]
        found = section_items(stitch(chunks), best.hit.chunk.meta.start + best.start, count, words)
        return _cited(found, chunks, best, extra)

    def _yesno(
        self,
        query: Query,
        best: Candidate,
        evidence: str,
        n: str,
        idf: Idf,
        options: Options,
        unnamed: Sequence[str] = (),
    ) -> str:
        """是 when the report states the claimed figure for the claimed thing and no other qualifier (全省 for
        全国, 第二 for 第一, another year); 否 with what it says instead, or with the claim's name (``unnamed``) no
        passage writes."""
        qgrams = query_grams(query, idf)
        focus = focus_of(query) if options.focus else None
        checked = False
        for claim in query.claim_figures:
            fig = find_figures(claim)
            unit = fig[0].unit if fig else ""
            if checked and figure_keys(claim) & figure_keys(best.text):
                continue  # a further claimed figure need only be stated (「从5000元降到3000元」)
            stated, _ = best_figure(dataclasses.replace(query, unit=unit), best.text, qgrams, focus)
            if stated is not None and unit and not unit_match(unit, stated.unit):
                stated = None  # 「连续三年」 is not compared with 「87所」
            if stated is None and fig and _counted_so(query, best.text, fig[0].value):
                checked = True  # 「10个县市区妇联主席」 for 'ten … chairs': the same count, counted by county
                continue
            if stated is None:  # 「连续五年」 asked, 「连续六年」 stated in Chinese numerals
                said = [(t, v) for t, v, u in cn_counts(normalize(best.text)) if u == unit and fig]
                if said and not any(v == fig[0].value for _, v in said):
                    return say(query.lang, "no_figure", figure=said[0][0], evidence=evidence, n=n)
                checked = checked or bool(said)
                continue
            if (bound := claim_bound(query.norm, claim, asked=True)) and fig:  # 「超过100次了吗」 against 「105次」
                claimed = fig[0].value  # the report may bound its own figure: 「超1800万次」, 「2000余名」
                told = claim_bound(normalize(best.text), stated.text) or (">=" * bool(re.search("[余多]", stated.text)))
                lower = bound[0] == ">" and told[:1] == ">"
                if within(stated.value, bound, claimed) or (lower and stated.value >= claimed):
                    checked = True
                    continue
                if lower:  # 「超1800万次」 says nothing of 「超过2000万次」
                    return say(query.lang, "no_such_figure", evidence=evidence, n=n)
                return say(query.lang, "no_figure", figure=stated.text, evidence=evidence, n=n)
            if not figure_keys(claim) & figure_keys(stated.text) and not _stated_so(
                query, best.text, fig, stated, focus
            ):
                return say(query.lang, "no_figure", figure=stated.text, evidence=evidence, n=n)
            checked = True
        names = tuple(w for gs in query.glosses.values() for w in gs)
        if options.qualifiers and (other := contradiction(query.norm, normalize(best.text), names)):
            return say(query.lang, "no_figure", figure=other, evidence=evidence, n=n)
        if query.claim_figures and not checked:  # 是 only for a claimed count the evidence states
            return say(query.lang, "no_such_figure", evidence=evidence, n=n)
        if unnamed:
            return say(query.lang, "no_such_name", name="、".join(unnamed), evidence=evidence, n=n)
        return say(query.lang, "yes", evidence=evidence, n=n)


def _writing_terms(query: Query, cands: list[Candidate], years: Sequence[int] = ()) -> Candidate:
    """The best candidate, or — when its passage does not write a name the question quotes (「机关课堂」), or its
    sentence a year no report covers but a report looks back on (``years``: 「开展2018年度…创投」) — the best
    sentence writing them within ``TERM_MARGIN`` of it (a sibling's sentence, “板凳课堂”, is not the answer)."""
    best = cands[0]
    context = normalize(best.hit.chunk.text + " " + best.hit.chunk.meta.section)
    named = query.terms if query.lang != "en" and query.qtype != "yesno" else []
    missing = [t for t in named if len(t) >= 4 and t not in context]
    missing += [f"{y}年" for y in years if f"{y}年" not in best.text]
    near = (c for c in cands if c.score >= best.score - TERM_MARGIN and all(t in normalize(c.text) for t in missing))
    return next(near, best) if missing else best


def _figure_piece(question: str, sentence: str) -> str:
    """The piece of a sentence (between 、，；) stating a figure the question states itself, when other pieces state
    other figures (「“株洲女性”发布信息1373条」 of 「…338篇、“株洲女性”发布信息1373条、《潇湘女性》采用信息1146条」
    for 「在哪个平台发布了1373条信息」), or ""."""
    asked = figure_keys(question)
    pieces = [p for p in re.split(r"[、，,；;。]", sentence) if find_figures(p)]
    own = [p for p in pieces if figure_keys(p) & asked]
    return own[0] if asked and len(own) == 1 and len(pieces) > 1 else ""


def _squash(text: str) -> str:
    """The text without spaces and punctuation (「助力精准扶贫 关爱留守儿童」 as 「助力精准扶贫关爱留守儿童」)."""
    return re.sub(r"[\W_]", "", text)


def written_names(query: Query) -> list[str]:
    """The names a question writes: its quoted names, or an English question's Chinese words (squashed)."""
    if query.lang == "en":
        found = CJK_RUNS.findall(query.norm)
    else:
        found = [m.group(0)[1:-1] for m in QUOTED_NAME.finditer(query.norm)]
    return [name for name in map(_squash, found) if len(name) >= 2]


def _unnamed_claim(query: Query, cands: list[Candidate], best: Candidate) -> tuple[Candidate, list[str]]:
    """The claim's names no sentence writes, and the evidence to answer it from: a sentence writing a name the
    claim nearly writes (“六个一” for 「五个一」) when there is one, else ``best``. A name written anywhere leaves
    ``best`` (its scoring weighs the claim's figures and words, and a name written beside another type)."""
    names = [name for name in written_names(query) if name not in _squash(normalize(best.text))]
    unnamed = [name for name in names if not any(name in _squash(normalize(c.text)) for c in cands)]
    if unnamed and (near := next((c for c in cands if near_name(query.norm, normalize(c.text))), None)):
        return near, unnamed
    return best, unnamed


def _stated_so(query: Query, sentence: str, claimed: list[Figure], stated: Figure, focus: Focus | None) -> bool:
    """Whether ``sentence`` states the claimed figure with words attached that the claim writes, one of them
    missing beside the figure chosen as the asked one (``stated``): 「劝返30名」 for 劝返失联儿童30名吗, beside
    「寻找失联儿童70多名」 that more of the claim's words describe; not 「妇女微家201个」 for 妇女之家是不是201个."""
    if not claimed or focus is None:
        return False
    figures = [f for f in find_figures(sentence) if not f.is_year]
    chosen = next((f for f in figures if f.start == stated.start), None)
    if chosen is None:
        return False
    other = label_of(sentence, chosen, figures)
    words = [w for w in (*focus.thing, *focus.qualifiers) if len(w) >= 2 and w not in other.before + other.after]
    for fig in figures:
        if figure_keys(fig.text) & figure_keys(claimed[0].text) and unit_match(claimed[0].unit, fig.unit) >= 0.7:
            label = label_of(sentence, fig, figures)
            own = re.sub(r"^(?:其中|含|包括)", "", label.before)[-6:]
            # (an English claim writes no Chinese: its glossed words attached are enough)
            written = query.lang == "en" or all(own[i : i + 2] in query.norm for i in range(len(own) - 1))
            if written and any(w in label.before + label.after for w in words):
                return True
    return False


# words of a list question that name no section: every section does, has or is one
_EVERYWHERE = frozenset(
    {"开展", "工作", "方面", "妇女", "妇联", "活动", "哪些", "主要", "具体", "分成", "包括", "进行"}
)


def _cited(
    found: list[tuple[int, str]], chunks: list[StoredChunk], best: Candidate, extra: list[Candidate]
) -> list[str]:
    """The items found at report offsets, each one's passage (when not cited already) added to ``extra``."""
    for at, item in found:
        chunk = next((c for c in chunks if c.meta.start <= at < c.meta.end), None)
        if chunk is None or chunk.id in {best.hit.chunk.id, *(e.hit.chunk.id for e in extra)}:
            continue
        if (lo := chunk.text.find(item)) >= 0:
            extra.append(Candidate(Hit(chunk, 0.0), best.rank, lo, lo + len(item), item))
    return [item for _, item in found]


def _words(query: Query, focus: Focus | None) -> list[str]:
    """The question's words in the reports' language (English through the focus glossary)."""
    return [*query.keywords, *(focus.thing + focus.qualifiers if focus else ())]


_TERMINAL = set("。！？；!?;”")


def _run_before(best: Candidate) -> Candidate:
    """A list evidence sentence opening with a 、-run, joined with the sentence before it when that one ends its
    own 、-run with a semicolon (「通过培育甲、乙、丙;丁、戊等典型示范活动」: one run cut in two), else ``best``."""
    text = best.hit.chunk.text
    before = [s for s in split_sentences(text) if s.end <= best.start]
    if not before or text[before[-1].start : before[-1].end].rstrip()[-1:] not in ";；":
        return best
    tail = re.split(r"[,，:：]", text[before[-1].start : before[-1].end].rstrip(";； "))[-1]
    head = re.split(r"[,，;；。]", best.text)[0]
    first = head.split("、")[0]  # the run goes on: no verb opens it, and the one before is not closed by 等
    opens = any(flag.startswith("v") for _, flag in pos_tags(first))
    if "、" in tail and "、" in head and "等" not in tail and not opens:
        return dataclasses.replace(best, start=before[-1].start, text=text[before[-1].start : best.end])
    return best


def _extend(best: Candidate) -> Candidate:
    """A heading-like, very short or line-broken evidence sentence is joined with the sentence after it."""
    if len(best.text) >= 16 and best.text[-1] in _TERMINAL:
        return best
    text = best.hit.chunk.text
    following = [s for s in split_sentences(text) if s.start >= best.end]
    if not following:
        return best
    end = following[0].end
    return dataclasses.replace(best, end=end, text=text[best.start : end])
