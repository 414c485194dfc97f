"""Checks on an LLM reply, in code, before it is shown: citations, figures, sums, refusals.

Every ``[n]`` must name a passage the model was given; every figure (Arabic, or a Chinese numeral such as
三千) must appear in the passage(s) cited by its own claim; a sum or difference the question asks for is
recomputed from the cited figures and corrected in the text; a sentence the model left uncited is cited only
from the one passage holding all its figures and most of its words; a reply saying the passages hold no
answer is recognised. Leaves out: calling the model (``qa.llm_answer``) and prompt wording (``qa.prompts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage

from core.sentences import split_sentences
from core.text import normalize
from core.types import Citation
from qa import prompts
from qa.evidence import grams
from qa.figures import Figure, cn_ungrounded, expand_magnitudes, figure_keys, find_figures, ungrounded
from qa.query import UNIT_GROUPS, Query
from qa.retrieve import Hit

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．［］【】", "0123456789%.[][]")
_MARKS = re.compile(r"\[\s*(?:资料|資料|段落|passage|source)?\s*(\d+(?:\s*[,，、\-–~]\s*\d+)*)\s*\]", re.I)
_GROUP = re.compile(r"(?:[ \t]*\[\d+\])+")
_END = re.compile(r"[。！？!?；;\n]|\.(?=\s|$)")
_PREFIX = re.compile(r"^\s*(?:答案|回答|答|answer)\s*[:：]\s*", re.I)
_LEAD = re.compile(
    r"(?m)^(?:根据|据|参见|见)?(?:资料|資料|段落|passage|source)?\s*(?:编号|編號)?\s*((?:\[\d+\])+)\s*[:：,，]?\s*([^\n]+)$",
    re.I,
)
_LABEL_LINE = re.compile(
    r"^\s*(?:资料编号|資料編號|资料|資料|编号|編號|来源|來源|出处|sources?|passages?)?\s*[:：]?\s*((?:\[\d+\])+)\s*[:：]?\s*$",
    re.I,
)
_LABELS = re.compile(r"资料编号|资料|编号|来源|出处|sources?|passages?|答案|answer", re.I)
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


@dataclass
@dataclass
class NumberedPassage:
    """One numbered passage of the prompt."""

    n: int
    hit: Hit
    where: str

    @property
    def grounding_text(self) -> str:
        year = self.hit.chunk.meta.year
        return f"{self.where}\n{year or ''}\n{self.hit.chunk.text}"


@dataclass
class Prompt:
    """What the model is asked: the numbered passages and the messages."""

    query: Query
    passages: dict[int, NumberedPassage]
    messages: list[BaseMessage]
    ops: list[str]  # "sum" / "diff" when the question asks for arithmetic


# -- checks ---------------------------------------------------------------------------------------------
@dataclass
class Problem:
    kind: str  # bad_citation | no_citation | empty | figure | figure_uncited | affirmed
    figure: str = ""
    cited: str = ""

    def say(self, lang: str, last: int) -> str:
        return prompts.pick(prompts.PROBLEMS, lang)[self.kind].format(figure=self.figure, cited=self.cited, last=last)


@dataclass
class ReplyCheck:
    """The checked (and possibly corrected) text of one model reply."""

    text: str
    cited: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    computed: list[dict[str, Any]] = field(default_factory=list)
    not_found: bool = False
    auto_cited: int = 0  # uncited sentences the code cited (all their figures in that one passage)

    @property
    def citations_ok(self) -> bool:
        return not any(p.kind in ("bad_citation", "no_citation") for p in self.problems)

    @property
    def figures_ok(self) -> bool:
        return not any(p.kind.startswith("figure") or p.kind == "affirmed" for p in self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    def reason(self, last: int) -> str:
        """The problems in English, without quoting any unsupported figure."""
        reasons = [prompts.REASONS[p.kind].format(cited=p.cited, last=last) for p in self.problems]
        return "; ".join(dict.fromkeys(reasons))


def clean(text: str) -> str:
    """Half-width digits, one ``[n]`` per cited passage (「【1】」「[1,2]」「[资料1]」 → ``[1]``/``[1][2]``)."""
    text = _PREFIX.sub("", text.translate(_FULLWIDTH)).strip()
    text = re.sub(r"(?<=\d)，(?=\d{3}(?!\d))", ",", text)

    text = _MARKS.sub(lambda m: "".join(f"[{n}]" for n in _numbers(m.group(1))), text)
    return _LEAD.sub(_lead_to_end, _carry_citation_lines(text))


def _carry_citation_lines(text: str) -> str:
    """A line that is only a citation (「资料编号：[1]」) cites the line after it, when that line cites nothing."""
    lines, carry = [], ""
    for line in text.split("\n"):
        if m := _LABEL_LINE.match(line):
            carry += m.group(1)
            continue
        if carry and line.strip():
            if not _GROUP.search(line):
                cut = _tail(line)
                line = f"{line[:cut]}{carry}{line[cut:]}"
            carry = ""
        lines.append(line)
    if carry:  # nothing followed: keep the citation where it was
        lines.append(carry)
    return "\n".join(lines).strip()


def _lead_to_end(m: re.Match) -> str:
    """「资料编号[2]：发放宣传品59万余册」 → 「发放宣传品59万余册[2]」 (the citation goes after its claim)."""
    body = m.group(2).rstrip()
    stop = re.search(r"[。.!！]$", body)
    return body[: stop.start()] + m.group(1) + stop.group() if stop else body + m.group(1)


def _numbers(spec: str) -> list[int]:
    """「1, 3」 → [1, 3]; 「1-3」 → [1, 2, 3]."""
    out: list[int] = []
    for part in re.split(r"\s*[,，、]\s*", spec):
        bounds = [int(x) for x in re.split(r"\s*[\-–~]\s*", part) if x]
        a, b = bounds[0], bounds[-1]
        out += list(range(a, b + 1)) if 0 <= b - a <= 10 else bounds
    return out


def _refuses(norm: str) -> bool:
    return any(normalize(m) in norm for m in prompts.NOT_FOUND.values()) or any(
        p in norm for p in prompts.NOT_FOUND_LOOSE
    )


def says_not_found(text: str) -> bool:
    """The reply says the passages don't answer, and says nothing else of substance."""
    if not _refuses(normalize(text)):
        return False
    rest = [c for c, _ in claims(text) if not _refuses(normalize(c))]
    return not any(re.sub(r"[\W_]", "", c) for c in rest)


