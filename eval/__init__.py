"""Evaluation against a gold answer set: a metric registry, pure metrics, a runner, baselines/ablations and a report."""
