"""The query vectors a searcher keeps for repeated queries."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


class QueryVectorCache:
    """LRU cache of query vectors, keyed by the text embedded (thread-safe).

    The web page sends the same query again when only a filter changes; the embedding is the
    costliest step of a search, so it is kept for the last ``size`` distinct texts. ``size``
    0 disables it (benchmarks measure distinct queries with no cache).
    """

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            vec = self._items.get(text)
            if vec is not None:
                self._items.move_to_end(text)
            return vec

    def put(self, text: str, vec: np.ndarray) -> None:
        if self.size <= 0:
            return
        vec.setflags(write=False)
        with self._lock:
            self._items[text] = vec
            self._items.move_to_end(text)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
