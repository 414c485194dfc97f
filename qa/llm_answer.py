"""The LLM answerer: an OpenAI-compatible chat model writes the answer; ``qa.llm_checks`` checks it.

Flow: refuse without calling the model when the extractive answerer found the evidence weak or the
place/year is not covered → number the top passages [1]…[k] (per city for multi-city questions) →
one call → checks → one repair call if a check failed → otherwise the extractive answer, marked
``extractive-fallback`` with the reason. Citations keep the prompt's numbers and only cited passages are
returned, so the streamed text and the final text agree unless a check changed it.
Leaves out: the checks themselves, conversation memory (see ``qa.condense``), tool calls.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from core.settings import Settings
from core.text import to_simplified
from core.types import Answer, Refusal
from qa import prompts
from qa.chain import Turn
from qa.chat_model import ChatModel, OpenAIChat, describe_failure
from qa.llm_checks import NumberedPassage, Prompt, ReplyCheck, check, claims, to_citation
from qa.query import Query
from qa.retrieve import Hit
from qa.templates import say

MAX_PASSAGES = 8  # across cities, for multi-city questions
SUM = re.compile(r"合计|一共|总共|共计|总计|加起来|总和|\bsum\b|\btotal\b|\bcombined\b|\baltogether\b|\bin all\b")
DIFF = re.compile(r"相差|差多少|差距|多出|多多少|少多少|\bdifference\b|\bhow (?:many|much) more\b")
_BLANK = re.compile(r"\n\s*\n")  # blank lines inside a passage (blank lines separate passages)


def _where(hit: Hit, lang: str) -> str:
    meta = hit.chunk.meta
    year = meta.year
    section = meta.heading[:40]
    parts = [meta.city or hit.doc, prompts.pick(prompts.WHERE_YEAR, lang).format(year=year) if year else "", section]
    return " · ".join(p for p in parts if p)


def select_passages(turn: Turn, skip: set[str]) -> list[Hit]:
    """Top ``k`` hits (per city for multi-city questions, at most ``MAX_PASSAGES`` in all), plus each draft's
    evidence passage, without duplicates; cities in ``skip`` contribute nothing."""
    retrievals, k = turn.retrievals, turn.plan.k
    per = k if len(retrievals) == 1 else max(2, min(k, MAX_PASSAGES // max(1, len(retrievals))))
    chosen: dict[str, Hit] = {}
    for target, result, draft in zip(turn.plan.targets, retrievals, turn.drafts, strict=True):
        if target.city and target.city in skip:
            continue
        hits = list(result.hits[:per])
        hits += [ev.hit for ev in draft.evidence if ev.hit.chunk.id not in {h.chunk.id for h in hits}]
        for hit in hits:
            chosen.setdefault(hit.chunk.id, hit)
    return list(chosen.values())


def build_messages(
    query: Query, question: str, passages: dict[int, NumberedPassage], missing: list[str], ops: list[str]
) -> list[BaseMessage]:
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


def _content(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):
        return "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    return content or ""


# -- the answerer -----------------------------------------------------------------------------------------
class LLMAnswerer:
    """Writes answers with a chat model behind any OpenAI-compatible endpoint; thread-safe."""

    def __init__(self, settings: Settings, chat: ChatModel | None = None) -> None:
        self.settings = settings
        self.chat: ChatModel = chat if chat is not None else OpenAIChat(settings)

    # -- public ---------------------------------------------------------------------------------------
    def stream(self, turn: Turn, fallback: Answer, stream: bool = True) -> Iterator[tuple[str, Answer | None]]:
        """Yield ``(text delta, None)`` while the model writes, then ``("", checked Answer)``; ``fallback`` is the
        extractive answer of the same turn, returned (marked with the reason) when the model's answer fails."""
        plan = self.prompt(turn)
        if isinstance(plan, str):
            skipped = {"answerer": "llm", "checks": {"model_called": False, "skipped": plan}}
            yield "", fallback.model_copy(update=skipped)
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

    def prompt(self, turn: Turn) -> Prompt | str:
        """The prompt for a question, or the reason the model must not be called (weak or uncovered)."""
        if turn.note is not None:
            return turn.note.text
        query = turn.plan.query
        weak = [
            t.city
            for t, d in zip(turn.plan.targets, turn.drafts, strict=True)
            if not d.found and d.refusal is not None and d.refusal.before_model
        ]
        if len(weak) == len(turn.drafts):
            return next((d.reason for d in turn.drafts if d.reason), "no passages")
        hits = select_passages(turn, set(weak))
        if not hits:
            return "no passages"
        passages = {n: NumberedPassage(n, hit, _where(hit, query.lang)) for n, hit in enumerate(hits, 1)}
        ops = [op for op, rx in (("sum", SUM), ("diff", DIFF)) if rx.search(query.norm)]
        messages = build_messages(query, query.raw, passages, [c for c in weak if c], ops)
        return Prompt(query, passages, messages, ops)

    # -- steps ----------------------------------------------------------------------------------------
    def _finish(self, plan: Prompt, text: str, fallback: Answer, started: float) -> Answer:
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
                return self._fallback(
                    fallback,
                    f"checks failed ({first.reason(last)}); the repair call failed: {self.describe(exc)}",
                    self._checks(first, False),
                )
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
            return fallback.model_copy(
                update={
                    "answer": say(lang, "not_found"),
                    "found": False,
                    "citations": closest,
                    "answerer": "llm",
                    "reason": "the model found no answer in the passages",
                    "refusal": Refusal.MODEL_NOT_FOUND,
                    "checks": checks,
                    "fallback_reason": "",
                }
            )
        by_claim: dict[int, list[str]] = {}
        for claim, cited in claims(verdict.text):
            for n in cited:
                by_claim.setdefault(n, []).append(claim)
        citations = [to_citation(n, plan.passages[n].hit, by_claim.get(n)) for n in verdict.cited]
        return fallback.model_copy(
            update={
                "answer": verdict.text,
                "found": True,
                "citations": citations,
                "answerer": "llm",
                "reason": "",
                "refusal": None,
                "checks": checks,
                "fallback_reason": "",
            }
        )

    @staticmethod
    def _checks(verdict: ReplyCheck, repaired: bool) -> dict[str, Any]:
        return {
            "model_called": True,
            "citations_ok": verdict.citations_ok,
            "figures_ok": verdict.figures_ok,
            "repaired": repaired,
            "computed": verdict.computed,
            "auto_cited": verdict.auto_cited,
        }

    @staticmethod
    def _fallback(fallback: Answer, reason: str, checks: dict[str, Any]) -> Answer:
        return fallback.model_copy(
            update={"answerer": "extractive-fallback", "fallback_reason": reason, "checks": checks}
        )

    def describe(self, exc: Exception) -> str:
        """A clear one-line cause for a failed model call."""
        return describe_failure(exc, self.settings)
