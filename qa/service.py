"""Answering: one service that every front end (CLI, HTTP API, web UI, eval) asks through.

``QAService`` plans a question once (``qa.plan``), runs the extractive chain (``qa.chain``) and, when the
plan says so, lets the LLM answerer write the answer from the same passages (``qa.llm_answer``). It is safe to
share across threads. Leaves out: report management (``qa.reports``), follow-up questions
(``qa.conversation``) and building the parts from settings (``qa.system``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from core.settings import Settings
from core.types import Answer, Citation
from qa.answer import ExtractiveAnswerer
from qa.chain import Turn, build_chain
from qa.compose import closest
from qa.corpus import Corpus
from qa.llm_answer import LLMAnswerer
from qa.plan import Options, QuestionPlan, check_question, choose_answerer, clean_filters, make_plan
from qa.retrieve import HybridSearcher


class QAService:
    """Answers questions over one corpus with one searcher and two answerers."""

    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        searcher: HybridSearcher,
        extractive: ExtractiveAnswerer,
        llm: LLMAnswerer,
    ) -> None:
        self.settings = settings
        self.corpus = corpus
        self.searcher = searcher
        self.extractive = extractive
        self.llm = llm
        self.chain = build_chain(searcher, extractive, corpus)

    def warm_up(self) -> None:
        """Load the model, the tokenisers and the romanisation tables so the first question is not slow."""
        self.searcher.embedder.warm_up()
        self.ask("天水培训了多少陇原巧手", answerer="extractive")  # the LLM endpoint may be slow or down
        self.ask("How many women were trained?", answerer="extractive")

    def plan(
        self,
        question: Any,
        k: int | None = None,
        filters: dict[str, Any] | None = None,
        id: Any = None,
        options: Options | None = None,
        answerer: str | None = None,
    ) -> QuestionPlan:
        """The checked, parsed question (raises ``QuestionError`` on bad input)."""
        return make_plan(question, self.corpus.catalog, self.settings, k, filters, options, answerer, id)

    def answerer_for(self, requested: str | None = None) -> str:
        """The answerer a request gets: "extractive" or "llm" (``QuestionError`` if unknown or unconfigured)."""
        return choose_answerer(self.settings, requested)

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: dict[str, Any] | None = None,
        id: Any = None,
        options: Options | None = None,
        answerer: str | None = None,
    ) -> Answer:
        """Answer one question with numbered citations (raises ``QuestionError`` on bad input)."""
        *_, (_, answer) = self.ask_stream(question, k, filters, id, options, answerer, stream=False)
        assert answer is not None
        return answer

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
        plan = self.plan(question, k, filters, id, options, answerer)
        turn = self.chain.invoke(Turn(plan, timings={"parse": time.perf_counter() - start}))
        answer = turn.answer
        assert answer is not None
        if plan.answerer == "llm":
            t = time.perf_counter()
            for delta, final in self.llm.stream(turn, answer, stream):
                if final is None:
                    yield delta, None
                answer = final or answer
            turn.timings["llm"] = time.perf_counter() - t
        answer.id = plan.id
        answer.latency_ms = round((time.perf_counter() - start) * 1000, 1)
        answer.timings_ms = {key: round(v * 1000, 2) for key, v in turn.timings.items()}
        yield "", answer

    def search(self, query: str, k: int = 5, filters: dict[str, Any] | None = None) -> list[Citation]:
        """Passages for a query, best first (no answer)."""
        query = check_question(query, self.settings.max_question_chars)
        result = self.searcher.search(self.searcher.parse(query), k, clean_filters(filters))
        return closest([result], k)
