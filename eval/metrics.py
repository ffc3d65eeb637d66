"""Ranking metrics with binary relevance (pure functions over ids)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence


def hit_at(ranked: Sequence, relevant: Collection, k: int) -> float:
    """1.0 when a relevant id is among the first k, else 0.0."""
    return 1.0 if any(r in relevant for r in ranked[:k]) else 0.0


def mrr_at(ranked: Sequence, relevant: Collection, k: int) -> float:
    """1 / rank of the first relevant id within the first k (0.0 when none)."""
    for rank, r in enumerate(ranked[:k], start=1):
        if r in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence, relevant: Collection, k: int) -> float:
    """DCG of the first k (gain 1 per relevant id) over the DCG of an ideal ranking."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 1) for i, r in enumerate(ranked[:k], 1) if r in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


METRICS = {
    "hit@5": lambda ranked, rel: hit_at(ranked, rel, 5),
    "mrr@10": lambda ranked, rel: mrr_at(ranked, rel, 10),
    "ndcg@10": lambda ranked, rel: ndcg_at(ranked, rel, 10),
}


def score_all(ranked: Sequence, relevant: Collection) -> dict[str, float]:
    return {name: fn(ranked, relevant) for name, fn in METRICS.items()}


def mean(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Per-metric mean over queries."""
    if not rows:
        return {name: 0.0 for name in METRICS}
    return {name: sum(r[name] for r in rows) / len(rows) for name in METRICS}
