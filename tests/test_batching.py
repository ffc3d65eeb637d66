"""Dynamic batching of query embeddings (indexer/embeddings/batching.py) with the real
embedder: concurrent callers get exactly the vectors of one call each, batched together,
never more model calls in flight than lanes; an error reaches every caller of its batch;
the service wraps its embedder when ``query_batching`` is on."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer.embeddings.batching import BatchingEmbedder

pytestmark = pytest.mark.slow  # every test needs the session index or the model

QUERIES = [
    q["query"]
    for name in ("queries.json", "queries_multidoc.json")
    for q in json.loads((Path(__file__).parent.parent / "eval" / name).read_text("utf-8"))[
        "queries"
    ]
][:96]


class Watched:
    """The real embedder, recording the largest number of its calls in flight at once and
    raising for one poisoned query."""

    def __init__(self, inner, poison: str | None = None):
        self.inner = inner
        self.name, self.backend, self.dim = inner.name, inner.backend, inner.dim
        self.options = inner.options
        self.poison = poison
        self._lock = threading.Lock()
        self.in_flight = self.peak = self.calls = 0

    def embed_queries(self, texts):
        with self._lock:
            self.in_flight += 1
            self.calls += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            if self.poison in texts:
                raise ValueError("poisoned query")
            return self.inner.embed_queries(texts)
        finally:
            with self._lock:
                self.in_flight -= 1

    def embed_passages(self, texts):
        return self.inner.embed_passages(texts)


def _concurrently(fn, items, threads: int) -> dict:
    out: dict = {}
    errors: dict = {}

    def worker(start: int) -> None:
        for i in range(start, len(items), threads):
            try:
                out[i] = fn(items[i])
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors[i] = exc

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"out": out, "errors": errors}


@pytest.mark.parametrize("lanes", [1, 2])
def test_concurrent_queries_get_their_own_bit_identical_vectors_in_fewer_calls(embedder, lanes):
    reference = embedder.embed_queries(QUERIES)
    watched = Watched(embedder)
    batching = BatchingEmbedder(watched, max_batch=16, lanes=lanes)
    got = _concurrently(lambda q: batching.embed_queries([q]), QUERIES, threads=16)
    assert not got["errors"]
    for i, q in enumerate(QUERIES):
        assert np.array_equal(got["out"][i], reference[i : i + 1]), q
    assert batching.queries == len(QUERIES)
    assert watched.calls == batching.calls < len(QUERIES)  # some calls carried several
    assert watched.peak <= lanes


def test_a_lone_query_is_one_call_and_passages_go_straight_through(embedder):
    watched = Watched(embedder)
    batching = BatchingEmbedder(watched)
    vec = batching.embed_queries([QUERIES[0]])
    assert np.array_equal(vec, embedder.embed_queries([QUERIES[0]]))
    assert watched.calls == 1
    assert batching.embed_queries([]).shape == (0, embedder.dim)
    assert np.array_equal(
        batching.embed_passages([QUERIES[1]]), embedder.embed_passages([QUERIES[1]])
    )
    direct = BatchingEmbedder(embedder)
    assert direct.model_info() == embedder.model_info()
    assert direct.count_query_tokens(QUERIES[0]) == embedder.count_query_tokens(QUERIES[0])


def test_an_error_reaches_every_caller_of_its_batch_and_the_rest_are_answered(embedder):
    poison = QUERIES[5]
    batching = BatchingEmbedder(Watched(embedder, poison=poison), max_batch=8, lanes=1)
    got = _concurrently(lambda q: batching.embed_queries([q]), QUERIES[:48], threads=12)
    assert got["errors"], "the poisoned query must fail"
    assert all(isinstance(e, ValueError) for e in got["errors"].values())
    assert 5 in got["errors"]
    assert len(got["out"]) + len(got["errors"]) == 48
    assert len(got["out"]) >= 48 - 8  # only the poisoned query's batch failed
    after = batching.embed_queries([QUERIES[0]])  # the lane was freed
    assert np.array_equal(after, embedder.embed_queries([QUERIES[0]]))


def test_bad_settings_are_refused(embedder):
    with pytest.raises(ValueError):
        BatchingEmbedder(embedder, max_batch=0)
    with pytest.raises(ValueError):
        BatchingEmbedder(embedder, lanes=0)


def test_the_service_batches_when_asked(index_dir):
    from service.live.holder import IndexHolder
    from service.settings import Settings

    on = IndexHolder(Settings(index_dir=index_dir, query_batching=True)).open()
    off = IndexHolder(Settings(index_dir=index_dir, query_batching=False)).open()
    try:
        with on.lease() as a, off.lease() as b:
            assert isinstance(a.searcher.embedder, BatchingEmbedder)
            assert not isinstance(b.searcher.embedder, BatchingEmbedder)
            q = QUERIES[0]
            assert [h.rowid for h in a.searcher.search(q, 10).hits] == [
                h.rowid for h in b.searcher.search(q, 10).hits
            ]
    finally:
        on.close()
        off.close()
