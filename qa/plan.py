"""Work out, once per question, everything the answer path needs before it searches.

``make_plan`` checks the question, picks the answerer, cleans the filters, parses the question against
the catalogue and, for a question about several cities, the sub-question for each city. Every later
step reads the plan instead of working these out again. Leaves out: searching and answering.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from core.settings import Settings
from core.text import YEAR, normalize
from qa.query import Catalog, Query, city_mentions, city_years, compared_ask, parse

ANSWERERS = ("extractive", "llm")
AnswererName = Literal["extractive", "llm"]


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long, not text, an answerer that is not configured)."""


@dataclass(frozen=True)
class Options:
    """Switches for ablations: each part of the answer path can be turned off."""

    dense: bool = True
    sentences: bool = True  # rank passages by their sentence nearest the question too
    bm25: bool = True
    place_filter: bool = True
    refuse: bool = True  # refuse below the calibrated evidence threshold
    focus: bool = True  # choose the figure by counted thing, unit and qualifier (part vs whole)
    spans: bool = True  # state the asked name/title/person/place span first
    lists: bool = True  # assemble list items across sentences and neighbouring passages
    qualifiers: bool = True  # yes/no: every qualifier of the claim must be supported
    measure: bool = True  # refuse when the asked measure or concept is not in the evidence
    glosses: bool = True  # read an English question's words through the dictionary's Chinese (qa.bilingual)


@dataclass(frozen=True)
class Target:
    """One scope to search and answer: a city of a multi-city question ("" for the whole question)."""

    city: str
    query: Query


@dataclass
class QuestionPlan:
    """A checked, parsed question with its scopes, answerer, filters and switches."""

    question: str
    query: Query
    targets: list[Target]
    k: int
    answerer: AnswererName = "extractive"
    filters: dict[str, list[str]] | None = None
    options: Options = field(default_factory=Options)
    id: Any = None


