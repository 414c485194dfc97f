"""Benchmarks: speed, load and scale (scripts run as ``python bench/<name>.py``)."""
