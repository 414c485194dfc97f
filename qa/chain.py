"""The answer path every front end uses: validate → parse → retrieve → answer → cite → check.

``QAService`` wires the embedder, the store, the hybrid searcher and an answerer together (each passed
in or built from settings) and runs them as a LangChain runnable chain. It also owns index writes
(add/delete a report) so the in-memory BM25 index is refreshed with them.
Leaves out: conversation memory (callers pass ``history``; see ``qa.condense``).
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableLambda

from fulian_qa.settings import Settings
from index.embed import SentenceEmbedder, get_embedder
from index.load import read_report_bytes
from index.pipeline import IndexOutcome, index_report
from index.store import ChromaStore
from qa.answer import Draft, ExtractiveAnswerer, Thresholds
from qa.evidence import Idf
from qa.figures import ungrounded
from qa.llm import LLMAnswerer, choose_answerer
from qa.query import Query
from qa.retrieve import HybridSearcher, Options, Retrieval
from qa.templates import say
from qa.types import Answer, Citation


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long, not text)."""


@dataclass
class Context:
    """What flows through the chain for one question."""

    question: str
    k: int
    filters: dict[str, Any] | None = None
    options: Options = field(default_factory=Options)
    query: Query | None = None
    retrievals: list[tuple[str, Retrieval]] = field(default_factory=list)
    drafts: list[tuple[str, Draft]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    note: str = ""


def check_question(question: Any, max_chars: int) -> str:
    if not isinstance(question, str):
        raise QuestionError("question must be a string")
    question = question.strip()
    if not question:
        raise QuestionError("question is empty")
    if len(question) > max_chars:
        raise QuestionError(f"question is too long ({len(question)} characters; at most {max_chars})")
    return question


class QAService:
    """Answers questions over one store with one embedder; safe to share across threads."""

    def __init__(
        self,
        settings: Settings,
        embedder: SentenceEmbedder | None = None,
        store: ChromaStore | None = None,
        thresholds: Thresholds = Thresholds(),
    ) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embed_model, settings.models_dir)
        self.store = store or ChromaStore.from_settings(settings, self.embedder.name)
        self.thresholds = thresholds
        self._write_lock = threading.Lock()
        self.llm = LLMAnswerer(settings)  # builds its client on first use
        self.searcher = HybridSearcher(self.store, self.embedder)
        self._rebuild()
        self.chain = (
            RunnableLambda(self._parse, name="parse")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._answer, name="answer")
        )

    # -- set-up -------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        self.idf = Idf([c.text for c in self.searcher.chunks])
        self.extractive = ExtractiveAnswerer(self.idf, self.embedder.encode_passages, self.thresholds)

    def refresh(self) -> None:
        """Re-read the store (after another process indexed into it)."""
        self.searcher.refresh()
        self._rebuild()

    def warm_up(self) -> None:
        self.embedder.warm_up()
        self.ask("天水培训了多少陇原巧手", answerer="extractive")  # the LLM endpoint may be slow or down
        self.ask("How many women were trained?")  # loads the romanisation tables too

    # -- chain steps --------------------------------------------------------------------------
    def _parse(self, ctx: Context) -> Context:
        t = time.perf_counter()
        ctx.query = self.searcher.parse(ctx.question)
        ctx.timings["parse"] = time.perf_counter() - t
        return ctx

    def _retrieve(self, ctx: Context) -> Context:
        query = ctx.query
        assert query is not None
        targets = [[c] for c in query.cities] if query.multi else [query.cities]
        for cities in targets:
            q = dataclasses.replace(query, cities=cities)
            if query.multi:
                sub = self.searcher.parse(sub_question(query.raw, cities[0], query.cities))
                q = dataclasses.replace(sub, cities=cities)
            result = self.searcher.search(q, max(ctx.k, 5), ctx.filters, ctx.options)
            ctx.retrievals.append((cities[0] if query.multi else "", result))
            for key, value in result.timings.items():
                ctx.timings[key] = ctx.timings.get(key, 0.0) + value
        return ctx

    def _answer(self, ctx: Context) -> Context:
        t = time.perf_counter()
        query = ctx.query
        assert query is not None
        lang = query.lang
        covered = "、".join(sorted(self.searcher.catalog.cities)) or "-"
        if not self.searcher.chunks:
            ctx.note = say(lang, "empty_index")
        elif query.unknown_places and not query.cities and ctx.options.place_filter:
            ctx.note = say(lang, "unknown_place", place="、".join(query.unknown_places), covered=covered)
        for slot, (city, result) in enumerate(ctx.retrievals):
            q = dataclasses.replace(query, cities=[city]) if city else query
            if city and query.multi:
                q = dataclasses.replace(self.searcher.parse(sub_question(query.raw, city, query.cities)), cities=[city])
            draft = self.extractive.draft(q, result, slot)
            if result.uncovered_years and draft.found and not ctx.note:
                named = [y for y in result.uncovered_years if any(str(y) in ev.hit.chunk.text for ev in draft.evidence)]
                if not named:
                    years = "、".join(str(y) for y in result.uncovered_years)
                    where = city or "、".join(query.cities)
                    ctx.note = say(lang, "uncovered_year", year=years, city=where, covered=self._coverage())
            ctx.drafts.append((city, draft))
        ctx.timings["answer"] = time.perf_counter() - t
        return ctx

    def _coverage(self) -> str:
        cat = self.searcher.catalog
        parts = []
        for city, docs in sorted(cat.cities.items()):
            years = sorted({y for d in docs for y in cat.years.get(d, set())})
            parts.append(city + (f"{'/'.join(map(str, years))}" if years else ""))
        return "、".join(parts) or "-"

    # -- public API ---------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: dict[str, Any] | None = None,
        id: Any = None,
        options: Options | None = None,
        answerer: str | None = None,
    ) -> Answer:
        """Answer one question with numbered citations (raises ``QuestionError`` on bad input).

        ``answerer``: "extractive" | "llm" | None (settings; ``auto`` = llm when FQA_LLM_BASE_URL is set).
        """
        *_, (_, answer) = self.ask_stream(question, k, filters, id, options, answerer, stream=False)
        return answer

    def answerer_for(self, requested: str | None = None) -> str:
        """The answerer a request gets: "extractive" or "llm" (``QuestionError`` if unknown or unconfigured)."""
        try:
            return choose_answerer(self.settings, requested)
        except ValueError as exc:
            raise QuestionError(str(exc)) from exc

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        filters: dict[str, Any] | None = None,
        id: Any = None,
        options: Options | None = None,
        answerer: str | None = None,
        stream: bool = True,
    ) -> Iterator[tuple[str, Answer | None]]:
        """Yield ``(text delta, None)`` while an LLM writes, then ``("", final checked Answer)``.

        The final answer's text may differ from the joined deltas (a failed check falls back to the extractive
        answer); the extractive answerer yields only the final answer. Errors surface on the first ``next()``.
        """
        start = time.perf_counter()
        question = check_question(question, self.settings.max_question_chars)
        use_llm = self.answerer_for(answerer) == "llm"
        k = k or self.settings.top_k
        ctx = self.chain.invoke(Context(question, k, filters, options or Options()))
        answer = self._compose(ctx, k)
        if use_llm:
            t = time.perf_counter()
            assert ctx.query is not None
            for delta, final in self.llm.stream(ctx.query, ctx.retrievals, ctx.drafts, answer, k, ctx.note, stream):
                if final is None:
                    yield delta, None
                answer = final or answer
            ctx.timings["llm"] = time.perf_counter() - t
        yield "", self._stamp(answer, ctx, id, start)

    def _stamp(self, answer: Answer, ctx: Context, id: Any, start: float) -> Answer:
        answer.id = id
        answer.latency_ms = round((time.perf_counter() - start) * 1000, 1)
        answer.timings_ms = {key: round(v * 1000, 2) for key, v in ctx.timings.items()}
        return answer

    def _compose(self, ctx: Context, k: int) -> Answer:
        query = ctx.query
        assert query is not None
        lang = query.lang
        citations: list[Citation] = []
        texts: list[str] = []
        found_any = False
        confidence = min((d.confidence for _, d in ctx.drafts), default=0.0)
        reason = ""
        if not ctx.note:
            for slot, (city, draft) in enumerate(ctx.drafts):
                if draft.found:
                    found_any = True
                    body = draft.text
                    for ev in draft.evidence:
                        citations.append(_citation(len(citations) + 1, ev))
                        body = body.replace(f"{{n{slot}}}", str(len(citations)))
                    texts.append(say(lang, "part", city=city, body=body) if city else body)
                else:
                    reason = reason or draft.reason
                    if city:
                        texts.append(say(lang, "part_missing", city=city))
        text = "\n".join(texts)
        if found_any:
            missing = ungrounded(text, [c.text for c in citations])
            if missing:
                found_any, reason = False, f"grounding check failed: {', '.join(missing)} not in cited passages"
        if not found_any:
            reason = ctx.note or reason
            text = ctx.note or say(lang, "not_found")
            citations = self._closest(ctx, min(k, 3))
        hits = [h for _, r in ctx.retrievals for h in r.hits]
        retrieved = [
            {"doc": h.doc, "chunk_id": h.chunk.id, "score": round(h.score, 5), "dense": round(h.dense, 4)}
            for h in hits[: max(k, 5) * max(1, len(ctx.retrievals))]
        ]
        return Answer(
            question=ctx.question,
            answer=text,
            found=found_any,
            citations=citations,
            type="multi_doc" if query.multi else query.qtype,
            lang=lang,
            reason="" if found_any else reason,
            confidence=round(confidence, 4),
            retrieved=retrieved,
        )

    def _closest(self, ctx: Context, n: int) -> list[Citation]:
        out = []
        for _, result in ctx.retrievals:
            for hit in result.hits[:n]:
                meta = hit.chunk.meta
                start, end = int(meta.get("start", 0)), int(meta.get("end", 0))
                out.append(
                    Citation(
                        len(out) + 1, hit.doc, hit.chunk.id, hit.chunk.text, start, end, round(hit.score, 5),
                        meta.get("city", ""), int(meta.get("year", 0) or 0), meta.get("section", ""), start, end, "",
                    )
                )
        return out[:n]

    def search(self, query: str, k: int = 5, filters: dict[str, Any] | None = None) -> list[Citation]:
        """Passages for a query, best first (no answer)."""
        query = check_question(query, self.settings.max_question_chars)
        ctx = Context(query, k, filters)
        self._parse(ctx)
        result = self.searcher.search(ctx.query, k, filters)
        return self._closest(Context(query, k, retrievals=[("", result)]), k)

    def documents(self) -> list[dict[str, Any]]:
        """Indexed reports with city, year and chunk count."""
        docs: dict[str, dict[str, Any]] = {}
        for c in self.searcher.chunks:
            d = docs.setdefault(
                c.meta["doc"], {"doc": c.meta["doc"], "city": c.meta.get("city", ""), "year": c.meta.get("year", 0),
                                "chunks": 0}
            )
            d["chunks"] += 1
        return sorted(docs.values(), key=lambda d: d["doc"])

    def add_report(self, name: str, data: bytes) -> IndexOutcome:
        """Index an uploaded report (raises ``ReportError`` for unreadable files)."""
        report = read_report_bytes(name, data)
        with self._write_lock:
            outcome = index_report(
                report, self.embedder, self.store, self.settings.chunk_size, self.settings.chunk_overlap
            )
            self.refresh()
        return outcome

    def delete_report(self, name: str) -> int:
        """Remove every chunk of a report; returns how many were removed."""
        with self._write_lock:
            removed = self.store.delete_doc(name)
            self.refresh()
        return removed


