"""One-to-one alignment of two plans' paragraphs by meaning.

Score of a pair = `COSINE_WEIGHT` · cosine of the passage embeddings + (1 − weight) · Jaccard
of the folded word sets (after abbreviation expansion, `normalize.tokens`). Headings pair only
with headings; a paragraph and an appendix row (kind "task") may pair, at a small penalty.

The assignment maximises the total score (Hungarian method, scipy's
`linear_sum_assignment`; a greedy best-first matching when scipy is missing), in two passes:
the first finds confident anchors; the longest chain of anchors in document order then gives
a small bonus to pairs that fit between their neighbouring anchors, and the second pass
decides. A pair is kept only if its own score (without the bonus) reaches `MATCH_THRESHOLD`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.compare.model import ParagraphLike
from service.compare.normalize import tokens

try:  # scipy comes with sentence-transformers; the greedy fallback keeps us working without
    from scipy.optimize import linear_sum_assignment
except ImportError:  # pragma: no cover - exercised only where scipy is absent
    linear_sum_assignment = None

COSINE_WEIGHT = 0.5
MATCH_THRESHOLD = 0.60  # chosen on the real plan pair; see README "Comparing plans"
ANCHOR_THRESHOLD = 0.75  # pairs this good steer document order in the second pass
ORDER_BONUS = 0.03  # added to pairs that fit the order of the anchors
KIND_PENALTY = 0.05  # paragraph ↔ appendix row
_FORBIDDEN = -1.0


@dataclass(slots=True)
class Match:
    i: int
    j: int
    score: float
    cosine: float
    lexical: float


def features(text: str) -> set[str]:
    """Folded syllables and syllable bigrams (Vietnamese words are mostly two syllables)."""
    toks = tokens(text)
    return set(toks) | {f"{x} {y}" for x, y in zip(toks, toks[1:], strict=False)}


def weighted_jaccard(a: Sequence[set[str]], b: Sequence[set[str]]) -> np.ndarray:
    """IDF-weighted Jaccard, sum of idf over A ∩ B / over A ∪ B, for every pair of sets.

    IDF is taken over the paragraphs of both plans, so the words every paragraph shares
    ("tuyên truyền", "cải cách hành chính") count little and the words that name a point
    ("hài lòng", "VneID") count much."""
    vocab: dict[str, int] = {}
    for s in (*a, *b):
        for t in s:
            vocab.setdefault(t, len(vocab))
    width = max(len(vocab), 1)
    xa = np.zeros((len(a), width), dtype=np.float32)
    xb = np.zeros((len(b), width), dtype=np.float32)
    for row, s in enumerate(a):
        xa[row, [vocab[t] for t in s]] = 1.0
    for row, s in enumerate(b):
        xb[row, [vocab[t] for t in s]] = 1.0
    df = xa.sum(0) + xb.sum(0)
    idf = np.log1p((len(a) + len(b)) / np.maximum(df, 1.0)).astype(np.float32)
    inter = (xa * idf) @ xb.T
    union = (xa @ idf)[:, None] + (xb @ idf)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def rescale_cosine(cos: np.ndarray) -> np.ndarray:
    """Spread the cosines of one plan pair over [0, 1]: 0 at the median pair (two unrelated
    paragraphs of two plans on the same subject already score ~0.9 with e5), 1 at 1.0."""
    base = float(np.median(cos)) if cos.size else 0.0
    base = min(base, 0.99)
    return np.clip((cos - base) / (1.0 - base), 0.0, 1.0)


def _kind_group(kind: str) -> str:
    return "heading" if kind == "heading" else ("task" if kind == "task" else "body")


def score_matrices(
    a: Sequence[ParagraphLike],
    b: Sequence[ParagraphLike],
    a_vectors: np.ndarray,
    b_vectors: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, cosine, lexical) matrices; score is `_FORBIDDEN` where kinds cannot pair."""
    cos = np.asarray(a_vectors, dtype=np.float32) @ np.asarray(b_vectors, dtype=np.float32).T
    lex = weighted_jaccard([features(p.text) for p in a], [features(p.text) for p in b])
    score = COSINE_WEIGHT * rescale_cosine(cos) + (1.0 - COSINE_WEIGHT) * lex
    ga = np.array([_kind_group(p.kind) for p in a])
    gb = np.array([_kind_group(p.kind) for p in b])
    heading_mismatch = (ga[:, None] == "heading") != (gb[None, :] == "heading")
    task_mismatch = (ga[:, None] == "task") != (gb[None, :] == "task")
    score = np.where(task_mismatch, score - KIND_PENALTY, score)
    score = np.where(heading_mismatch, _FORBIDDEN, score)
    return score.astype(np.float32), cos, lex


def _assign(weights: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs maximising the total weight."""
    if weights.size == 0:
        return []
    if linear_sum_assignment is not None:
        rows, cols = linear_sum_assignment(weights, maximize=True)
        return list(zip(rows.tolist(), cols.tolist(), strict=True))
    order = np.argsort(-weights, axis=None)  # greedy best-first
    used_a, used_b, out = set(), set(), []
    for flat in order.tolist():
        i, j = divmod(flat, weights.shape[1])
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j))
    return out


def _monotone_chain(pairs: list[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """The longest chain of pairs increasing in both i and j (patience LIS on j)."""
    pairs = sorted(pairs)
    tails: list[int] = []  # smallest j ending a chain of each length
    tail_idx: list[int] = []
    back = [-1] * len(pairs)
    for k, (_, j, _) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        back[k] = tail_idx[pos - 1] if pos else -1
    chain, k = [], tail_idx[-1] if tail_idx else -1
    while k >= 0:
        chain.append(pairs[k][:2])
        k = back[k]
    return chain[::-1]


def _order_bonus(anchors: list[tuple[int, int]], na: int, nb: int) -> np.ndarray:
    """ORDER_BONUS for (i, j) when j lies between the b-positions of the anchors around i."""
    bonus = np.zeros((na, nb), dtype=np.float32)
    if not anchors:
        return bonus
    ai = [i for i, _ in anchors]
    for i in range(na):
        k = bisect_left(ai, i)
        if k < len(anchors) and anchors[k][0] == i:  # an anchor itself
            bonus[i, anchors[k][1]] = ORDER_BONUS
            continue
        lo = anchors[k - 1][1] + 1 if k > 0 else 0
        hi = anchors[k][1] if k < len(anchors) else nb
        bonus[i, lo:hi] = ORDER_BONUS
    return bonus


def align(
    a: Sequence[ParagraphLike],
    b: Sequence[ParagraphLike],
    a_vectors: np.ndarray,
    b_vectors: np.ndarray,
    threshold: float = MATCH_THRESHOLD,
) -> tuple[list[Match], np.ndarray, np.ndarray]:
    """Matched pairs (sorted by i) plus the cosine and lexical matrices."""
    score, cos, lex = score_matrices(a, b, a_vectors, b_vectors)
    first = [(i, j, float(score[i, j])) for i, j in _assign(score)]
    anchors = _monotone_chain([p for p in first if p[2] >= ANCHOR_THRESHOLD])
    final = _assign(score + _order_bonus(anchors, len(a), len(b)))
    matches = [
        Match(i, j, float(score[i, j]), float(cos[i, j]), float(lex[i, j]))
        for i, j in final
        if score[i, j] >= threshold
    ]
    return sorted(matches, key=lambda m: m.i), cos, lex