def sentences(text: str) -> list[str]:
    """The sentences of a reply (joined they give the text back); citations right after a full stop
    (「…3426人。[1]」) belong to that sentence."""
    out, start = [], 0
    for m in _END.finditer(text):
        if m.start() < start:
            continue
        end = m.end()
        group = _GROUP.match(text, end)
        if group:
            end = group.end()
        out.append(text[start:end])
        start = end
    out.append(text[start:])
    return [s for s in out if s]


def claims(text: str) -> list[tuple[str, list[int]]]:
    """(claim, cited numbers): each sentence, cut after each citation group; the text after the last group
    of a sentence is covered by every number the sentence cites."""
    out: list[tuple[str, list[int]]] = []
    for sentence in sentences(text):
        groups = list(_GROUP.finditer(sentence))
        every = [int(n) for g in groups for n in re.findall(r"\d+", g.group())]
        pos = 0
        for g in groups:
            out.append((sentence[pos : g.start()], [int(n) for n in re.findall(r"\d+", g.group())]))
            pos = g.end()
        if sentence[pos:].strip():
            out.append((sentence[pos:], every))
    return [(c, cited) for c, cited in out if c.strip()]


def auto_cite(text: str, passages: dict[int, NumberedPassage]) -> tuple[str, int]:
    """Cite the uncited sentences the model wrote from one passage: every figure of the sentence must be in it
    (and it must be about the city the sentence names) and most of its wording, else the sentence stays uncited.
    Returns the text and how many citations were added."""
    out, added = [], 0
    for sentence in sentences(text):
        body = normalize(sentence)
        if _GROUP.search(sentence) or len(re.sub(r"[\W_]", "", body)) < 2 or _refuses(body):
            out.append(sentence)
            continue
        figures = [f for f in find_figures(body) if not f.is_year]
        wanted = grams(body)
        named = [p for p in passages.values() if p.hit.chunk.meta.city and p.hit.chunk.meta.city in body]
        best, best_cover = None, 0.0
        for p in named or passages.values():
            if ungrounded(body, [p.grounding_text]):
                continue
            cover = len(wanted & grams(normalize(p.hit.chunk.text))) / max(1, len(wanted))
            if cover > best_cover:
                best, best_cover = p, cover
        if best is None or not (figures or best_cover >= 0.6):
            out.append(sentence)
            continue
        cut = _tail(sentence)
        out.append(f"{sentence[:cut]}[{best.n}]{sentence[cut:]}")
        added += 1
    return "".join(out), added


def _family(a: str, b: str) -> bool:
    return not a or a == b or any(a in g and b in g for g in UNIT_GROUPS)


def _operands(found: list[Figure], stated: Figure) -> list[Figure]:
    seen, out = set(), []
    for f in found:
        if not f.is_year and _family(stated.unit, f.unit) and f.value not in seen and f.value != stated.value:
            seen.add(f.value)
            out.append(f)
    return out


def _results(op: str, operands: list[Figure]) -> float | None:
    if op == "sum" and len(operands) >= 2:
        return sum(f.value for f in operands)
    if op == "diff" and len(operands) == 2:
        return abs(operands[0].value - operands[1].value)
    return None


def _tail(sentence: str) -> int:
    """Where a sentence's closing punctuation and spaces begin (its length if it has none)."""
    m = re.search(r"[。！？!?；;.\s]*$", sentence)
    return m.start() if m else len(sentence)


def _raw(stated: Figure, keep_commas: bool = False) -> str:
    """The number as written at the start of a figure (「1,200人」 → 「1200」, or 「1,200」 with commas kept)."""
    m = _NUMBER.match(stated.text)
    raw = m.group(0) if m else stated.text
    return raw if keep_commas else raw.replace(",", "")


