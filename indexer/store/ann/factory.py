"""Which vector index to build (by collection size) and how to load one back.

Exact ``IDMap2(FlatIP)`` below ``approximate_threshold`` vectors; above it the structure named
by ``approximate``: ``ivf_sq8`` (default: compressed, supports removal, exact re-rank from the
catalog) or ``hnsw``. The thresholds and parameters come from ``make bench`` /
``python -m bench.annsweep`` on this 2-core machine (see bench/results/latest.json):
exact search costs ~2 ms per 10k vectors per query here, so at 50k it is ~10 ms of the
search budget, while IVF+SQ8 with nprobe 32 answers a 1M collection in a few ms.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import faiss

from indexer.store.ann.base import ANNIndex
from indexer.store.ann.faiss_backend import FlatIndex, HNSWIndex
from indexer.store.ann.ivf_backend import IVFIndex

# Recorded in the manifest (``ann.params``); the benchmark chose these values.
DEFAULT_ANN_PARAMS: dict = {
    "approximate_threshold": 50_000,  # vectors at or above which an approximate index is used
    "approximate": "ivf_sq8",  # "ivf_sq8" | "hnsw"
    # ivf_sq8
    "nlist": 0,  # 0 = sqrt(n) rounded to a power of two, clamped to [nlist_min, nlist_max]
    "nlist_min": 64,
    "nlist_max": 4096,
    "nprobe": 32,
    "train_size": 65_536,
    "rerank": True,  # re-score candidates exactly from the catalog's float32 vectors
    "rerank_depth": 100,
    # hnsw
    "hnsw_m": 32,
    "ef_construction": 80,
    "ef_search": 96,
    # both: a filtered search over fewer ids is answered exactly
    "exact_below": 5_000,
}

_BACKENDS: dict[str, type[FlatIndex] | type[HNSWIndex] | type[IVFIndex]] = {
    "flat": FlatIndex,
    "hnsw": HNSWIndex,
    "ivf_sq8": IVFIndex,
}


def ann_type_for(n_vectors: int, params: dict) -> str:
    params = {**DEFAULT_ANN_PARAMS, **(params or {})}
    if n_vectors < int(params["approximate_threshold"]):
        return "flat"
    if params["approximate"] not in ("ivf_sq8", "hnsw"):
        raise ValueError(
            f"unknown approximate index {params['approximate']!r}; choose 'ivf_sq8' or 'hnsw'"
        )
    return params["approximate"]


def create_ann(dim: int, n_vectors: int, params: dict | None = None) -> ANNIndex:
    """An empty index of the type suited to ``n_vectors`` vectors."""
    params = {**DEFAULT_ANN_PARAMS, **(params or {})}
    kind = ann_type_for(n_vectors, params)
    if kind == "ivf_sq8":
        return IVFIndex.create(dim, params, n_vectors)
    return _BACKENDS[kind].create(dim, params)


def load_ann(
    path: Path, described: dict, vectors: Callable[[list[int]], dict[int, bytes]] | None = None
) -> ANNIndex:
    """Load a saved index; ``described`` is the manifest's ``ann`` record. ``vectors``: the
    catalog's exact vectors by rowid, for backends that re-rank (ivf_sq8); None = no re-rank."""
    params = {**DEFAULT_ANN_PARAMS, **(described.get("params") or {})}
    kind = described.get("type", "flat")
    if kind == "ivf_sq8":
        return IVFIndex.load(path, params, vectors)
    backend = _BACKENDS[kind]
    index = backend(faiss.read_index(str(path)), params)
    if isinstance(index, HNSWIndex):
        faiss.downcast_index(index.index.index).hnsw.efSearch = int(params["ef_search"])
    return index
