"""Evaluation against a gold answer set: pure metrics, a runner, baselines/ablations and a report."""
