"""Baselines run beside the product on the same corpus and the same vectors/embedder.

- ``NumpyDense``: exact cosine search by numpy brute force (also the recall reference).
- ``RankBM25``: rank_bm25's BM25Okapi over the same analysed tokens our lexical index holds
  (``indexer.text.analyze_segmented``), queries analysed with ``indexer.text.analyze``.
- ``TxtaiHybrid``: txtai (a widely used embeddings database) with ``content`` and
  ``hybrid`` (dense + its BM25 keyword scoring), FAISS backend, defaults otherwise; its
  vectors come from an ``external`` transform function that returns *our* vectors for indexed
  texts and our query embedder's vectors for queries, so both systems search the same vectors.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence

import numpy as np


class NumpyDense:
    name = "numpy brute force (dense)"

    def __init__(self, ids: np.ndarray, vectors: np.ndarray, embed_query: Callable):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.embed_query = embed_query

    def search_vector(self, qvec: np.ndarray, k: int = 10) -> list[int]:
        scores = self.vectors @ np.asarray(qvec, dtype=np.float32).reshape(-1)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return self.ids[top].tolist()

    def search(self, query: str, k: int = 10) -> list[int]:
        return self.search_vector(self.embed_query(query), k)


class RankBM25:
    name = "rank_bm25 BM25Okapi (lexical)"

    def __init__(self, ids: Sequence[int], tokens: Sequence[list[str]]):
        from rank_bm25 import BM25Okapi

        t0 = time.perf_counter()
        self.ids = np.asarray(ids, dtype=np.int64)
        self.bm25 = BM25Okapi(list(tokens))
        self.build_seconds = time.perf_counter() - t0

    def search(self, query: str, k: int = 10) -> list[int]:
        from indexer.text import analyze

        scores = self.bm25.get_scores(analyze(query))
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return self.ids[top].tolist()


class TxtaiHybrid:
    name = "txtai hybrid (faiss + bm25, content)"

    def __init__(
        self, ids: Sequence[int], texts: Sequence[str], vectors: np.ndarray, embed_query: Callable
    ):
        from txtai import Embeddings

        lookup = {t: vectors[i] for i, t in enumerate(texts)}

        def transform(inputs):  # a plain function: txtai calls it for documents and queries
            out = []
            for text in inputs:
                vec = lookup.get(text)
                out.append(vec if vec is not None else embed_query(text))
            return np.asarray(out, dtype=np.float32)

        self._tmp = tempfile.TemporaryDirectory(prefix="bench-txtai-")
        self.emb = Embeddings(
            {
                "method": "external",
                "transform": transform,
                "content": True,
                "hybrid": True,
                "backend": "faiss",
            }
        )
        t0 = time.perf_counter()
        self.emb.index([(int(i), t, None) for i, t in zip(ids, texts, strict=True)])
        self.build_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.emb.save(self._tmp.name)
        self.save_seconds = time.perf_counter() - t0

    def search(self, query: str, k: int = 10) -> list[int]:
        return [int(r["id"]) for r in self.emb.search(query, k)]

    def close(self) -> None:
        self.emb.close()
        self._tmp.cleanup()
