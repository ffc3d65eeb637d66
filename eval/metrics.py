"""Ranking metrics over ids, with binary or graded relevance (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence


def hit_at(ranked: Sequence, relevant: Collection, k: int) -> float:
    """1.0 when a relevant id is among the first k, else 0.0."""
    return 1.0 if any(r in relevant for r in ranked[:k]) else 0.0


def mrr_at(ranked: Sequence, relevant: Collection, k: int) -> float:
    """1 / rank of the first relevant id within the first k (0.0 when none)."""
    for rank, r in enumerate(ranked[:k], start=1):
        if r in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence, relevant: Collection | Mapping, k: int) -> float:
    """DCG of the first k over the DCG of an ideal ranking. ``relevant``: a set (gain 1 each)
    or a mapping id → grade (gain 2^grade − 1: grade 2 "answers" = 3, grade 1 "related" = 1)."""
    gains = _gains(relevant)
    if not gains:
        return 0.0
    dcg = sum(gains.get(r, 0.0) / math.log2(i + 1) for i, r in enumerate(ranked[:k], 1))
    best = sorted(gains.values(), reverse=True)[:k]
    ideal = sum(g / math.log2(i + 1) for i, g in enumerate(best, 1))
    return dcg / ideal


def recall_at(ranked: Sequence, relevant: Collection, k: int) -> float:
    """Share of the relevant ids found within the first k."""
    if not relevant:
        return 0.0
    top = set(ranked[:k])
    return sum(1 for r in relevant if r in top) / len(relevant)


def answers(relevant: Collection | Mapping) -> Collection:
    """The ids that answer (grade 2) — every id when no grades are given or none is 2."""
    if not isinstance(relevant, Mapping):
        return relevant
    best = {r for r, g in relevant.items() if g >= 2}
    return best or set(relevant)


def _gains(relevant: Collection | Mapping) -> dict:
    if isinstance(relevant, Mapping):
        return {r: float(2**g - 1) for r, g in relevant.items() if g > 0}
    return dict.fromkeys(relevant, 1.0)


# hit, MRR and recall count the paragraphs that answer; nDCG also credits related ones.
METRICS = {
    "hit@5": lambda ranked, rel: hit_at(ranked, answers(rel), 5),
    "mrr@10": lambda ranked, rel: mrr_at(ranked, answers(rel), 10),
    "ndcg@10": lambda ranked, rel: ndcg_at(ranked, rel, 10),
    "recall@50": lambda ranked, rel: recall_at(ranked, answers(rel), 50),
}


def score_all(ranked: Sequence, relevant: Collection | Mapping) -> dict[str, float]:
    return {name: fn(ranked, relevant) for name, fn in METRICS.items()}


def mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Per-metric mean over queries."""
    if not rows:
        return {name: 0.0 for name in METRICS}
    return {name: sum(r[name] for r in rows) / len(rows) for name in METRICS}


# -- results as served: near-identical paragraphs of several units are one hit ----------------
def score_groups(
    groups: Sequence[Sequence], deep: Sequence[Sequence], relevant: Mapping, cluster: Mapping
) -> dict[str, float]:
    """The metrics of a ranked list of *groups* (each hit the service returns: a paragraph
    and the near-identical copies of other units folded into it): ``groups`` as served for
    10 hits, ``deep`` as served for 50 (recall@50). ``cluster`` maps each
    relevant id to its answer cluster (relevant copies of one text are one answer), so the
    ideal ranking is one hit per cluster and a cluster is credited once, at its first hit.
    hit@5 / MRR: the first group holding an answer (grade 2); nDCG@10: graded gain of the
    clusters each group newly covers; recall@50: answers inside the first 50 groups."""
    best = answers(relevant)
    first = next((i for i, g in enumerate(groups[:10], 1) if any(r in best for r in g)), None)
    credited: set = set()
    dcg = 0.0
    for i, g in enumerate(groups[:10], 1):
        fresh = [r for r in g if r in relevant and cluster[r] not in credited]
        if fresh:
            dcg += max(2 ** relevant[r] - 1 for r in fresh) / math.log2(i + 1)
            credited |= {cluster[r] for r in g if r in relevant}
    cluster_gain: dict = {}
    for r, g in relevant.items():
        cluster_gain[cluster[r]] = max(cluster_gain.get(cluster[r], 0), 2**g - 1)
    ideal = sum(
        gain / math.log2(i + 1)
        for i, gain in enumerate(sorted(cluster_gain.values(), reverse=True)[:10], 1)
    )
    found = {r for g in deep[:50] for r in g}
    return {
        "hit@5": 1.0 if first is not None and first <= 5 else 0.0,
        "mrr@10": 1.0 / first if first else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
        "recall@50": sum(1 for r in best if r in found) / len(best) if best else 0.0,
    }
