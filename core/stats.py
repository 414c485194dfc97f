"""Small statistics shared by the eval and the benchmarks. Leaves out: anything that needs numpy."""

from __future__ import annotations

import math


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (the smallest value with at least p% of values at or below it); 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]