def check_question(question: Any, max_chars: int) -> str:
    """The stripped question, or ``QuestionError`` saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("question must be a string")
    question = question.strip()
    if not question:
        raise QuestionError("question is empty")
    if len(question) > max_chars:
        raise QuestionError(f"question is too long ({len(question)} characters; at most {max_chars})")
    return question


def choose_answerer(settings: Settings, requested: str | None = None) -> AnswererName:
    """``extractive`` or ``llm`` for a request (None → settings; ``auto`` → llm when an endpoint is set).

    Raises ``QuestionError`` for an unknown name or for ``llm`` when no endpoint is configured.
    """
    choice = (requested or settings.answerer or "auto").strip().lower()
    if choice == "auto":
        return "llm" if settings.llm_enabled else "extractive"
    if choice == "llm" and not settings.llm_enabled:
        raise QuestionError("the llm answerer is not configured: set FQA_LLM_BASE_URL (and FQA_LLM_MODEL)")
    if choice == "extractive":
        return "extractive"
    if choice == "llm":
        return "llm"
    raise QuestionError(f"unknown answerer {choice!r}; use one of {', '.join(ANSWERERS)}")


def clean_filters(filters: dict[str, Any] | None) -> dict[str, list[str]] | None:
    """``{"docs": [...], "cities": [...]}`` without empty entries (None when nothing is filtered)."""
    if not filters:
        return None
    clean = {key: list(filters.get(key) or []) for key in ("docs", "cities") if filters.get(key)}
    return clean or None


def sub_question(question: str, city: str, cities: list[str]) -> str:
    """The part of a multi-city question about ``city`` (「天水培训了多少人，株洲呢」→ per-city clauses).

    Clauses naming only ``city`` are kept, with the clauses after them in the same sentence that name no city
    (「天水…这一系列活动，全市有多少名…参与？」); when no clause names it alone the whole question is used.
    """
    parts, own = [], []
    for sentence in re.split(r"[？?；;。！!：:]", question):
        owners: set[str] = set()  # a clause naming no city goes on about the city the clause before it names
        for part in (p for p in re.split(r"[，,]", sentence) if p.strip()):
            parts.append(part)
            owners = {c for c in cities if c in normalize(part)} or owners
            if owners == {city}:
                own.append(part)
    if not own:
        return _own_phrase(question, city, cities) or question
    text = "，".join(own)
    rest = re.sub(rf"{YEAR.pattern}年?", "", normalize(text).replace(city, ""))
    if len(rest.strip()) < 4:  # 「株洲呢」「天水2016年呢」: borrow the other clause's wording
        other = next((p for p in parts if p not in own), "")
        for c in cities:
            other = other.replace(c, city)
        mine = YEAR.findall(text)
        if mine:  # 「天水2016年呢」: the borrowed wording takes this clause's year
            other = YEAR.sub(lambda m: mine[0], other)
        return other or question
    return text


_SHARED = re.compile(r"分别|各自|各")
_JOIN = re.compile(r"(?:和|与|及|跟|以及|、)$")


def _own_phrase(question: str, city: str, cities: list[str]) -> str:
    """「乐清的母亲学堂和天水的母亲教育讲堂分别有多少所」 → 「乐清的母亲学堂有多少所」: in one clause that names several
    cities each with its own words before a shared 分别/各…, the city's own phrase with the shared predicate; "" when
    the clause is not written so (「天水和株洲发放的救助金分别是多少」 shares its words)."""
    norm = normalize(question)
    shared = _SHARED.search(norm)
    if not shared:
        return ""
    head, predicate = norm[: shared.start()], re.sub(r"^(?:分别|各自|各)", "", norm[shared.start() :])
    marks = sorted((head.find(c), c) for c in cities if head.find(c) >= 0)
    if len(marks) < 2 or [c for _, c in marks].count(city) != 1:
        return ""
    phrases = {}
    for (at, c), (nxt, _) in zip(marks, [*marks[1:], (len(head), "")], strict=True):
        phrase = _JOIN.sub("", head[at:nxt].strip())
        words = re.sub(r"的|市|县|区", "", phrase.replace(c, "", 1))
        if len(re.findall(r"[\u4e00-\u9fff]", words)) < 2:
            return ""  # a city with no words of its own: the words are shared
        phrases[c] = phrase
    return phrases[city] + predicate


_EN_CLAUSE = re.compile(
    r",\s*(?:and|while|whereas|but)\s+|;\s*|\?\s+(?=\S)|,\s*(?=how |what |which |who |when |where )"
)
_EN_ASK = re.compile(r"\b(?:how|what|which|who|whom|whose|when|where|did|does|do|is|was|were|are|has|have)\b")


def english_clause(norm: str, city: str, mentions: list[tuple[int, str]]) -> str:
    """The clause of an English question about several cities that names ``city`` alone and asks something
    (「How many calls did Dongying's line answer, and how many consultations has Yueqing's room given?」 → its
    second clause for 乐清); "" when the question is not written clause by clause."""
    seps = list(_EN_CLAUSE.finditer(norm))
    starts, ends = [0, *(m.end() for m in seps)], [*(m.start() for m in seps), len(norm)]
    clauses = [(lo, hi) for lo, hi in zip(starts, ends, strict=True) if norm[lo:hi].strip()]
    named = [{c for p, c in mentions if lo <= p < hi} for lo, hi in clauses]
    own = [norm[lo:hi] for (lo, hi), cs in zip(clauses, named, strict=True) if cs == {city}]
    if len(own) != 1 or sum(1 for cs in named if cs) < 2 or not _EN_ASK.search(own[0]):
        return ""
    return own[0].strip(" ,;?") + "?"


def targets(query: Query, catalog: Catalog, scope_years: bool = True) -> list[Target]:
    """One target per named city for a multi-city question (each with its own sub-question), else one.

    With ``scope_years`` each target keeps only the years written beside its city (``qa.query.city_years``)."""
    if not query.multi:
        return [Target("", query)]
    years = city_years(query.norm, query.lang, catalog) if scope_years else {}
    out = []
    for city in query.cities:
        mentions = city_mentions(query.norm, query.lang, catalog) if query.lang == "en" else []
        clause = english_clause(query.norm, city, mentions) if mentions else ""
        own_ask = sub_question(query.raw, city, query.cities)
        if query.compares and query.lang == "zh" and own_ask == query.raw:  # 「…哪个…更多」: each city's count
            own_ask = compared_ask(query.norm, city, query.cities) or own_ask
        sub = parse(clause or own_ask, catalog)
        own = years.get(city, sub.years) if scope_years else sub.years
        compared = query.compares and sub.qtype in ("entity", "list")  # each is asked its figure (「谁…多」: no person)
        qtype, person = ("numeric", False) if compared else (sub.qtype, sub.asks_person)
        unit = query.unit if query.compares and query.unit else sub.unit  # compared in the question's one measure
        sub = dataclasses.replace(sub, cities=[city], years=own, qtype=qtype, asks_person=person, unit=unit)
        out.append(Target(city, sub))
    return out


def make_plan(
    question: Any,
    catalog: Catalog,
    settings: Settings,
    k: int | None = None,
    filters: dict[str, Any] | None = None,
    options: Options | None = None,
    answerer: str | None = None,
    id: Any = None,
) -> QuestionPlan:
    """The plan for one question (raises ``QuestionError`` on bad input)."""
    question = check_question(question, settings.max_question_chars)
    chosen = choose_answerer(settings, answerer)
    options = options or Options()
    query = parse(question, catalog)
    scopes = targets(query, catalog, options.place_filter)
    if not options.glosses:
        query = dataclasses.replace(query, glosses={})
        scopes = [dataclasses.replace(t, query=dataclasses.replace(t.query, glosses={})) for t in scopes]
    return QuestionPlan(
        question,
        query,
        scopes,
        k or settings.top_k,
        chosen,
        clean_filters(filters),
        options,
        id,
    )
