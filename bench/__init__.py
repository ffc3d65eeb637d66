"""Benchmarks: build throughput, search latency, memory and recall up to 1M paragraphs,
with baselines (numpy brute force, rank_bm25, txtai) run side by side (``make bench``)."""
