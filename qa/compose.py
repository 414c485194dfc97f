"""Turn drafts into the answer object: number citations, check every figure, or refuse with the reason.

Scope refusals (nothing indexed, a place no report covers, a year the reports do not cover) come first;
then each target's draft in order, its ``{n<slot>}`` placeholders replaced by citation numbers; an answer
whose figures are not all in its cited passages is withdrawn. A refusal lists the closest passages.
Leaves out: choosing the evidence (``qa.answer``) and the LLM's own answer (``qa.llm_answer``).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.types import Answer, Citation, Part, Refusal
from qa.answer import Draft
from qa.corpus import Corpus
from qa.figures import ungrounded
from qa.plan import QuestionPlan, Target
from qa.query import unit_match
from qa.retrieve import Retrieval
from qa.templates import say


@dataclass(frozen=True)
class Note:
    """A refusal decided from the question's scope, with the sentence that says so."""

    refusal: Refusal
    text: str
    part: str = ""  # the same, said inside one city's part of a found answer (no catalogue figures)


def scope_note(plan: QuestionPlan, retrievals: list[Retrieval], drafts: list[Draft], corpus: Corpus) -> Note | None:
    """Why the reports cannot answer this question at all, or None.

    When only some cities of a multi-city question name a year their reports do not cover, those cities' drafts
    are marked not found (their parts say so) and the others are answered."""
    query, lang = plan.query, plan.query.lang
    if corpus.empty:
        return Note(Refusal.EMPTY_INDEX, say(lang, "empty_index"))
    if query.unknown_places and not query.cities and plan.options.place_filter:
        covered = "、".join(sorted(corpus.catalog.cities)) or "-"
        return Note(
            Refusal.UNKNOWN_PLACE, say(lang, "unknown_place", place="、".join(query.unknown_places), covered=covered)
        )
    notes = [_year_note(plan, t, r, d, corpus) for t, r, d in zip(plan.targets, retrievals, drafts, strict=True)]
    if any(notes) and all(n or not d.found for n, d in zip(notes, drafts, strict=True)):
        return next(n for n in notes if n)
    for draft, note in zip(drafts, notes, strict=True):  # one city's year is not covered: only its part says so
        if note is not None:
            draft.found, draft.reason, draft.refusal = False, note.part or note.text, note.refusal
    return None


def _year_note(plan: QuestionPlan, target: Target, result: Retrieval, draft: Draft, corpus: Corpus) -> Note | None:
    """The uncovered-year refusal of one target: it names a year no report of its city covers, and its
    evidence does not name that year either (a report may look back on an earlier year)."""
    if not (result.uncovered_years and draft.found):
        return None
    if any(str(y) in ev.hit.chunk.text for y in result.uncovered_years for ev in draft.evidence):
        return None
    years = "、".join(str(y) for y in result.uncovered_years)
    where = target.city or "、".join(plan.query.cities)
    key = "uncovered_year" if where else "uncovered_year_any"  # a question naming no city (or one none covers)
    text = say(plan.query.lang, key, year=years, city=where, covered=corpus.coverage())
    return Note(Refusal.UNCOVERED_YEAR, text, say(plan.query.lang, "uncovered_year_part", year=years, city=where))


def _verdict(targets: list[Target], drafts: list[Draft], lang: str) -> str:
    """Which of two cities has more, from the figures their parts state in units of one kind (「765起」 against
    「400余起」); "" when a part states none or the units differ (亿元 against 笔)."""
    stated = [(t.city, d.figure) for t, d in zip(targets, drafts, strict=True) if d.found and d.figure]
    if len(stated) != 2 or len(targets) != 2:
        return ""
    (a, fa), (b, fb) = sorted(stated, key=lambda cf: -cf[1].value)
    if unit_match(fa.unit, fb.unit) < 0.7:
        return ""
    if fa.value == fb.value:
        return say(lang, "compare_equal", a=a, b=b, fa=fa.text)
    return say(lang, "compare_more", a=a, b=b, fa=fa.text, fb=fb.text)


def closest(retrievals: list[Retrieval], n: int) -> list[Citation]:
    """The top passages of each retrieval, for reference (no evidence span)."""
    out: list[Citation] = []
    for result in retrievals:
        for hit in result.hits[:n]:
            out.append(Citation.of(len(out) + 1, hit.chunk, hit.score))
    return out[:n]


def compose(plan: QuestionPlan, retrievals: list[Retrieval], drafts: list[Draft], note: Note | None) -> Answer:
    """The answer object (without id, latency and timings, which the service stamps)."""
    query, lang, k = plan.query, plan.query.lang, plan.k
    citations: list[Citation] = []
    texts: list[str] = []
    parts: list[Part] = []  # per city, for a question about several
    found_any = False
    confidence = min((d.confidence for d in drafts), default=0.0)
    reason, refusal = "", None
    if note is None:
        for slot, (target, draft) in enumerate(zip(plan.targets, drafts, strict=True)):
            city = target.city
            if draft.found:
                found_any = True
                body = draft.text
                first = len(citations) + 1
                for ev in draft.evidence:
                    citations.append(Citation.of(len(citations) + 1, ev.hit.chunk, ev.score, ev.span))
                    body = body.replace(f"{{n{slot}}}", str(len(citations)))
                texts.append(say(lang, "part", city=city, body=body) if city else body)
                if city:
                    parts.append(Part(city=city, answer=body, citation_n=list(range(first, len(citations) + 1))))
            else:
                reason, refusal = reason or draft.reason, refusal or draft.refusal
                if city and draft.refusal is Refusal.UNCOVERED_YEAR:
                    texts.append(say(lang, "part", city=city, body=draft.reason))  # a scope note: not a figure
                elif city:
                    texts.append(say(lang, "part_missing", city=city))
                if city:
                    scope = draft.reason if draft.refusal is Refusal.UNCOVERED_YEAR else ""
                    parts.append(Part(city=city, answer=scope, found=False))
    if found_any and query.compares and (verdict := _verdict(plan.targets, drafts, lang)):
        texts.append(verdict)
    text = "\n".join(texts)
    if found_any:
        missing = ungrounded(text, [c.text for c in citations], plan.question)
        if missing:
            found_any = False
            reason = f"grounding check failed: {', '.join(missing)} not in cited passages"
            refusal = Refusal.UNGROUNDED
    if not found_any:
        if note is not None:
            reason, refusal = note.text, note.refusal
        text = note.text if note is not None else say(lang, "not_found")
        citations = closest(retrievals, min(k, 3))
    hits = [h for r in retrievals for h in r.hits]
    retrieved = [
        {"doc": h.doc, "chunk_id": h.chunk.id, "score": round(h.score, 5), "dense": round(h.dense, 4)}
        for h in hits[: max(k, 5) * max(1, len(retrievals))]
    ]
    return Answer(
        question=plan.question,
        answer=text,
        found=found_any,
        citations=citations,
        type="multi_doc" if query.multi else query.qtype,
        lang=lang,
        reason="" if found_any else reason,
        refusal=None if found_any else (refusal or Refusal.WEAK_EVIDENCE),
        confidence=round(confidence, 4),
        retrieved=retrieved,
        parts=parts if found_any and len(parts) > 1 else [],
    )
