"""The hybrid search as a LangChain retriever (``HybridRetriever``) and hits as LangChain ``Document``s.

Kept apart from ``qa.retrieve`` so that answering a question does not import LangChain's retriever machinery.
Leaves out: the search itself (``qa.retrieve.HybridSearcher``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from qa.retrieve import Hit, HybridSearcher


def hit_to_document(hit: Hit) -> Document:
    """A hit as a LangChain ``Document`` (metadata: the chunk's, plus chunk_id and the scores)."""
    meta = dict(hit.chunk.meta.to_store(), chunk_id=hit.chunk.id, score=hit.score, dense=hit.dense, bm25=hit.bm25)
    return Document(page_content=hit.chunk.text, metadata=meta, id=hit.chunk.id)


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever: a question in, its best passages out as ``Document``s.

    ``retriever.invoke("天水培训了多少陇原巧手")``; ``filters`` restricts to reports or cities as in the API.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: HybridSearcher
    k: int = 5
    filters: dict[str, Any] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.searcher.search(self.searcher.parse(query), self.k, self.filters)
        return [hit_to_document(h) for h in result.hits]
