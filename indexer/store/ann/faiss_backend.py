"""FAISS backends: exact ``IDMap2(FlatIP)`` and approximate ``IDMap2(HNSWFlat, IP)``."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from indexer.store.ann.base import ANNIndex


def _ids(ids) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def _vecs(vectors) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))


class _FaissIndex(ANNIndex):
    def __init__(self, index: faiss.Index, params: dict):
        self.index = index
        self.params = params

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids, vectors) -> None:
        ids = _ids(ids)
        if len(ids):
            self.index.add_with_ids(_vecs(vectors), ids)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    def _search_params(self, selector):
        return faiss.SearchParameters(sel=selector)

    def search(self, query, k, allowed=None) -> list[tuple[int, float]]:
        if self.count == 0 or k <= 0:
            return []
        q = _vecs(query).reshape(1, -1)
        params = None
        if allowed is not None:
            allowed = _ids(allowed)
            if len(allowed) == 0:
                return []
            selector = faiss.IDSelectorBatch(allowed)
            params = self._search_params(selector)
            k = min(k, len(allowed))
        k = min(k, self.count)
        scores, ids = self.index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


class FlatIndex(_FaissIndex):
    """Exact inner-product search; removal supported."""

    type = "flat"

    @classmethod
    def create(cls, dim: int, params: dict) -> FlatIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)), params)

    def remove(self, ids) -> bool:
        ids = _ids(ids)
        if len(ids):
            self.index.remove_ids(faiss.IDSelectorBatch(ids))
        return True


class HNSWIndex(_FaissIndex):
    """Approximate search (HNSW graph); FAISS cannot remove from it, so removals rebuild.

    A filter that keeps few ids (``exact_below``) is answered exactly from the stored
    vectors, since a graph walk restricted to a small subset can miss results.
    """

    type = "hnsw"

    @classmethod
    def create(cls, dim: int, params: dict) -> HNSWIndex:
        inner = faiss.IndexHNSWFlat(dim, int(params["hnsw_m"]), faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = int(params["ef_construction"])
        inner.hnsw.efSearch = int(params["ef_search"])
        return cls(faiss.IndexIDMap2(inner), params)

    def remove(self, ids) -> bool:
        return len(_ids(ids)) == 0

    def _search_params(self, selector):
        return faiss.SearchParametersHNSW(sel=selector, efSearch=int(self.params["ef_search"]))

    def search(self, query, k, allowed=None) -> list[tuple[int, float]]:
        if allowed is not None and 0 < len(allowed) <= int(self.params["exact_below"]):
            allowed = _ids(allowed)
            present = [i for i in allowed if i in self._id_set()]
            if not present:
                return []
            vecs = np.stack([self.index.reconstruct(int(i)) for i in present])
            scores = vecs @ _vecs(query).reshape(-1)
            order = np.argsort(-scores, kind="stable")[:k]
            return [(int(present[j]), float(scores[j])) for j in order]
        return super().search(query, k, allowed)

    _ids_cache: set[int] | None = None

    def _id_set(self) -> set[int]:
        if self._ids_cache is None or len(self._ids_cache) != self.count:
            self._ids_cache = set(faiss.vector_to_array(self.index.id_map).tolist())
        return self._ids_cache
