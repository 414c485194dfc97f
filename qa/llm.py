"""The LLM answerer: an OpenAI-compatible chat model writes the answer; code checks it before it is returned.

Flow: refuse without calling the model when the extractive answerer found the evidence weak or the
place/year is not covered → number the top passages [1]…[k] (per city for multi-city questions) →
one call → checks → one repair call if a check failed → otherwise the extractive answer, marked
``extractive-fallback`` with the reason. Checks: every [n] names a passage that was given; every figure
(Arabic, or a Chinese numeral such as 三千) appears in the passage(s) cited by its own claim; a sum or
difference the question asks for is recomputed from the cited figures and corrected in the text. A sentence
the model left uncited is cited by code only from the one passage that holds all its figures and most of its
words. Citations keep the prompt's numbers and only cited passages are returned, so the streamed text and the
final text agree unless a check changed it.
Leaves out: figures spelled as English words, conversation memory (see ``qa.condense``), tool calls.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from fulian_qa.settings import Settings
from index.chunk import split_sentences
from index.normalize import normalize, to_simplified
from qa import prompts
from qa.answer import Draft
from qa.evidence import grams
from qa.figures import Figure, figure_keys, find_figures, ungrounded
from qa.query import UNIT_GROUPS, Query
from qa.retrieve import Hit, Retrieval
from qa.templates import say
from qa.types import Answer, Citation

ANSWERERS = ("extractive", "llm")
MAX_TOKENS = 400  # answers are one to three sentences; bounds a slow local model
MAX_PASSAGES = 8  # across cities, for multi-city questions
WEAK = ("weak evidence", "no passages")  # extractive refusals that stop the model being called
SUM = re.compile(r"合计|一共|总共|共计|总计|加起来|总和|\bsum\b|\btotal\b|\bcombined\b|\baltogether\b|\bin all\b")
DIFF = re.compile(r"相差|差多少|差距|多出|多多少|少多少|\bdifference\b|\bhow (?:many|much) more\b")
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
_EN_MAGNITUDE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(thousand|million|billion)\b", re.I)
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]{2,}")
_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_BLANK = re.compile(r"\n\s*\n")  # blank lines inside a passage (blank lines separate passages)


def choose_answerer(settings: Settings, requested: str | None = None) -> str:
    """``extractive`` or ``llm`` for a request (None → settings; ``auto`` → llm when an endpoint is set).

    Raises ``ValueError`` for an unknown name or for ``llm`` when no endpoint is configured.
    """
    choice = (requested or settings.answerer or "auto").strip().lower()
    if choice == "auto":
        return "llm" if settings.llm_enabled else "extractive"
    if choice not in ANSWERERS:
        raise ValueError(f"unknown answerer {choice!r}; use one of {', '.join(ANSWERERS)}")
    if choice == "llm" and not settings.llm_enabled:
        raise ValueError("the llm answerer is not configured: set FQA_LLM_BASE_URL (and FQA_LLM_MODEL)")
    return choice


# -- passages and prompt ------------------------------------------------------------------------------
@dataclass
class Passage:
    """One numbered passage of the prompt."""

    n: int
    hit: Hit
    where: str

    @property
    def grounding_text(self) -> str:
        year = int(self.hit.chunk.meta.get("year", 0) or 0)
        return f"{self.where}\n{year or ''}\n{self.hit.chunk.text}"


@dataclass
class Plan:
    """What the model is asked: the numbered passages and the messages."""

    query: Query
    passages: dict[int, Passage]
    messages: list[BaseMessage]
    ops: list[str]  # "sum" / "diff" when the question asks for arithmetic


def _where(hit: Hit, lang: str) -> str:
    meta = hit.chunk.meta
    year = int(meta.get("year", 0) or 0)
    section = (meta.get("section") or "").split(" > ")[-1][:40]
    parts = [meta.get("city") or hit.doc, prompts.pick(prompts.WHERE_YEAR, lang).format(year=year) if year else "",
             section]
    return " · ".join(p for p in parts if p)


def select_passages(
    retrievals: list[tuple[str, Retrieval]], drafts: list[tuple[str, Draft]], k: int, skip: set[str]
) -> list[Hit]:
    """Top ``k`` hits (per city for multi-city questions, at most ``MAX_PASSAGES`` in all), plus each draft's
    evidence passage, without duplicates; cities in ``skip`` contribute nothing."""
    per = k if len(retrievals) == 1 else max(2, min(k, MAX_PASSAGES // max(1, len(retrievals))))
    chosen: dict[str, Hit] = {}
    for (city, result), (_, draft) in zip(retrievals, drafts, strict=True):
        if city and city in skip:
            continue
        hits = list(result.hits[:per])
        hits += [ev.hit for ev in draft.evidence if ev.hit.chunk.id not in {h.chunk.id for h in hits}]
        for hit in hits:
            chosen.setdefault(hit.chunk.id, hit)
    return list(chosen.values())


def build_messages(query: Query, question: str, passages: dict[int, Passage], missing: list[str],
                   ops: list[str]) -> list[BaseMessage]:
    lang = query.lang
    not_found = prompts.pick(prompts.NOT_FOUND, lang)
    template = prompts.pick(prompts.PASSAGE, lang)
    block = "\n\n".join(
        template.format(n=p.n, where=p.where, text=_BLANK.sub("\n", p.hit.chunk.text.strip()))
        for p in passages.values()
    )
    notes = ""
    if lang == "zh" and to_simplified(question) != question:
        notes += prompts.pick(prompts.NOTE_TRADITIONAL, lang)
    if missing:
        notes += prompts.pick(prompts.NOTE_MISSING, lang).format(cities="、".join(missing))
    if query.multi:
        notes += prompts.pick(prompts.NOTE_COMPARE, lang)
    if ops:
        notes += prompts.pick(prompts.NOTE_ARITHMETIC, lang)
    return [
        SystemMessage(prompts.pick(prompts.SYSTEM, lang).format(not_found=not_found)),
        HumanMessage(prompts.pick(prompts.USER, lang).format(passages=block, notes=notes, question=question)),
    ]


# -- checks ---------------------------------------------------------------------------------------------
@dataclass
class Problem:
    kind: str  # bad_citation | no_citation | empty | figure | figure_uncited | affirmed
    figure: str = ""
    cited: str = ""

    def say(self, lang: str, last: int) -> str:
        return prompts.pick(prompts.PROBLEMS, lang)[self.kind].format(figure=self.figure, cited=self.cited, last=last)


@dataclass
class Verdict:
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
                stop = re.search(r"[。！？!?；;.\s]*$", line)
                line = f"{line[: stop.start()]}{carry}{line[stop.start():]}"
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


def auto_cite(text: str, passages: dict[int, Passage]) -> tuple[str, int]:
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
        named = [p for p in passages.values() if p.hit.chunk.meta.get("city") and p.hit.chunk.meta["city"] in body]
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
        stop = re.search(r"[。！？!?；;.\s]*$", sentence)
        out.append(f"{sentence[: stop.start()]}[{best.n}]{sentence[stop.start():]}")
        added += 1
    return "".join(out), added


def expand_magnitudes(text: str) -> str:
    """「1.24 million」 → 「1240000」, so an English magnitude is checked by value (124万 is 1.24 million, not 124)."""

    def expand(m: re.Match) -> str:
        value = float(m.group(1).replace(",", "")) * _EN_SCALE[m.group(2).lower()]
        return str(int(value)) if value.is_integer() else f"{value:.2f}"

    return _EN_MAGNITUDE.sub(expand, text)


def cn_value(run: str) -> int | None:
    """The value of a Chinese numeral (三千四百二十六 → 3426), None when the run is not one (十三五)."""
    total = section = 0
    digit: int | None = None
    for ch in run:
        if ch in "零〇":
            if digit is not None:
                return None
        elif ch in _CN_DIGIT:
            if digit is not None:
                return None
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
        else:
            section += digit or 0
            if section == 0:
                return None
            total += section * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def _cn_ungrounded(claim: str, passages: list[str]) -> list[str]:
    values = {f.value for p in passages for f in find_figures(normalize(p))}
    joined = "\n".join(passages)
    missing = []
    for m in _CN_RUN.finditer(claim):
        value = cn_value(m.group())
        if value is None or value < 10 or not re.search("[十百千万亿]", m.group()):
            continue
        if m.group() not in joined and float(value) not in values:
            missing.append(m.group())
    return missing


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


def _as_written(value: float, stated: Figure) -> str:
    """``value`` written like ``stated`` (same magnitude word and unit): 6357 like 「6000条」 → 「6357」."""
    raw = float(_NUMBER.match(stated.text).group(0).replace(",", ""))
    scale = stated.value / raw if raw else 1.0
    number = round(value / scale, 2)
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _equal(value: float, stated: Figure) -> bool:
    raw = _NUMBER.match(stated.text).group(0).replace(",", "")
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    scale = stated.value / float(raw) if float(raw) else 1.0
    return round(value / scale, decimals) == float(raw)


def check(text: str, plan: Plan, question_norm: str) -> Verdict:
    """Check a reply against the passages it was given (see the module docstring)."""
    text = clean(text)
    norm = normalize(text)
    verdict = Verdict(text)
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
        stated = [f for n in verdict.cited if n in plan.passages for f in find_figures(normalize(
            plan.passages[n].hit.chunk.text))]
        for claim in (f for c in plan.query.claim_figures for f in find_figures(normalize(c))):
            if not any(f.value == claim.value and _family(claim.unit, f.unit) for f in stated):  # 2个 ≠ 2次
                verdict.problems.append(Problem("affirmed", claim.text, "".join(f"[{n}]" for n in verdict.cited)))
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
        for run in _cn_ungrounded(body, [normalize(t) for t in texts + extra]):
            verdict.problems.append(Problem("figure" if cited else "figure_uncited", run, label))
    for fig, label, operands in unexplained:
        if not _computed(verdict, fig, operands, plan.ops):
            verdict.problems.append(Problem("figure" if label else "figure_uncited", fig.text, label))
    return verdict


def _computed(verdict: Verdict, stated: Figure, grounded_figs: list[Figure], ops: list[str]) -> bool:
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
        raw = _NUMBER.match(stated.text).group(0)
        fixed = _as_written(value, stated)
        verdict.text = re.sub(rf"(?<![\d.]){re.escape(raw)}(?![\d.])", fixed, verdict.text)
        entry |= {"corrected_from": stated.text, "figure": stated.text.replace(raw, fixed, 1)}
    verdict.computed.append(entry)
    return True


# -- citations --------------------------------------------------------------------------------------------
def _evidence(hit: Hit, claim_texts: list[str]) -> tuple[int, int, str]:
    """The sentence of a passage that best supports the claims citing it (offsets within the passage)."""
    text = hit.chunk.text
    if not claim_texts:  # a passage listed for reference: no evidence span, as the extractive refusal does
        return 0, len(text), ""
    wanted = set().union(*(figure_keys(c) for c in claim_texts))
    claim_grams = set().union(*(grams(normalize(c)) for c in claim_texts))
    best, best_score = None, -1.0
    for span in split_sentences(text):
        sentence = text[span.start : span.end]
        score = 5.0 * len(wanted & figure_keys(sentence)) + len(claim_grams & grams(normalize(sentence)))
        if score > best_score:
            best, best_score = span, score
    if best is None:
        return 0, len(text), ""
    return best.start, best.end, text[best.start : best.end]


def to_citation(n: int, hit: Hit, claim_texts: list[str] | None = None) -> Citation:
    meta = hit.chunk.meta
    begin = int(meta.get("start", 0))
    start, end, evidence = _evidence(hit, claim_texts or [])
    return Citation(
        n=n, doc=hit.doc, chunk_id=hit.chunk.id, text=hit.chunk.text, start=begin + start, end=begin + end,
        score=round(hit.score, 5), city=meta.get("city", ""), year=int(meta.get("year", 0) or 0),
        section=meta.get("section", ""), passage_start=begin, passage_end=int(meta.get("end", 0)), evidence=evidence,
    )


def _content(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):
        return "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    return content or ""


# -- the answerer -----------------------------------------------------------------------------------------
class LLMAnswerer:
    """Writes answers with a chat model behind any OpenAI-compatible endpoint; thread-safe."""

    def __init__(self, settings: Settings, chat: Any = None) -> None:
        self.settings = settings
        self._chat = chat
        self._lock = threading.Lock()

    @property
    def chat(self) -> Any:
        """The ``ChatOpenAI`` client, built on first use (no network or import cost before that)."""
        with self._lock:
            if self._chat is None:
                from langchain_openai import ChatOpenAI

                s = self.settings
                self._chat = ChatOpenAI(
                    model=self._model_name(), base_url=s.llm_base_url, api_key=s.llm_api_key or "none",
                    timeout=s.llm_timeout, max_retries=0, temperature=0,
                    extra_body={"max_tokens": MAX_TOKENS},  # not max_completion_tokens: llama.cpp ignores that
                )
            return self._chat

    def _model_name(self) -> str:
        """FQA_LLM_MODEL, else the first model the endpoint lists (local servers usually serve one)."""
        s = self.settings
        if s.llm_model:
            return s.llm_model
        try:
            import httpx

            headers = {"Authorization": f"Bearer {s.llm_api_key or 'none'}"}
            res = httpx.get(f"{(s.llm_base_url or '').rstrip('/')}/models", headers=headers,
                            timeout=min(5.0, s.llm_timeout))
            return res.json()["data"][0]["id"]
        except Exception:
            return "default"

    # -- public ---------------------------------------------------------------------------------------
    def answer(self, query: Query, retrievals: list[tuple[str, Retrieval]], drafts: list[tuple[str, Draft]],
               fallback: Answer, k: int, note: str = "") -> Answer:
        """The checked LLM answer, or ``fallback`` (the extractive answer) marked with the reason."""
        *_, (_, final) = self.stream(query, retrievals, drafts, fallback, k, note, stream=False)
        assert final is not None
        return final

    def stream(self, query: Query, retrievals: list[tuple[str, Retrieval]], drafts: list[tuple[str, Draft]],
               fallback: Answer, k: int, note: str = "", stream: bool = True) -> Iterator[tuple[str, Answer | None]]:
        """Yield ``(text delta, None)`` while the model writes, then ``("", checked Answer)``."""
        plan = self.plan(query, retrievals, drafts, k, note)
        if isinstance(plan, str):
            yield "", dataclasses.replace(fallback, answerer="llm", checks={"model_called": False, "skipped": plan})
            return
        started = time.perf_counter()
        pieces: list[str] = []
        try:
            if stream:
                for chunk in self.chat.stream(plan.messages):
                    if piece := _content(chunk):
                        pieces.append(piece)
                        yield piece, None
            else:
                pieces.append(_content(self.chat.invoke(plan.messages)))
        except Exception as exc:
            yield "", self._fallback(fallback, f"LLM call failed: {self.describe(exc)}", {"model_called": True})
            return
        yield "", self._finish(plan, "".join(pieces), fallback, started)

    def plan(self, query: Query, retrievals: list[tuple[str, Retrieval]], drafts: list[tuple[str, Draft]], k: int,
             note: str = "") -> Plan | str:
        """The prompt for a question, or the reason the model must not be called (weak or uncovered)."""
        if note:
            return note
        weak = [city for city, d in drafts if not d.found and d.reason.startswith(WEAK)]
        if len(weak) == len(drafts):
            return next((d.reason for _, d in drafts if d.reason), "no passages")
        hits = select_passages(retrievals, drafts, k, set(weak))
        if not hits:
            return "no passages"
        passages = {n: Passage(n, hit, _where(hit, query.lang)) for n, hit in enumerate(hits, 1)}
        ops = [op for op, rx in (("sum", SUM), ("diff", DIFF)) if rx.search(query.norm)]
        messages = build_messages(query, query.raw, passages, [c for c in weak if c], ops)
        return Plan(query, passages, messages, ops)

    # -- steps ----------------------------------------------------------------------------------------
    def _finish(self, plan: Plan, text: str, fallback: Answer, started: float) -> Answer:
        verdict = check(text, plan, plan.query.norm)
        repaired = False
        if not verdict.ok and not verdict.not_found:
            last = max(plan.passages)
            lang = plan.query.lang
            problems = "\n".join(p.say(lang, last) for p in verdict.problems)
            repair = prompts.pick(prompts.REPAIR, lang).format(
                problems=problems, last=last, not_found=prompts.pick(prompts.NOT_FOUND, lang)
            )
            first = verdict
            try:
                reply = self.chat.invoke([*plan.messages, AIMessage(verdict.text), HumanMessage(repair)])
            except Exception as exc:
                return self._fallback(fallback, f"checks failed ({first.reason(last)}); the repair call failed: "
                                      f"{self.describe(exc)}", self._checks(first, False))
            verdict, repaired = check(_content(reply), plan, plan.query.norm), True
            if verdict.not_found:  # it gave up on an answer it had thought the passages hold: not a confident refusal
                reason = f"checks failed ({first.reason(last)}); asked to repair, the model found no answer"
                return self._fallback(fallback, reason, self._checks(first, True))
            if not verdict.ok:
                before = "" if first.reason(last) == verdict.reason(last) else f" (first reply: {first.reason(last)})"
                reason = f"checks failed after one repair: {verdict.reason(last)}{before}"
                return self._fallback(fallback, reason, self._checks(verdict, True))
        checks = self._checks(verdict, repaired) | {"llm_ms": round((time.perf_counter() - started) * 1000, 1)}
        if verdict.not_found:
            lang = plan.query.lang
            closest = [to_citation(p.n, p.hit) for p in list(plan.passages.values())[:3]]
            return dataclasses.replace(
                fallback, answer=say(lang, "not_found"), found=False, citations=closest, answerer="llm",
                reason="the model found no answer in the passages", checks=checks, fallback_reason="",
            )
        by_claim: dict[int, list[str]] = {}
        for claim, cited in claims(verdict.text):
            for n in cited:
                by_claim.setdefault(n, []).append(claim)
        citations = [to_citation(n, plan.passages[n].hit, by_claim.get(n)) for n in verdict.cited]
        return dataclasses.replace(
            fallback, answer=verdict.text, found=True, citations=citations, answerer="llm", reason="",
            checks=checks, fallback_reason="",
        )

    @staticmethod
    def _checks(verdict: Verdict, repaired: bool) -> dict[str, Any]:
        return {
            "model_called": True, "citations_ok": verdict.citations_ok, "figures_ok": verdict.figures_ok,
            "repaired": repaired, "computed": verdict.computed, "auto_cited": verdict.auto_cited,
        }

    @staticmethod
    def _fallback(fallback: Answer, reason: str, checks: dict[str, Any]) -> Answer:
        return dataclasses.replace(fallback, answerer="extractive-fallback", fallback_reason=reason, checks=checks)

    def describe(self, exc: Exception) -> str:
        """A clear one-line cause for a failed model call."""
        import httpx
        import openai

        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            return f"the model did not answer within {self.settings.llm_timeout:g} s (FQA_LLM_TIMEOUT)"
        if isinstance(exc, openai.APIStatusError):
            return f"the model server returned HTTP {exc.status_code}: {str(exc.message)[:200]}"
        if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
            return f"cannot reach the model server at {self.settings.llm_base_url}"
        return f"{type(exc).__name__}: {str(exc)[:200]}"
