"""One contract for every vector index the factory can create (indexer/store/ann/): what the
writer does with it (create, add, remove, save) and what the reader does (load it with the
catalog's vectors, search, search within a subset of rowids), on the same data for each.

The data: 384-dimensional unit vectors (the model's dimension), seeded, grouped around a few
topics as paragraph vectors are; rowids spaced as a catalog's are after removals. A query is
a stored vector pushed away from it, so its nearest paragraph by inner product is known.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.store.ann import DEFAULT_ANN_PARAMS, ANNIndex, create_ann, load_ann
from indexer.store.ann import factory as ann_factory
from indexer.store.ann.ivf_backend import nlist_for

DIM, N, K = 384, 400, 10
# exact_below lowered for every backend: a filter of ≤ 20 rowids takes the exact path of the
# approximate backends, a larger one their filtered index search; both are tested
SETTINGS = {"exact_below": 20}
BACKENDS = {
    # type: (settings that make the factory choose it for N vectors, can remove in place)
    "flat": ({}, True),
    "ivf_sq8": ({"approximate_threshold": 1, "approximate": "ivf_sq8"}, True),
    "hnsw": ({"approximate_threshold": 1, "approximate": "hnsw"}, False),
}
# best-k of an approximate index against brute force, on the index as the reader opens it
RECALL = {"flat": 1.0, "ivf_sq8": 0.9, "hnsw": 0.9}
# scores of a freshly built index (the reader's: exact cosines, see test_served_scores_…)
FRESH_SCORE_ATOL = {"flat": 1e-5, "ivf_sq8": 0.02, "hnsw": 1e-5}  # ivf_sq8: 8-bit codes


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


class Data:
    """Vectors keyed by rowid, and the catalog the reader fetches exact vectors from."""

    def __init__(self, seed: int = 27):
        rng = np.random.default_rng(seed)
        topics = _unit(rng.standard_normal((16, DIM)))
        noise = _unit(rng.standard_normal((N, DIM)))
        self.vectors = _unit(topics[rng.integers(0, len(topics), N)] + 0.9 * noise)
        self.ids = 7 + 3 * np.arange(N, dtype=np.int64)  # not 0..N-1: rowids, not positions
        self.sources = rng.choice(N, 30, replace=False)  # positions the queries come from
        push = _unit(rng.standard_normal((len(self.sources), DIM)))
        self.queries = _unit(self.vectors[self.sources] + 0.5 * push)
        self.catalog = {int(i): v.tobytes() for i, v in zip(self.ids, self.vectors, strict=True)}

    def fetch(self, rowids: list[int]) -> dict[int, bytes]:
        """The catalog's ``vectors`` table read by rowid (absent rowids left out)."""
        return {r: self.catalog[r] for r in rowids if r in self.catalog}

    def source_id(self, q: int) -> int:
        return int(self.ids[self.sources[q]])

    def brute_force(self, q: int, k: int, allowed=None) -> list[tuple[int, float]]:
        within = None if allowed is None else {int(i) for i in allowed}
        keep = [int(i) for i in self.ids if int(i) in self.catalog]
        keep = [i for i in keep if within is None or i in within]
        scores = self.vectors[(np.array(keep) - 7) // 3] @ self.queries[q]
        order = np.argsort(-scores, kind="stable")[:k]
        return [(keep[j], float(scores[j])) for j in order]

    def exact_score(self, q: int, rowid: int) -> float:
        return float(self.vectors[(rowid - 7) // 3] @ self.queries[q])


@pytest.fixture(scope="module")
def data() -> Data:
    return Data()


@pytest.fixture(params=sorted(BACKENDS))
def kind(request) -> str:
    return request.param


def settings(kind: str) -> dict:
    return {**BACKENDS[kind][0], **SETTINGS}


def create(kind: str) -> ANNIndex:
    return create_ann(DIM, N, settings(kind))


def built(kind: str, data: Data) -> ANNIndex:
    """The index as a full build writes it: created for N vectors, added in two batches."""
    index = create(kind)
    half = N // 2
    index.add(data.ids[:half], data.vectors[:half])
    index.add(data.ids[half:], data.vectors[half:])
    return index


def saved(index: ANNIndex, path: Path) -> dict:
    """Save it; the manifest's ``ann`` record, as read back from JSON."""
    index.save(path)
    return json.loads(json.dumps(index.describe()))


def served(index: ANNIndex, path: Path, data: Data) -> ANNIndex:
    """The index as a reader opens it: saved, loaded with the catalog's exact vectors."""
    return load_ann(path, saved(index, path), data.fetch)


def assert_ranked(hits: list[tuple[int, float]]) -> None:
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True), hits
    assert len({i for i, _ in hits}) == len(hits), "an id returned twice"


# -- the factory -------------------------------------------------------------------------------
def test_every_backend_of_the_factory_is_under_contract():
    assert set(ann_factory._BACKENDS) == set(BACKENDS)


def test_the_factory_creates_the_backend_and_describe_records_it(kind):
    index = create(kind)
    assert isinstance(index, ANNIndex) and index.type == kind
    described = index.describe()
    assert json.loads(json.dumps(described)) == described  # goes into the JSON manifest
    assert described["type"] == kind
    assert described["params"] == {**DEFAULT_ANN_PARAMS, **settings(kind)}
    if kind == "ivf_sq8":  # the structure chosen for the collection's size is recorded
        nlist = nlist_for(N, described["params"])
        assert described["structure"]["factory"] == f"IVF{nlist},SQ8"
        assert described["structure"]["nprobe"] == DEFAULT_ANN_PARAMS["nprobe"]
    # below the threshold the factory keeps the exact index
    assert create_ann(DIM, 10, {**settings(kind), "approximate_threshold": 11}).type == "flat"


def test_an_unknown_approximate_index_is_refused():
    with pytest.raises(ValueError, match="ivf_sq8.*hnsw"):
        create_ann(DIM, N, {"approximate_threshold": 1, "approximate": "annoy"})


# -- empty -------------------------------------------------------------------------------------
def test_an_empty_index_answers_nothing_and_survives_save_and_load(kind, data, tmp_path):
    index = create(kind)  # sized for N vectors, given none
    q = data.queries[0]
    assert index.count == 0
    assert index.search(q, K) == [] and index.search(q, K, data.ids[:5]) == []
    assert index.remove(np.empty(0, dtype=np.int64)) is True  # nothing to remove: done
    loaded = served(index, tmp_path / "vectors.faiss", data)
    assert loaded.type == kind and loaded.count == 0
    assert loaded.search(q, K) == [] and loaded.search(q, K, data.ids[:5]) == []


# -- add and search ----------------------------------------------------------------------------
def test_added_vectors_are_counted_and_the_nearest_comes_first(kind, data):
    index = built(kind, data)
    assert index.count == N
    for q in range(len(data.sources)):
        hits = index.search(data.queries[q], K)
        assert len(hits) == K
        assert_ranked(hits)
        assert hits[0][0] == data.source_id(q)
        for rowid, score in hits:
            assert score == pytest.approx(data.exact_score(q, rowid), abs=FRESH_SCORE_ATOL[kind])
    assert index.search(data.queries[0], 0) == []
    every = index.search(data.queries[0], N + 50)  # k beyond the count
    assert_ranked(every)
    if kind == "flat":
        assert len(every) == N
    else:  # an approximate index answers from the part of the structure it visits
        assert K <= len(every) <= N


def test_vectors_added_after_a_search_are_found(kind, data):
    """An incremental build adds to a live structure (IVF: after it has been trained)."""
    index = create(kind)
    first = data.sources[0]
    rest = np.setdiff1d(np.arange(N), [first])
    index.add(data.ids[rest], data.vectors[rest])
    assert index.search(data.queries[0], 1)[0][0] != data.source_id(0)
    index.add(data.ids[[first]], data.vectors[[first]])
    assert index.count == N
    assert index.search(data.queries[0], 1)[0][0] == data.source_id(0)


def test_served_scores_are_exact_cosines_and_rank_like_brute_force(kind, data, tmp_path):
    index = served(built(kind, data), tmp_path / "vectors.faiss", data)
    recalls = []
    for q in range(len(data.sources)):
        hits = index.search(data.queries[q], K)
        assert_ranked(hits)
        assert hits[0][0] == data.source_id(q)
        for rowid, score in hits:
            assert score == pytest.approx(data.exact_score(q, rowid), abs=1e-5)
        best = {i for i, _ in data.brute_force(q, K)}
        recalls.append(len(best & {i for i, _ in hits}) / K)
    assert min(recalls) >= RECALL[kind], recalls


# -- a subset of rowids ------------------------------------------------------------------------
@pytest.mark.parametrize("size", [5, 150], ids=["few-exact", "many-filtered"])
def test_search_within_a_subset_keeps_to_it(kind, data, tmp_path, size):
    index = served(built(kind, data), tmp_path / "vectors.faiss", data)
    rng = np.random.default_rng(size)
    for q in range(len(data.sources)):
        allowed = rng.choice(data.ids, size, replace=False)
        if q % 2 == 0:  # half the queries: their own paragraph is in the subset
            allowed[0] = data.source_id(q)
        else:
            allowed = allowed[allowed != data.source_id(q)]
        hits = index.search(data.queries[q], K, allowed)
        assert_ranked(hits)
        assert {i for i, _ in hits} <= set(allowed.tolist())
        assert len(hits) == min(K, len(allowed))
        assert hits[0][0] == data.brute_force(q, 1, allowed.tolist())[0][0]
        if q % 2 == 0:
            assert hits[0][0] == data.source_id(q)
    unknown = np.array([10**9, 10**9 + 1], dtype=np.int64)  # rowids the index never held
    assert index.search(data.queries[0], K, unknown) == []
    both = np.concatenate([unknown, [data.source_id(0)]])
    assert [i for i, _ in index.search(data.queries[0], K, both)] == [data.source_id(0)]
    assert index.search(data.queries[0], K, np.empty(0, dtype=np.int64)) == []


# -- remove ------------------------------------------------------------------------------------
def test_remove_drops_the_rowids_or_says_it_cannot(kind, data, tmp_path):
    """As an incremental build does: the live index loaded (no catalog), rowids removed, the
    result saved and opened by a reader whose catalog no longer holds them. A structure that
    cannot remove says so and is left as it was (the build then rebuilds it)."""
    path = tmp_path / "vectors.faiss"
    described = saved(built(kind, data), path)
    live = load_ann(path, described)
    gone = np.unique([data.source_id(0), data.source_id(1), *data.ids[:20:2]]).astype(np.int64)
    before = live.search(data.queries[0], K)
    can_remove = BACKENDS[kind][1]
    assert live.remove(gone) is can_remove
    if not can_remove:
        assert live.count == N and live.search(data.queries[0], K) == before
        return
    assert live.count == N - len(gone)
    live.save(tmp_path / "next.faiss")
    catalog = Data()
    for rowid in gone.tolist():
        del catalog.catalog[rowid]
    record = json.loads(json.dumps(live.describe()))
    reader = load_ann(tmp_path / "next.faiss", record, catalog.fetch)
    assert reader.count == N - len(gone)
    for q in range(len(data.sources)):
        hits = reader.search(data.queries[q], K)
        assert not {i for i, _ in hits} & set(gone.tolist())
        assert hits[0][0] == catalog.brute_force(q, 1)[0][0]
    within = reader.search(data.queries[0], K, np.concatenate([gone, data.ids[100:110]]))
    assert {i for i, _ in within} == set(data.ids[100:110].tolist())
    assert live.remove(gone) is True and live.count == N - len(gone)  # again: nothing to do


# -- save and load -----------------------------------------------------------------------------
def test_save_and_load_give_the_same_answers_and_the_same_record(kind, data, tmp_path):
    index = built(kind, data)
    path = tmp_path / "vectors.faiss"
    described = saved(index, path)
    loaded = load_ann(path, described)  # as the writer loads the live index: no catalog
    assert type(loaded) is type(index) and loaded.count == index.count == N
    assert loaded.describe() == described
    subset = data.ids[::3]
    for q in range(len(data.sources)):
        for allowed in (None, subset, subset[:10]):
            want = index.search(data.queries[q], K, allowed)
            got = loaded.search(data.queries[q], K, allowed)
            assert [i for i, _ in got] == [i for i, _ in want]
            np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-6)
