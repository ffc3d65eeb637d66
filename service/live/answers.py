"""Answers that only change when a build does, kept for the life of one index generation.

A ``Snapshot`` (one open generation) holds an ``AnswerCache``; a build opens a new
generation, and with it an empty cache, so nothing cached outlives the data it was computed
from. Keys are tuples of the request's arguments (coverage, citations, year over year,
compare), their JSON under the same key plus "json".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
MAX_BYTES = 256 * 1024 * 1024


def weight(value: Any) -> int:
    """An answer's approximate size in bytes: its own ``approx_bytes()`` where it has one
    (a matrix, a comparison), the length of bytes or text, else a small constant."""
    if isinstance(value, bytes | str):
        return len(value)
    sized = getattr(value, "approx_bytes", None)
    return int(sized()) if callable(sized) else 1024


class AnswerCache:
    """A small thread-safe LRU of computed answers: at most ``size`` entries and about
    ``max_bytes`` (a 500-plan matrix weighs ~200 MB; least recently used go first)."""

    def __init__(self, size: int = 64, max_bytes: int = MAX_BYTES):
        self.size = size
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached answer for ``key``, or ``compute()`` (kept unless it raised)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key][0]
        value = compute()  # outside the lock: another key may be computed meanwhile
        size = weight(value)
        with self._lock:
            self.misses += 1
            if size > self.max_bytes:
                return value  # too big to keep: answered, not cached
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.size or self._bytes > self.max_bytes:
                self._bytes -= self._items.popitem(last=False)[1][1]
        return value

    @property
    def nbytes(self) -> int:
        """The approximate bytes held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)
