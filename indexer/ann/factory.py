"""Which vector index to build (by collection size) and how to load one back."""

from __future__ import annotations

from pathlib import Path

import faiss

from indexer.ann.base import ANNIndex
from indexer.ann.faiss_backend import FlatIndex, HNSWIndex

# Recorded in the manifest; the benchmark tunes hnsw_threshold.
DEFAULT_ANN_PARAMS: dict = {
    "hnsw_threshold": 200_000,  # vectors at or above which HNSW replaces the exact index
    "hnsw_m": 32,
    "ef_construction": 80,
    "ef_search": 96,
    "exact_below": 5_000,  # filtered HNSW search over fewer ids is done exactly
}

_BACKENDS = {"flat": FlatIndex, "hnsw": HNSWIndex}


def ann_type_for(n_vectors: int, params: dict) -> str:
    return "hnsw" if n_vectors >= int(params["hnsw_threshold"]) else "flat"


def create_ann(dim: int, n_vectors: int, params: dict | None = None) -> ANNIndex:
    """An empty index of the type suited to ``n_vectors`` vectors."""
    params = {**DEFAULT_ANN_PARAMS, **(params or {})}
    return _BACKENDS[ann_type_for(n_vectors, params)].create(dim, params)


def load_ann(path: Path, described: dict) -> ANNIndex:
    """Load a saved index; ``described`` is the manifest's ``ann`` record."""
    params = {**DEFAULT_ANN_PARAMS, **(described.get("params") or {})}
    backend = _BACKENDS[described.get("type", "flat")]
    index = backend(faiss.read_index(str(path)), params)
    if isinstance(index, HNSWIndex):
        faiss.downcast_index(index.index.index).hnsw.efSearch = int(params["ef_search"])
    return index
