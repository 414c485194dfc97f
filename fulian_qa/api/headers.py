"""Browser-facing protection: CORS from an allow-list (off by default) and standard security headers.

With ``FQA_CORS_ORIGINS`` empty no origin gets CORS headers — and because the app configures Starlette's
``CORSMiddleware`` itself, Gradio's own (which trusts any page on localhost) stands aside. Every response
gets ``X-Content-Type-Options``, ``Referrer-Policy``, a frame policy and, for the API, a CSP that allows
nothing to run. Leaves out: TLS and HSTS (set them at the reverse proxy that terminates TLS).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"SAMEORIGIN",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}
API_ONLY = {
    b"content-security-policy": b"default-src 'none'; frame-ancestors 'none'",
    b"cache-control": b"no-store",
}


class SecurityHeaders:
    """Adds the headers above to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = {**COMMON, **API_ONLY} if scope["path"].startswith(("/api/", "/v1/")) else COMMON

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                have = {k.lower() for k, _ in msg.get("headers", [])}
                msg["headers"] = list(msg.get("headers", [])) + [(k, v) for k, v in extra.items() if k not in have]
            await send(msg)

        await self.app(scope, receive, with_headers)


def add_cors(app: FastAPI, origins: list[str]) -> None:
    """CORS for exactly ``origins`` (none by default); bearer tokens, not cookies, so no credentials."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        allow_credentials=False,
        max_age=600,
    )
