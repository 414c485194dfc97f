"""HTTP API (FastAPI) under ``/api`` and OpenAI's chat API under ``/v1``: ``create_app(system)`` includes the
routers, the error handlers and the protective middleware.

Endpoints live as module-level handlers on routers (``questions``, ``documents``, ``health``,
``openai_compat``) that get the running ``System`` as a dependency. Around them, outermost first: security
headers, CORS (allow-list), the audit log of writes, OpenAI-shaped errors on ``/v1``, the request gate (token
before upload, body bounds) and admission control for questions. Leaves out: the web UI (mounted by
``fulian_qa.serve``), users and TLS.
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from fulian_qa import __version__
from fulian_qa.api import documents, errors, health, openai_compat, questions
from fulian_qa.api.admission import Admission
from fulian_qa.api.audit import AuditWrites
from fulian_qa.api.feedback import router as feedback_router
from fulian_qa.api.gate import RequestGate
from fulian_qa.api.headers import SecurityHeaders, add_cors
from fulian_qa.api.jobs import router as jobs_router
from qa.system import System


def create_app(system: System) -> FastAPI:
    """The FastAPI app around one running system (model and index loaded once, before the app exists).

    ``app.state.slots`` is the semaphore of questions in flight; the web UI shares it.
    """
    settings = system.settings
    app = FastAPI(
        title="fulian-qa",
        version=__version__,
        description="Cited answers from 妇联 work reports. The chat UI is at `/`.",
    )
    app.state.system = system
    app.state.slots = threading.Semaphore(settings.max_inflight)
    errors.install(app)
    app.include_router(questions.router)
    app.include_router(documents.router)
    app.include_router(jobs_router)  # uploads as background jobs
    app.include_router(feedback_router)
    app.include_router(health.router)
    app.include_router(openai_compat.router)  # /v1: OpenAI-compatible, its own fallback for unknown paths
    app.include_router(errors.fallback)  # last: unknown /api paths get a clear 404/405
    # add_middleware wraps: the last added is the outermost
    app.add_middleware(Admission, slots=app.state.slots, capacity=settings.max_inflight)
    app.add_middleware(RequestGate, settings=settings)
    app.add_middleware(openai_compat.OpenAIErrors)  # outside the gate and admission: their errors too
    if settings.audit_log:
        app.add_middleware(AuditWrites, path=settings.audit_path)
    add_cors(app, settings.cors_origins)
    app.add_middleware(SecurityHeaders)
    return app
