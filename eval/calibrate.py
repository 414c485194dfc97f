"""Refusal-threshold sweep (``--calibrate``): from a run made with refusal off, the best threshold per language.

Leaves out: the score itself (``eval.metrics.threshold_score``/``best_threshold``) and running systems
(``eval.run``).
"""

from __future__ import annotations

from eval.metrics import Point, best_threshold, threshold_score
from eval.result import SystemRun


def calibration_points(run: SystemRun) -> dict[str, list[Point]]:
    """Per answer language (zh / en), the points of a run made with refusal off."""
    points: dict[str, list[Point]] = {}
    for row, v in zip(run.rows, run.verdicts, strict=True):
        lang = "en" if row.get("lang") == "en" else "zh"
        correct = v.correct if v.answerable else False
        points.setdefault(lang, []).append(Point(float(row.get("confidence", 0.0)), v.answerable, correct,
                                                 not v.refused))
    return points


def calibrate(run: SystemRun, current: dict[str, float]) -> list[str]:
    """Lines reporting, per language, today's refusal threshold and the best one with their scores."""
    lines = ["refusal threshold sweep (score = answer accuracy on answerable + refusal accuracy on unanswerable):"]
    for lang, points in sorted(calibration_points(run).items()):
        best, top = best_threshold(points)
        ans = sum(p.answerable for p in points)
        lines.append(f"  {lang}: {ans} answerable + {len(points) - ans} unanswerable questions")
        now = current.get(lang)
        if now is not None:
            lines.append(f"    current {now:.3f}: {_parts(points, now)}")
        if now is not None and threshold_score(points, now) >= top - 1e-9:
            lines.append("    the current threshold is already among the best")
        else:
            lines.append(f"    best    {best:.3f}: {_parts(points, best)}  <- suggested")
    return lines


def _parts(points: list[Point], threshold: float) -> str:
    ans = [p for p in points if p.answerable]
    una = [p for p in points if not p.answerable]
    acc = sum(p.found and p.correct and p.confidence >= threshold for p in ans)
    ref = sum(not p.found or p.confidence < threshold for p in una)
    return (f"score {threshold_score(points, threshold):.3f} (answered right {acc}/{len(ans)}, "
            f"refused {ref}/{len(una)})")
