"""The embedder interface every backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors, in query or passage mode.

    ``name`` is what the manifest records and what ``load_embedder`` accepts back;
    ``backend`` names the implementation; ``options`` are the per-model settings
    (``segmented``, ``query_prefix``, ``passage_prefix``) that change the vectors.
    """

    name: str
    backend: str
    dim: int

    @property
    def options(self) -> dict:
        return {"segmented": False, "query_prefix": "", "passage_prefix": ""}

    @abstractmethod
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, unit length."""

    @abstractmethod
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32, unit length."""

    # Backends that can count a query's tokens with the model's own tokenizer also offer
    # ``count_query_tokens(text) -> int`` (``service.search.query_cost`` uses it when present).

    def model_info(self) -> dict:
        """What the manifest records under ``model``."""
        return {
            "name": self.name,
            "backend": self.backend,
            "dim": self.dim,
            "normalized": True,
            **self.options,
        }


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation as contiguous float32 (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors.reshape(1, -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)
