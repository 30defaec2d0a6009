"""The benchmark harness (not part of the installed tf1_dnn package).

Run it from a checkout: `python -m tf1_dnn bench` (or `python -m benchmarks`).
See `benchmarks/bench.py`.
"""
