"""Dependencies of the API's handlers: the running system, the write token, checked filters and history."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.limits import check_filter_list, check_history, check_known
from core.settings import Settings
from fulian_qa.api.schemas import Filters
from qa.system import System

_bearer = HTTPBearer(auto_error=False, description="The server's FQA_API_TOKEN")


def get_system(request: Request) -> System:
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


def token_problem(settings: Settings, authorization: str | None) -> tuple[int, str, dict[str, str]] | None:
    """(status, message, headers) when a write must be refused: 403 writes disabled, 401 missing/wrong token."""
    token = settings.api_token
    if not token:
        return 403, "writes are disabled: the server has no FQA_API_TOKEN set", {}
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given or not secrets.compare_digest(given.strip().encode(), token.encode()):
        return (
            401,
            "missing or wrong token: send Authorization: Bearer <FQA_API_TOKEN>",
            {"WWW-Authenticate": "Bearer"},
        )
    return None


def require_token(
    system: SystemDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """403 when writes are disabled (no FQA_API_TOKEN), 401 for a missing or wrong token."""
    header = f"Bearer {credentials.credentials}" if credentials else None
    problem = token_problem(system.settings, header)
    if problem:
        status, detail, headers = problem
        raise HTTPException(status, detail, headers=headers or None)


def checked_filters(system: System, filters: Filters | None) -> dict[str, list[str]] | None:
    """The request's filters, or ``RequestRejected`` (422) for over-long lists or values no report has."""
    if filters is None:
        return None
    settings = system.settings
    values = {name: check_filter_list(name, getattr(filters, name), settings) for name in ("docs", "cities")}
    values = {name: [v for v in vals if v] for name, vals in values.items()}
    if not any(values.values()):
        return None
    catalog = system.service.corpus.catalog
    check_known(values, {"docs": catalog.doc_city.keys(), "cities": catalog.cities.keys()}, settings)
    return {name: vals for name, vals in values.items() if vals}


def checked_history(system: System, history: list[Any]) -> list[Any]:
    """The history, or ``RequestRejected`` (422) when it has too many turns or characters."""
    return check_history(history, system.settings)
