"""Benchmarks (``make bench-…``); each prints its figures and leaves nothing behind."""
