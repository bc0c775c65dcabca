"""Benchmarks: `make bench` runs every bench/bench_*.py and records the figures (bench/run.py)."""
