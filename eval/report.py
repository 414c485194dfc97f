"""The eval report: ``report.md`` (tables + wrong answers), ``metrics.png``, ``metrics.json``, answers.

Tables: systems × metrics, then for the main system: types, languages and reports × metrics, wrong
answers (question, gold, given) and answers that are right but state another figure first. The chart
has English labels only (renders without CJK fonts; matplotlib's Agg backend). Leaves out: running and
scoring (``eval.run``, ``eval.metrics``).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from eval.baselines import SYSTEMS
from eval.metrics import LOWER_IS_BETTER, METRICS, GoldItem

CHART_SYSTEM_METRICS = (
    "answer_accuracy", "strict_accuracy", "refusal_accuracy", "false_refusal_rate", "hit@5", "mrr",
    "citation_precision", "grounding_rate",
)
CHART_TYPE_METRICS = ("answer_accuracy", "strict_accuracy", "false_refusal_rate", "hit@5", "citation_precision")
HEADLINE = (
    "answer_accuracy", "strict_accuracy", "refusal_accuracy", "false_refusal_rate", "hit@1", "hit@5", "mrr",
    "citation_precision", "grounding_rate", "latency_p50_ms", "latency_p95_ms",
)


def _cell(value: Any, ms: bool = False) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if ms else f"{value:.3f}"
    return str(value)


def _text(value: str, limit: int = 160) -> str:
    flat = " / ".join(line.strip() for line in str(value).splitlines() if line.strip())
    flat = flat.replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def metrics_table(rows: dict[str, dict[str, Any]], first: str, metrics=HEADLINE) -> str:
    """A Markdown table: one row per key, one column per metric (↓ marks lower-is-better)."""
    heads = [f"{m} ↓" if m in LOWER_IS_BETTER else m for m in metrics]
    lines = [f"| {first} | n | " + " | ".join(heads) + " |", "|---|---:|" + "---:|" * len(metrics)]
    for key, m in rows.items():
        cells = " | ".join(_cell(m.get(name), name.endswith("_ms")) for name in metrics)
        lines.append(f"| {_text(key, 60)} | {m.get('n', 0)} | {cells} |")
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


def chart(result, path: Path) -> Path:
    """Grouped bars: metrics by system (top) and main-system metrics by question type (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = result.runs
    main = runs["main"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 9), constrained_layout=True)
    _bars(top, list(runs), CHART_SYSTEM_METRICS, lambda s, m: runs[s].metrics.get(m))
    top.set_title(f"Metrics by system ({len(result.items)} questions; false_refusal_rate: lower is better)")
    types = list(main.by_type)
    _bars(bottom, types, CHART_TYPE_METRICS, lambda t, m: main.by_type[t].get(m))
    bottom.set_title("Main system by question type")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _bars(ax, groups: list[str], metrics, value) -> None:
    width = 0.8 / len(metrics)
    for j, metric in enumerate(metrics):
        xs = [i + (j - (len(metrics) - 1) / 2) * width for i in range(len(groups))]
        ax.bar(xs, [value(g, metric) or 0.0 for g in groups], width, label=metric)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1.05)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=4, loc="lower left", bbox_to_anchor=(0, 1.08, 1, 0.2), mode="expand")


def _describe(name: str, run, specs: dict[str, str]) -> str:
    if name == "main[llm]":
        return (f"full pipeline with the LLM answerer; the checks replaced {run.replaced} of {len(run.rows)} "
                "answers with the extractive answer (`answerer: extractive-fallback`)")
    return specs.get(name, "")


def markdown(result, chart_name: str) -> str:
    main = result.runs["main"]
    specs = {s.name: s.description for s in SYSTEMS}
    parts = [
        "# Evaluation report",
        "",
        f"Gold set `{result.gold}`: {len(result.items)} questions; generated {datetime.now():%Y-%m-%d %H:%M}. "
        "Metric definitions: `eval/metrics.py`. ↓ = lower is better; – = no question qualifies.",
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
    ]
    return "\n".join(parts)


def write_report(result, folder: Path) -> list[Path]:
    """Write report.md, metrics.png, metrics.json and answers/<system>.jsonl into ``folder``."""
    from eval.run import write_jsonl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    png = chart(result, folder / "metrics.png")
    md = folder / "report.md"
    md.write_text(markdown(result, png.name), encoding="utf-8")
    data = {
        "gold": result.gold,
        "n": len(result.items),
        "metrics": list(METRICS),
        "systems": {
            name: {"metrics": run.metrics, "by_type": run.by_type, "by_lang": run.by_lang, "by_doc": run.by_doc,
                   "seconds": round(run.seconds, 1)}
            for name, run in result.runs.items()
        },
    }
    js = folder / "metrics.json"
    js.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    for name, run in result.runs.items():
        write_jsonl(folder / "answers" / f"{name}.jsonl", run.rows)
    return [md, png, js]