def sub_question(question: str, city: str, cities: list[str]) -> str:
    """The part of a multi-city question about ``city`` (「天水培训了多少人，株洲呢」→ per-city clauses).

    Clauses naming only ``city`` are kept; when no clause names it alone the whole question is used.
    """
    from index.normalize import normalize

    parts = [p for p in re.split(r"[，,？?；;。！!]", question) if p.strip()]
    own = [p for p in parts if city in normalize(p) and not any(c in normalize(p) for c in cities if c != city)]
    if not own:
        return question
    text = "，".join(own)
    if len(normalize(text).replace(city, "").strip()) < 4:  # 「株洲呢」: borrow the other clause's wording
        other = next((p for p in parts if p not in own), "")
        for c in cities:
            other = other.replace(c, city)
        return other or question
    return text


def _citation(n: int, ev) -> Citation:
    meta = ev.hit.chunk.meta
    return Citation(
        n=n,
        doc=ev.hit.doc,
        chunk_id=ev.hit.chunk.id,
        text=ev.hit.chunk.text,
        start=ev.abs_start,
        end=ev.abs_end,
        score=round(float(ev.score), 4),
        city=meta.get("city", ""),
        year=int(meta.get("year", 0) or 0),
        section=meta.get("section", ""),
        passage_start=int(meta.get("start", 0)),
        passage_end=int(meta.get("end", 0)),
        evidence=ev.text,
    )
