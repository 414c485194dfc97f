"""The eval report: ``report.md`` (tables + wrong answers), ``metrics.png``, ``metrics.json``, answers.

Tables (columns from ``eval.registry``): systems × metrics, then for the main system: types, languages
and reports × metrics, wrong answers (question, gold, given), answers that are right but state another
figure first, and a glossary of the metrics. The chart has English labels only (renders without CJK
fonts; matplotlib's Agg backend). Leaves out: running and scoring (``eval.run``, ``eval.metrics``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.baselines import SYSTEMS
from eval.jsonl import write_jsonl
from eval.metrics import GoldItem
from eval.registry import METRICS, Metric, charted
from eval.result import MAIN, EvalResult, SystemRun

if TYPE_CHECKING:
    from matplotlib.axes import Axes

ValueOf = Callable[[str, str], Any]


def _text(value: str, limit: int = 160) -> str:
    flat = " / ".join(line.strip() for line in str(value).splitlines() if line.strip())
    flat = flat.replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def metrics_table(rows: dict[str, dict[str, Any]], first: str, metrics: Sequence[Metric] = METRICS) -> str:
    """A Markdown table: one row per key, one column per metric (↓ marks lower-is-better)."""
    heads = [f"{m.name} ↓" if m.lower_is_better else m.name for m in metrics]
    lines = [f"| {first} | n | " + " | ".join(heads) + " |", "|---|---:|" + "---:|" * len(metrics)]
    for key, values in rows.items():
        cells = " | ".join(m.format(values.get(m.name), "–") for m in metrics)
        lines.append(f"| {_text(key, 60)} | {values.get('n', 0)} | {cells} |")
    return "\n".join(lines)


def class_table(result: EvalResult) -> str:
    """Strict accuracy per error class for every system that ran (each mechanism's effect side by side)."""
    runs = {name: run for name, run in result.runs.items() if run.by_class}
    classes = sorted({c for run in runs.values() for c in run.by_class})
    if not classes:
        return ""
    head = "| class | " + " | ".join(runs) + " |\n|---|" + "---|" * len(runs)
    lines = [
        f"| {c} | " + " | ".join(_fmt_rate(run.by_class.get(c, {}).get("strict_accuracy")) for run in runs.values())
        + " |"
        for c in classes
    ]
    return "Strict accuracy by class and system:\n\n" + head + "\n" + "\n".join(lines)


def _fmt_rate(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}"


def glossary() -> str:
    """A Markdown list of the metrics: what each measures, its direction and its default CI limit."""
    lines = []
    for m in METRICS:
        limit = "" if m.ci_limit is None else f"; CI {'ceiling' if m.lower_is_better else 'floor'} {m.ci_limit:g}"
        lines.append(f"- `{m.name}`{' ↓' if m.lower_is_better else ''}: {m.label}{limit}")
    return "\n".join(lines)


def _gold_text(item: GoldItem) -> str:
    if not item.answerable:
        return "(should refuse)"
    return (item.answers or item.must_contain or ["?"])[0]


def _given(row: dict[str, Any]) -> str:
    if row.get("error"):
        return f"(error: {row['error']})"
    if not row.get("found"):
        return f"(refused: {row.get('reason') or 'no answer'})"
    return row.get("answer", "")


def wrong_table(items: list[GoldItem], rows: list[dict[str, Any]], which: str) -> str:
    """Questions the main system got wrong ('wrong') or right but not strictly ('loose')."""
    by_id = {i.id: i for i in items}
    if which == "wrong":
        picked = [r for r in rows if not r["correct"]]
    else:
        picked = [r for r in rows if r["correct"] and not r["strict_correct"]]
    if not picked:
        return "_none_"
    lines = ["| id | type | lang | question | gold | given answer |", "|---|---|---|---|---|---|"]
    for r in picked:
        item = by_id[r["id"]]
        lines.append(
            f"| {item.id} | {item.type} | {item.lang} | {_text(item.question, 80)} | {_text(_gold_text(item), 60)} "
            f"| {_text(_given(r))} |"
        )
    return "\n".join(lines)


def chart(result: EvalResult, path: Path) -> Path:
    """Grouped bars: metrics by system (top) and main-system metrics by question type (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = result.runs
    main = runs[MAIN]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 9), constrained_layout=True)
    system_metrics = charted()
    _bars(top, list(runs), system_metrics, lambda s, m: runs[s].metrics.get(m))
    lower = ", ".join(m.name for m in system_metrics if m.lower_is_better)
    top.set_title(f"Metrics by system ({len(result.items)} questions; {lower}: lower is better)")
    types = list(main.by_type)
    _bars(bottom, types, charted(type_chart=True), lambda t, m: main.by_type[t].get(m))
    bottom.set_title("Main system by question type")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _bars(ax: Axes, groups: list[str], metrics: Sequence[Metric], value: ValueOf) -> None:
    width = 0.8 / len(metrics)
    for j, metric in enumerate(metrics):
        xs = [i + (j - (len(metrics) - 1) / 2) * width for i in range(len(groups))]
        ax.bar(xs, [value(g, metric.name) or 0.0 for g in groups], width, label=metric.name)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1.05)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=4, loc="lower left", bbox_to_anchor=(0, 1.08, 1, 0.2), mode="expand")


def _describe(name: str, run: SystemRun, specs: dict[str, str]) -> str:
    if name == "main[llm]":
        return (f"full pipeline with the LLM answerer; the checks replaced {run.replaced} of {len(run.rows)} "
                "answers with the extractive answer (`answerer: extractive-fallback`)")
    return specs.get(name, "")


def markdown(result: EvalResult, chart_name: str) -> str:
    """The text of report.md."""
    main = result.runs[MAIN]
    specs = {s.name: s.description for s in SYSTEMS}
    parts = [
        "# Evaluation report",
        "",
        f"Gold set `{result.gold}`: {len(result.items)} questions; generated {datetime.now():%Y-%m-%d %H:%M}. "
        "Metric definitions: `eval/metrics.py` and [below](#metrics). ↓ = lower is better; – = no question "
        "qualifies.",
        "",
        "## Systems",
        "",
        metrics_table({name: run.metrics for name, run in result.runs.items()}, "system"),
        "",
        "\n".join(f"- `{name}`: {_describe(name, run, specs)}" for name, run in result.runs.items()),
        "",
        f"![metrics by system and by question type]({chart_name})",
        "",
        "## Main system by question type",
        "",
        metrics_table(main.by_type, "type"),
        "",
        "## Main system by error class",
        "",
        "Items of the gold set marked with the error class they probe; the ablation rows above switch each "
        "mechanism off.",
        "",
        metrics_table(main.by_class, "class") if main.by_class else "(no items carry a class)",
        "",
        class_table(result),
        "",
        "## Main system by language",
        "",
        metrics_table(main.by_lang, "lang"),
        "",
        "## Main system by report",
        "",
        metrics_table({result.doc_labels.get(d, d): m for d, m in main.by_doc.items()}, "report"),
        "",
        "## Wrong answers (main system)",
        "",
        wrong_table(result.items, main.rows, "wrong"),
        "",
        "## Right but not strict (another figure stated first)",
        "",
        wrong_table(result.items, main.rows, "loose"),
        "",
        "## Metrics",
        "",
        glossary(),
        "",
    ]
    return "\n".join(parts)


def write_report(result: EvalResult, folder: Path) -> list[Path]:
    """Write report.md, metrics.png, metrics.json and answers/<system>.jsonl into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    png = chart(result, folder / "metrics.png")
    md = folder / "report.md"
    md.write_text(markdown(result, png.name), encoding="utf-8")
    data = {
        "gold": result.gold,
        "n": len(result.items),
        "metrics": [m.name for m in METRICS],
        "systems": {
            name: {"metrics": run.metrics, "by_type": run.by_type, "by_lang": run.by_lang, "by_doc": run.by_doc,
                   "by_class": run.by_class,
                   "seconds": round(run.seconds, 1)}
            for name, run in result.runs.items()
        },
    }
    js = folder / "metrics.json"
    js.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    for name, run in result.runs.items():
        write_jsonl(folder / "answers" / f"{name}.jsonl", run.rows)
    return [md, png, js]
