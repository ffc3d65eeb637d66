"""The vector-index interface: cosine search over unit vectors keyed by int64 ids."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np


class ANNIndex(ABC):
    """Vectors are L2-normalised, so inner product = cosine similarity."""

    type: str
    params: dict

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    @abstractmethod
    def remove(self, ids: np.ndarray) -> bool:
        """Remove ids; False if this structure cannot remove (the caller rebuilds)."""

    @abstractmethod
    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``k`` (id, cosine) for one query vector, restricted to ``allowed`` ids if given."""

    @abstractmethod
    def save(self, path: Path) -> None: ...

    @property
    @abstractmethod
    def count(self) -> int: ...

    def close(self) -> None:
        """Release what the index holds open (default: nothing)."""
        return None

    def describe(self) -> dict:
        """What the manifest records under ``ann``."""
        return {"type": self.type, "params": dict(self.params)}
