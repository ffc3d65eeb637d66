"""Answers that only change when a build does, kept for the life of one index generation.

A ``Snapshot`` (one open generation) holds an ``AnswerCache``; a build opens a new
generation, and with it an empty cache, so nothing cached outlives the data it was computed
from. Keys are tuples of the request's arguments (a checklist by its content hash).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class AnswerCache:
    """A small thread-safe LRU of computed answers (``size`` entries)."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached answer for ``key``, or ``compute()`` (kept unless it raised)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = compute()  # outside the lock: another key may be computed meanwhile
        with self._lock:
            self.misses += 1
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
