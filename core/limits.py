"""Bounds on what one request may carry, shared by the HTTP API and the web UI.

Pure functions over plain values and the limits in ``core.settings``: chat history (turns and
characters), filter lists, and clipping of anything echoed back in an error. Each raises
``core.errors.RequestRejected`` with a message for people. Leaves out: body sizes (checked on the wire by
``fulian_qa.api.gate``) and the question itself (``qa.plan.check_question``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from core.errors import RequestRejected
from core.settings import Settings


def clip(value: Any, limit: int) -> str:
    """``str(value)`` cut to ``limit`` characters, marked with "…" when cut."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def list_some(values: Iterable[Any], limit: int, most: int = 10) -> str:
    """「a, b, c (and 17 more)」: at most ``most`` values, the whole string at most ``limit`` characters."""
    values = list(values)
    shown = ", ".join(clip(v, 40) for v in values[:most])
    more = f" (and {len(values) - most} more)" if len(values) > most else ""
    return clip(shown, max(20, limit - len(more))) + more


def _turn_text(turn: Any) -> str:
    """The text of one history turn in any accepted shape (message dict, pair, content blocks)."""
    if isinstance(turn, dict):
        return _turn_text(turn.get("content"))
    if isinstance(turn, str):
        return turn
    if isinstance(turn, list | tuple):
        return "".join(_turn_text(t) for t in turn)
    if turn is None:
        return ""
    return str(turn) if isinstance(turn, int | float) else ""


def check_history(history: Any, settings: Settings) -> list[Any]:
    """The history as a list, or ``RequestRejected`` when it has too many turns or characters."""
    if history is None:
        return []
    if not isinstance(history, list | tuple):
        raise RequestRejected("history must be a list of earlier turns")
    turns = settings.max_history_turns
    if len(history) > turns:
        raise RequestRejected(f"history has {len(history)} turns; at most {turns} (FQA_MAX_HISTORY_TURNS)")
    chars = sum(len(_turn_text(t)) for t in history)
    if chars > settings.max_history_chars:
        raise RequestRejected(
            f"history has {chars} characters; at most {settings.max_history_chars} (FQA_MAX_HISTORY_CHARS)"
        )
    return list(history)


def check_filter_list(name: str, values: Any, settings: Settings) -> list[str]:
    """One filter list as strings, or ``RequestRejected`` when it is not a list of strings or too long."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise RequestRejected(f"filters.{name} must be a list of strings")
    if len(values) > settings.max_filter_values:
        raise RequestRejected(
            f"filters.{name} has {len(values)} values; at most {settings.max_filter_values} (FQA_MAX_FILTER_VALUES)"
        )
    return list(values)


def check_known(values: dict[str, list[str]], known: dict[str, Collection[str]], settings: Settings) -> None:
    """``RequestRejected`` naming (a bounded sample of) filter values that no indexed report has."""
    unknown = [v for name, vals in values.items() for v in vals if v not in known.get(name, ())]
    if unknown:
        raise RequestRejected(
            f"unknown filter value(s): {list_some(unknown, settings.max_echo_chars)} (see /api/documents)"
        )
