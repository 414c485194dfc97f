"""``fulian-qa serve``: load the model and the index once, then serve the web UI at ``/`` and the API at ``/api``.

``build_app(system)`` is the app the server runs (API routers plus the mounted Gradio UI); tests serve it
too. Leaves out: TLS and process management (run it behind a reverse proxy / a service manager).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from core.settings import Settings, get_settings
from fulian_qa.api import create_app
from fulian_qa.api.admission import MAX_RETRY_AFTER
from qa.system import System

log = logging.getLogger("fulian_qa.serve")


def build_app(system: System) -> FastAPI:
    """The API with the chat UI mounted at ``/`` (sharing the API's slots of questions in flight)."""
    from ui import mount_ui

    app = create_app(system)
    return mount_ui(app, system, slots=app.state.slots)


KEEP_ALIVE = MAX_RETRY_AFTER + 5  # seconds an idle connection is kept open (uvicorn: 5)


def serve(host: str = "127.0.0.1", port: int = 7860, settings: Settings | None = None) -> None:
    """Serve until interrupted."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = settings or get_settings()
    system = System.from_settings(settings)
    system.service.warm_up()
    docs = system.reports.documents()
    if not docs:
        log.warning("no reports indexed in %s: run `fulian-qa index` first", settings.data_dir)
    log.info(
        "fulian-qa: %d reports loaded; UI http://%s:%d/  API docs http://%s:%d/docs", len(docs), host, port, host, port
    )
    # an idle connection stays open longer than the longest Retry-After, so a client that waited as asked finds
    # its kept-alive connection still there (a POST is not re-sent on a connection the server closed meanwhile)
    uvicorn.run(build_app(system), host=host, port=port, log_level="info", timeout_keep_alive=KEEP_ALIVE)
