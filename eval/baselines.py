"""The systems an eval run compares: the full pipeline, two baselines and one ablation per component.

Every system maps (question, id) to an answer object of the ``Answer.to_dict()`` shape, so all are
scored alike. ``main`` is ``QAService.ask`` as the CLI and API call it; ``bm25-only`` and ``dense-only``
answer with their top passage (BM25 over all chunks; a plain LangChain Chroma retriever, k=5);
``no-bm25``/``no-dense``/``no-sentences``/``no-filter`` switch one retrieval part off; ``no-refusal`` answers
even on weak evidence. Leaves out: scoring (``eval.metrics``) and timing warm-up (``eval.run``).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.text import normalize, tokens
from core.types import Answer, ChunkMeta, Citation, StoredChunk
from qa.plan import Options
from qa.templates import say

AskFn = Callable[[str, Any], dict[str, Any]]
TOP_K = 5


@dataclass(frozen=True)
class SystemSpec:
    name: str
    description: str


SYSTEMS = (
    SystemSpec("main", "full pipeline (QAService.ask)"),
    SystemSpec("bm25-only", "baseline: BM25 over all chunks, top passage as the answer"),
    SystemSpec("dense-only", "baseline: LangChain Chroma retriever (k=5), top passage as the answer"),
    SystemSpec("no-bm25", "ablation: full pipeline without BM25"),
    SystemSpec("no-dense", "ablation: full pipeline without dense retrieval"),
    SystemSpec("no-sentences", "ablation: full pipeline without the sentence-level dense ranking"),
    SystemSpec("no-filter", "ablation: full pipeline without the place/year filter"),
    SystemSpec("no-refusal", "ablation: full pipeline without the refusal threshold"),
    SystemSpec("no-focus", "ablation: figure choice without counted thing, qualifiers and part/whole"),
    SystemSpec("no-spans", "ablation: entity answers without the asked-name span"),
    SystemSpec("no-lists", "ablation: list answers without numbered enumerations and the count check"),
    SystemSpec("no-qualifiers", "ablation: yes/no without the qualifier check"),
    SystemSpec("no-measure", "ablation: without measure/concept refusals"),
    SystemSpec("no-glosses", "ablation: English questions without the dictionary's Chinese words"),
)
NAMES = tuple(s.name for s in SYSTEMS)
ABLATIONS = {
    "no-bm25": Options(bm25=False), "no-dense": Options(dense=False), "no-filter": Options(place_filter=False),
    "no-sentences": Options(sentences=False),
    "no-refusal": Options(refuse=False), "no-focus": Options(focus=False), "no-spans": Options(spans=False),
    "no-lists": Options(lists=False), "no-qualifiers": Options(qualifiers=False), "no-measure": Options(measure=False),
    "no-glosses": Options(glosses=False),
}


def select(spec: str) -> list[str]:
    """System names from 'all', 'main' or a comma list (raises ValueError naming unknown ones)."""
    if spec.strip() in ("", "all"):
        return list(NAMES)
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from all, {', '.join(NAMES)}")
    return list(dict.fromkeys(names))


def answerer_kwargs(service, answerer: str | None) -> dict[str, Any]:
    """``{"answerer": ...}`` when one was asked for and ``QAService.ask`` takes it, else nothing."""
    if answerer and "answerer" in inspect.signature(service.ask).parameters:
        return {"answerer": answerer}
    return {}


def make_system(name: str, service, answerer: str | None = None) -> AskFn:
    """The ask function of one system over ``service``."""
    if name == "main" or name in ABLATIONS:
        extra = answerer_kwargs(service, answerer) | ({"options": ABLATIONS[name]} if name in ABLATIONS else {})

        def pipeline(q: str, id: Any = None) -> dict[str, Any]:
            return service.ask(q, id=id, **extra).to_dict()

        return pipeline
    if name == "bm25-only":

        def bm25(q: str, id: Any = None) -> dict[str, Any]:
            return _top_passage(service, q, id, "bm25", _bm25_hits(service, q))

        return bm25
    if name == "dense-only":
        store = _dense_store(service)

        def dense(q: str, id: Any = None) -> dict[str, Any]:
            return _top_passage(service, q, id, "dense", _dense_hits(store, q))

        return dense
    raise ValueError(f"unknown system {name!r}")


def _bm25_hits(service, question: str) -> list[tuple[Any, float]]:
    return service.corpus.bm25(tokens(normalize(question).strip()), TOP_K)


def _dense_store(service):
    from langchain_chroma import Chroma

    searcher = service.searcher
    return Chroma(
        client=searcher.store.client, collection_name=service.settings.collection, embedding_function=searcher.embedder
    )


def _dense_hits(store, question: str) -> list[tuple[Any, float]]:
    found = store.similarity_search_with_score(question, k=TOP_K)
    return [
        (StoredChunk(d.id or "", d.page_content, ChunkMeta.parse(d.metadata)), 1.0 - float(dist)) for d, dist in found
    ]


def _top_passage(service, question: str, id: Any, name: str, hits: list[tuple[Any, float]]) -> dict[str, Any]:
    """An answer that is the top passage itself (refused only when nothing was retrieved)."""
    start = time.perf_counter()
    query = service.searcher.parse(question)
    retrieved = [
        {"doc": c.meta.doc, "chunk_id": c.id, "score": round(s, 5), "dense": round(s, 4) if name == "dense"
         else 0.0}
        for c, s in hits
    ]
    citations, found = [], bool(hits)
    if found:
        chunk, score = hits[0]
        citations = [Citation.of(1, chunk, score, (0, len(chunk.text)))]
    answer = Answer(
        question=question,
        answer=f"{hits[0][0].text} [1]" if found else say(query.lang, "not_found"),
        found=found,
        citations=citations,
        id=id,
        type=query.qtype,
        lang=query.lang,
        answerer=name,
        reason="" if found else "nothing retrieved",
        confidence=round(hits[0][1], 4) if found else 0.0,
        retrieved=retrieved,
        timings_ms={"answer": round((time.perf_counter() - start) * 1000, 2)},
    )
    return answer.to_dict()
