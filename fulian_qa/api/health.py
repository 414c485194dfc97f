"""``GET /api/health``: liveness plus what is loaded."""

from __future__ import annotations

from fastapi import APIRouter

from fulian_qa import __version__
from fulian_qa.api.deps import SystemDep
from fulian_qa.api.schemas import HealthOut
from qa.plan import choose_answerer

router = APIRouter(prefix="/api", tags=["service"])


@router.get("/health")
def health(system: SystemDep) -> HealthOut:
    """Liveness plus what is loaded."""
    docs = system.reports.documents()
    return HealthOut(
        version=__version__,
        documents=len(docs),
        chunks=sum(d.chunks for d in docs),
        embed_model=system.service.searcher.embedder.name,
        answerer=choose_answerer(system.settings),
        writes_enabled=bool(system.settings.api_token),
    )
