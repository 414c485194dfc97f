"""HTTP API (FastAPI) under ``/api``: ``create_app(system)`` includes the routers and the error handlers.

Endpoints live as module-level handlers on routers (``questions``, ``documents``, ``health``) that get the
running ``System`` as a dependency. Leaves out: the web UI (mounted by ``fulian_qa.serve``), users and TLS.
"""

from __future__ import annotations

from fastapi import FastAPI

from fulian_qa import __version__
from fulian_qa.api import documents, errors, health, questions
from qa.system import System


def create_app(system: System) -> FastAPI:
    """The FastAPI app around one running system (model and index loaded once, before the app exists)."""
    app = FastAPI(
        title="fulian-qa",
        version=__version__,
        description="Cited answers from 妇联 work reports. The chat UI is at `/`.",
    )
    app.state.system = system
    errors.install(app)
    app.include_router(questions.router)
    app.include_router(documents.router)
    app.include_router(health.router)
    app.include_router(errors.fallback)  # last: unknown /api paths get a clear 404/405
    return app
