"""Paragraphs embedded in their context, and the hybrid's re-ranking by them (session index
of the two real plans, real embedder); the served-view metric of the eval harness."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from eval.metrics import score_groups
from indexer.text.analyze import passage_context
from service.search import FusionParams, Searcher, rank

D26 = "2026-truong-cao-dang-y-te-khanh-hoa"


def test_passage_context_reads_title_then_nearest_headings():
    ctx = passage_context(
        "Kế hoạch  cải cách hành chính\nnăm 2026",
        ["I. MỤC ĐÍCH", "II. NỘI DUNG", "3. Chuyển đổi số"],
        "Số hóa hồ sơ.",
    )
    title = "Kế hoạch cải cách hành chính năm 2026"
    assert ctx == f"{title} › II. NỘI DUNG › 3. Chuyển đổi số › Số hóa hồ sơ."
    assert passage_context(None, [], "Số hóa hồ sơ.") is None
    assert passage_context("", ["1. Mục tiêu"], "x") == "1. Mục tiêu › x"
    long = passage_context("T" * 500, ["H" * 500], "x")
    assert long is not None and len(long) <= 150 + 200 + 2 * len(" › ") + 1


@pytest.mark.slow
def test_every_paragraph_has_its_vector_in_context(reader, embedder):
    """The vector in context is the character-weighted mix of the paragraph's own vector, its
    headings' own vectors and the title's embedding (indexer/embeddings/context.py), worked
    out here from the index's own vectors and one embedding of the title."""
    from indexer.embeddings.context import GAIN, context_parts

    doc = reader.document(D26)
    paragraphs = reader.paragraphs(D26)
    rowids = [p.rowid for p in paragraphs]
    own, ctx = reader.vectors(rowids), reader.context_vectors(rowids)
    # the title is in every context, so no context vector equals the paragraph's own
    assert not np.any(np.all(np.isclose(own, ctx, atol=1e-6), axis=1))
    heading_at = {}
    for i, q in enumerate(paragraphs):
        if q.kind == "heading":
            heading_at.setdefault(q.text, i)
    checked = 0
    for i, p in enumerate(paragraphs):
        title, heads = context_parts(doc.title, p.section)
        if len(heads) < 2 or any(h not in heading_at for h in heads) or p.kind == "heading":
            continue
        mix = len(p.text) * own[i] + GAIN * len(title) * embedder.embed_passages([title])[0]
        for h in heads:
            mix = mix + GAIN * len(h) * own[heading_at[h]]
        assert float(ctx[i] @ (mix / np.linalg.norm(mix))) > 0.9999
        checked += 1
        if checked == 5:
            break
    assert checked == 5
    # and it stays close to embedding "title › headings › text" whole, as it was built before
    p = next(x for x in paragraphs if len(x.section) >= 2 and x.kind != "heading")
    whole = embedder.embed_passages([passage_context(doc.title, p.section, p.text)])[0]
    assert float(ctx[paragraphs.index(p)] @ whole) > 0.9


@pytest.fixture(scope="module")
def searcher(reader, embedder):
    return Searcher(reader, embedder, FusionParams(), parallel=False)


def _fused(searcher: Searcher, query: str):
    dense, lexical, vec = searcher._retrieve(searcher.expanded(query), 100, None, "hybrid")
    return rank(dense, lexical, searcher.params, "hybrid"), vec


@pytest.mark.slow
def test_in_context_reorders_only_the_head_by_similarity_in_context(searcher, reader):
    fused, vec = _fused(searcher, "thời hạn hoàn thành số hóa hồ sơ")
    depth = searcher.params.context_depth
    strong = Searcher(reader, searcher.embedder, replace(searcher.params, context_weight=1e6))
    out = strong.in_context(vec, fused)
    head = [r for r, _ in out[:depth]]
    sims = reader.context_vectors(head) @ vec
    assert list(sims) == sorted(sims, reverse=True)  # a huge weight: order by context alone
    assert sorted(head) == sorted(r for r, _ in fused[:depth])  # the same candidates
    assert out[depth:] == fused[depth:]  # the tail untouched
    assert head != [r for r, _ in fused[:depth]]  # and it did move something
    off = Searcher(reader, searcher.embedder, replace(searcher.params, context_weight=0))
    assert off.in_context(vec, fused) == fused
    assert searcher.in_context(None, fused) == fused  # lexical mode: no query vector


def test_served_metrics_credit_an_answer_copied_by_many_units_once():
    relevant = {1: 2, 2: 2, 3: 2, 9: 1}  # 1, 2, 3: one text copied by three units
    cluster = {1: 0, 2: 0, 3: 0, 9: 1}
    grouped = [[7], [1, 2, 3], [9]]  # served: the copies are one hit, second
    s = score_groups(grouped, grouped, relevant, cluster)
    assert s["hit@5"] == 1.0 and s["mrr@10"] == 0.5 and s["recall@50"] == 1.0
    ideal = 3 + 1 / np.log2(3)  # one answer cluster (gain 3), one related (gain 1)
    assert s["ndcg@10"] == pytest.approx((3 / np.log2(3) + 1 / np.log2(4)) / ideal)
    # the same copies served as three hits gain nothing more than the first
    split = score_groups([[7], [1], [2], [3], [9]], [[7], [1], [2], [3], [9]], relevant, cluster)
    assert split["ndcg@10"] < s["ndcg@10"]
