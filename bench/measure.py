"""Small measuring helpers: latency percentiles, recall, peak RSS of a process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import numpy as np


def percentiles(samples_ms: Sequence[float]) -> dict:
    """p50/p95/p99/mean (ms) and the sample count."""
    if not samples_ms:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "mean": None}
    a = np.asarray(samples_ms, dtype=np.float64)
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return {
        "n": int(a.size),
        "p50": round(float(p50), 2),
        "p95": round(float(p95), 2),
        "p99": round(float(p99), 2),
        "mean": round(float(a.mean()), 2),
    }


def time_calls(fn: Callable[[object], object], args: Sequence, repeat: int = 1) -> list[float]:
    """Milliseconds per call of ``fn(arg)`` over ``args`` (``repeat`` passes)."""
    out = []
    for _ in range(repeat):
        for arg in args:
            t0 = time.perf_counter()
            fn(arg)
            out.append((time.perf_counter() - t0) * 1000.0)
    return out


def recall_at_k(found: Sequence[Sequence[int]], truth: Sequence[Sequence[int]], k: int) -> float:
    """Mean |found[:k] ∩ truth[:k]| / k over queries."""
    if not truth:
        return float("nan")
    hits = [len(set(list(f)[:k]) & set(list(t)[:k])) / k for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits))


def exact_topk(
    vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int, chunk: int = 200_000
) -> list[list[int]]:
    """numpy brute force top-k ids (inner product) for each query."""
    queries = np.atleast_2d(queries).astype(np.float32)
    best_s = np.full((len(queries), 0), -np.inf, np.float32)
    best_i = np.zeros((len(queries), 0), np.int64)
    for start in range(0, len(vectors), chunk):
        s = queries @ vectors[start : start + chunk].T
        kk = min(k, s.shape[1])
        part = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
        best_s = np.concatenate([best_s, np.take_along_axis(s, part, 1)], axis=1)
        best_i = np.concatenate([best_i, ids[start : start + chunk][part]], axis=1)
        keep = np.argsort(-best_s, axis=1, kind="stable")[:, :k]
        best_s = np.take_along_axis(best_s, keep, 1)
        best_i = np.take_along_axis(best_i, keep, 1)
    return [row.tolist() for row in best_i]


class PeakRSS:
    """Polls a process's RSS (with children) in a thread; ``peak`` in bytes."""

    def __init__(self, pid: int, interval: float = 0.1):
        import psutil

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        try:
            rss = self.proc.memory_info().rss
            rss += sum(c.memory_info().rss for c in self.proc.children(recursive=True))
        except Exception:  # noqa: BLE001 — the process may be gone
            return self.peak
        self.peak = max(self.peak, rss)
        return rss

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
