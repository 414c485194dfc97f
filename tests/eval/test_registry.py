"""The metric registry: one list for computing, tables, charts and CI limits, and the limit specs."""

from __future__ import annotations

import pytest

from eval import registry
from eval.limits import check_limits, parse_limits
from eval.metrics import summarize
from eval.report import glossary, metrics_table
from eval.run import table

CI_FLOORS = {"answer_accuracy": 0.95, "strict_accuracy": 0.95, "refusal_accuracy": 0.95, "hit@5": 0.95, "mrr": 0.87,
             "citation_precision": 0.92, "grounding_rate": 1.0}


def test_every_registry_metric_is_computed_and_nothing_else():
    assert list(summarize([])) == ["n", *registry.NAMES]


def test_names_and_short_names_are_unique():
    assert len(set(registry.NAMES)) == len(registry.METRICS)
    assert len({m.short for m in registry.METRICS}) == len(registry.METRICS)


def test_default_limits_are_the_ci_floors_and_ceiling():
    assert registry.default_limits("higher") == CI_FLOORS
    assert list(registry.default_limits("higher")) == list(CI_FLOORS)
    assert registry.default_limits("lower") == {"false_refusal_rate": 0.03}


def test_default_expands_per_side_and_later_specs_override():
    assert parse_limits(["default"]) == CI_FLOORS
    assert parse_limits(["default"], "lower") == {"false_refusal_rate": 0.03}
    assert parse_limits(["default", "mrr=0.5"])["mrr"] == 0.5
    assert parse_limits(["hit@1=0.7,default"]) == {"hit@1": 0.7, **CI_FLOORS}


@pytest.mark.parametrize(("spec", "message"), [("accuracy=0.8", "unknown metric 'accuracy'; choose from"),
                                               ("mrr", "expected METRIC=VALUE"), ("mrr=x", "is not a number")])
def test_bad_specs_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_limits([spec])


def test_limit_messages_use_each_metric_format():
    metrics = {"latency_p95_ms": 1234.4, "false_refusal_rate": 0.06}
    assert check_limits(metrics, {}, {"latency_p95_ms": 1000, "false_refusal_rate": 0.05}) == [
        "latency_p95_ms = 1234 is above the ceiling 1000",
        "false_refusal_rate = 0.060 is above the ceiling 0.05",
    ]


def test_tables_take_columns_from_the_registry():
    row = {"n": 3, "answer_accuracy": 0.5, "latency_p50_ms": 812.6}
    head, line = table({"main": row}).splitlines()
    assert head.split()[2:] == [m.short for m in registry.METRICS]
    assert line.split()[2:4] == ["0.500", "-"] and "813" in line.split()
    md = metrics_table({"main": row}, "system").splitlines()
    assert md[0].count("|") == len(registry.METRICS) + 3 and "false_refusal_rate ↓" in md[0]
    assert md[2].startswith("| main | 3 | 0.500 | – |")


def test_glossary_lists_every_metric_with_its_ci_limit():
    text = glossary()
    assert [line.split("`")[1] for line in text.splitlines()] == list(registry.NAMES)
    assert "`false_refusal_rate` ↓: share of answerable questions refused; CI ceiling 0.03" in text
    assert "CI floor 0.95" in text


def test_charts_show_a_subset_of_the_registry():
    assert [m.name for m in registry.charted()] == [
        "answer_accuracy", "strict_accuracy", "refusal_accuracy", "false_refusal_rate", "hit@5", "mrr",
        "citation_precision", "grounding_rate"]
    assert [m.name for m in registry.charted(type_chart=True)] == [
        "answer_accuracy", "strict_accuracy", "false_refusal_rate", "hit@5", "citation_precision"]
