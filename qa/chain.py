"""The extractive answer path as a LangChain runnable chain: retrieve → draft → compose.

``build_chain(retriever, answerer, corpus)`` composes the real parts: the hybrid retriever's
``retrieve`` (one retrieval per city of the plan), the extractive answerer's drafts plus the scope check,
then ``compose``. The chain takes a ``QuestionPlan`` and gives a ``Turn`` holding every intermediate result,
so the LLM answerer can build on it. Leaves out: planning (``qa.plan``) and the LLM (``qa.llm_answer``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from langchain_core.runnables import Runnable, RunnableLambda

from core.types import Answer
from qa.answer import Draft, ExtractiveAnswerer
from qa.compose import Note, compose, scope_note
from qa.corpus import Corpus
from qa.plan import QuestionPlan
from qa.retrieve import HybridSearcher, Retrieval


@dataclass
class Turn:
    """One question on its way through the chain."""

    plan: QuestionPlan
    retrievals: list[Retrieval] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    note: Note | None = None
    answer: Answer | None = None
    timings: dict[str, float] = field(default_factory=dict)


def build_chain(searcher: HybridSearcher, answerer: ExtractiveAnswerer, corpus: Corpus) -> Runnable[Turn, Turn]:
    """retrieve | draft | compose, each step timed into ``Turn.timings``."""

    def retrieve(turn: Turn) -> Turn:
        turn.retrievals = searcher.retrieve(turn.plan)
        for result in turn.retrievals:
            for key, value in result.timings.items():
                turn.timings[key] = turn.timings.get(key, 0.0) + value
        return turn

    def draft(turn: Turn) -> Turn:
        t = time.perf_counter()
        plan = turn.plan
        turn.drafts = [
            answerer.draft(target.query, result, slot, plan.options)
            for slot, (target, result) in enumerate(zip(plan.targets, turn.retrievals, strict=True))
        ]
        turn.note = scope_note(plan, turn.retrievals, turn.drafts, corpus)
        turn.timings["answer"] = time.perf_counter() - t
        return turn

    def finish(turn: Turn) -> Turn:
        turn.answer = compose(turn.plan, turn.retrievals, turn.drafts, turn.note)
        return turn

    return (
        RunnableLambda(retrieve, name="retrieve")
        | RunnableLambda(draft, name="draft")
        | RunnableLambda(finish, name="compose")
    )
