"""Floors and ceilings on metrics: ``--fail-under``/``--fail-over`` specs parsed and checked.

A spec is ``METRIC=VALUE`` (several may share one argument, comma-separated) or ``default``: the CI
limits the registry declares for that side (floors for higher-is-better metrics, ceilings for
lower-is-better ones). Later specs override earlier ones. Leaves out: which metrics exist and their
defaults (``eval.registry``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from eval import registry
from eval.registry import Direction

DEFAULT = "default"


def parse_limits(specs: Iterable[str], direction: Direction = "higher") -> dict[str, float]:
    """``["answer_accuracy=0.8", ...]`` → {metric: value}; ``default`` adds the registry's limits of
    ``direction``. Raises ValueError on unknown metrics and malformed specs."""
    limits: dict[str, float] = {}
    for spec in (s.strip() for raw in specs for s in raw.split(",") if s.strip()):
        if spec == DEFAULT:
            limits.update(registry.default_limits(direction))
            continue
        name, sep, value = spec.partition("=")
        if not sep:
            raise ValueError(f"{spec!r}: expected METRIC=VALUE or {DEFAULT!r}")
        name = registry.get(name.strip()).name
        try:
            limits[name] = float(value)
        except ValueError:
            raise ValueError(f"{spec!r}: {value!r} is not a number") from None
    return limits


def check_limits(
    metrics: Mapping[str, object], floors: Mapping[str, float], ceilings: Mapping[str, float]
) -> list[str]:
    """Messages for every floor/ceiling the metrics miss (a metric with no value misses)."""
    failures = []
    for name, floor in floors.items():
        value = metrics.get(name)
        if not isinstance(value, int | float) or value < floor:
            failures.append(f"{name} = {registry.get(name).format(value)} is below the floor {floor:g}")
    for name, ceiling in ceilings.items():
        value = metrics.get(name)
        if not isinstance(value, int | float) or value > ceiling:
            failures.append(f"{name} = {registry.get(name).format(value)} is above the ceiling {ceiling:g}")
    return failures
