"""Benchmarks: `make bench` (python -m bench). Results are printed and written to bench/results/latest.json."""
