"""Dependencies of the API's handlers: the running system, the write token, checked filters."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from fulian_qa.api.schemas import Filters
from qa.plan import clean_filters
from qa.system import System

_bearer = HTTPBearer(auto_error=False, description="The server's FQA_API_TOKEN")


def get_system(request: Request) -> System:
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


def require_token(
    system: SystemDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """403 when writes are disabled (no FQA_API_TOKEN), 401 for a missing or wrong token."""
    token = system.settings.api_token
    if not token:
        raise HTTPException(403, "writes are disabled: the server has no FQA_API_TOKEN set")
    given = credentials.credentials if credentials else ""
    if not given or not secrets.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            401,
            "missing or wrong token: send Authorization: Bearer <FQA_API_TOKEN>",
            headers={"WWW-Authenticate": "Bearer"},
        )


def checked_filters(system: System, filters: Filters | None) -> dict[str, list[str]] | None:
    """The request's filters, or 422 naming values no indexed report has."""
    clean = clean_filters(filters.model_dump() if filters else None)
    if clean:
        catalog = system.service.corpus.catalog
        unknown = [d for d in clean.get("docs", []) if d not in catalog.doc_city]
        unknown += [c for c in clean.get("cities", []) if c not in catalog.cities]
        if unknown:
            raise HTTPException(422, f"unknown filter value(s): {', '.join(unknown)} (see /api/documents)")
    return clean