def _as_written(value: float, stated: Figure) -> str:
    """``value`` written like ``stated`` (same magnitude word and unit): 6357 like 「6000条」 → 「6357」."""
    raw = float(_raw(stated))
    scale = stated.value / raw if raw else 1.0
    number = round(value / scale, 2)
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _equal(value: float, stated: Figure) -> bool:
    raw = _raw(stated)
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    scale = stated.value / float(raw) if float(raw) else 1.0
    return round(value / scale, decimals) == float(raw)


def check(text: str, plan: Prompt, question_norm: str) -> ReplyCheck:
    """Check a reply against the passages it was given (see the module docstring)."""
    text = clean(text)
    norm = normalize(text)
    verdict = ReplyCheck(text)
    if says_not_found(text):
        verdict.not_found = True
        return verdict
    text, verdict.auto_cited = auto_cite(text, plan.passages)
    verdict.text = text
    verdict.cited = list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", text)))
    bad = [n for n in verdict.cited if n not in plan.passages]
    if bad:
        verdict.problems.append(Problem("bad_citation", cited="".join(f"[{n}]" for n in bad)))
    if not verdict.cited:
        verdict.problems.append(Problem("no_citation"))
    elif not re.sub(r"[\W_]", "", _LABELS.sub("", re.sub(r"\[\d+\]", "", norm))):
        verdict.problems.append(Problem("empty"))
    affirms = norm.lstrip().startswith(("是", "对", "yes"))
    extra = [] if affirms else [question_norm]
    if affirms and plan.query.qtype == "yesno":  # 「是」 restates the question's figures: they must be cited
        stated = [
            f
            for n in verdict.cited
            if n in plan.passages
            for f in find_figures(normalize(plan.passages[n].hit.chunk.text))
        ]
        for asked in (f for c in plan.query.claim_figures for f in find_figures(normalize(c))):
            if not any(f.value == asked.value and _family(asked.unit, f.unit) for f in stated):  # 2个 ≠ 2次
                verdict.problems.append(Problem("affirmed", asked.text, "".join(f"[{n}]" for n in verdict.cited)))
    before: list[Figure] = []  # grounded figures so far: the operands of a sum stated after them
    unexplained: list[tuple[Figure, str, list[Figure]]] = []
    for claim, cited in claims(text):
        body = expand_magnitudes(normalize(claim))
        texts = [plan.passages[n].grounding_text for n in cited if n in plan.passages]
        label = "".join(f"[{n}]" for n in cited)
        missing = set(ungrounded(body, texts + extra))
        for fig in find_figures(body):
            if fig.text in missing:
                unexplained.append((fig, label, list(before)))
            else:
                before.append(fig)
        for run in cn_ungrounded(body, [normalize(t) for t in texts + extra]):
            verdict.problems.append(Problem("figure" if cited else "figure_uncited", run, label))
    for fig, label, operands in unexplained:
        if not _computed(verdict, fig, operands, plan.ops):
            verdict.problems.append(Problem("figure" if label else "figure_uncited", fig.text, label))
    return verdict


def _computed(verdict: ReplyCheck, stated: Figure, grounded_figs: list[Figure], ops: list[str]) -> bool:
    """A sum/difference the question asked for: accept it when right, correct it in the text when wrong."""
    if stated.is_year or not ops:
        return False
    operands = _operands(grounded_figs, stated)
    results = [(op, r) for op in ops if (r := _results(op, operands)) is not None]
    if not results:
        return False
    op, value = next(((op, r) for op, r in results if _equal(r, stated)), results[0])
    entry = {"figure": stated.text, "op": op, "value": value, "operands": [f.text for f in operands]}
    if not _equal(value, stated):
        raw = _raw(stated, keep_commas=True)
        fixed = _as_written(value, stated)
        verdict.text = re.sub(rf"(?<![\d.]){re.escape(raw)}(?![\d.])", fixed, verdict.text)
        entry |= {"corrected_from": stated.text, "figure": stated.text.replace(raw, fixed, 1)}
    verdict.computed.append(entry)
    return True


# -- citations --------------------------------------------------------------------------------------------
def _evidence(hit: Hit, claim_texts: list[str]) -> tuple[int, int] | None:
    """The sentence of a passage that best supports the claims citing it (offsets within the passage)."""
    text = hit.chunk.text
    if not claim_texts:  # a passage listed for reference: no evidence span, as the extractive refusal does
        return None
    wanted = set().union(*(figure_keys(c) for c in claim_texts))
    claim_grams = set().union(*(grams(normalize(c)) for c in claim_texts))
    best, best_score = None, -1.0
    for span in split_sentences(text):
        sentence = text[span.start : span.end]
        score = 5.0 * len(wanted & figure_keys(sentence)) + len(claim_grams & grams(normalize(sentence)))
        if score > best_score:
            best, best_score = span, score
    return None if best is None else (best.start, best.end)


def to_citation(n: int, hit: Hit, claim_texts: list[str] | None = None) -> Citation:
    """Citation ``n`` of a passage the model cited, its evidence the sentence that best supports the claims."""
    return Citation.of(n, hit.chunk, hit.score, _evidence(hit, claim_texts or []))
