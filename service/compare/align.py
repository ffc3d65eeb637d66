"""One-to-one alignment of two plans' paragraphs by meaning.

The score of a pair mixes four signals, each in [0, 1]:

- `cosine`: the passages' embedding cosine, rescaled per plan pair (`rescale_cosine`), since
  e5 puts any two paragraphs of two CCHC plans near 0.87;
- `lexical`: IDF-weighted Jaccard of folded syllables and syllable bigrams (after
  abbreviation expansion, `normalize.tokens`);
- `order`: Dice of the word-bigram sets, which rewards wording kept in the same order;
- `head`: Dice over the first `HEAD_WORDS` words: a plan states its point first ("Tiếp tục
  nâng cao mức độ hài lòng…"), and two rewordings of one point keep that opening.

An appendix row is compared by its task only (the text before the first " — ", not the
products / timeline / owner that every row repeats). Headings pair only with headings, at a
penalty when their levels differ; a paragraph and an appendix row may pair, at a small
penalty.

The assignment maximises the total score (Hungarian method, scipy's
`linear_sum_assignment`; a greedy best-first matching when scipy is missing), in two passes:
the first finds confident anchors; the longest chain of anchors in document order then gives
a small bonus to pairs that fit between their neighbouring anchors, and the second pass
decides. A pair is kept only if its own score (without the bonus) reaches `MATCH_THRESHOLD`.
The weights and thresholds were chosen on the real plan pair (see README, "Comparing plans").
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.budget import checkpoint
from service.compare.model import ParagraphLike
from service.compare.normalize import tokens

try:  # scipy comes with sentence-transformers; the greedy fallback keeps us working without
    from scipy.optimize import linear_sum_assignment
except ImportError:  # pragma: no cover - exercised only where scipy is absent
    linear_sum_assignment = None

WEIGHTS = {"cosine": 0.45, "lexical": 0.20, "order": 0.15, "head": 0.20}
HEAD_WORDS = 10
MATCH_THRESHOLD = 0.245  # chosen on the real plan pair; see README "Comparing plans"
ANCHOR_THRESHOLD = 0.60  # pairs this good steer document order in the second pass
ORDER_BONUS = 0.03  # added to pairs that fit the order of the anchors
KIND_PENALTY = 0.05  # paragraph ↔ appendix row
LEVEL_PENALTY = 0.20  # heading ↔ heading of another level
TASK_SEPARATOR = " — "
_FORBIDDEN = -1.0


@dataclass(slots=True)
class Match:
    i: int
    j: int
    score: float
    cosine: float
    lexical: float


def core_text(p: ParagraphLike) -> str:
    """What is compared lexically: an appendix row's task, any other paragraph whole."""
    return p.text.split(TASK_SEPARATOR, 1)[0] if p.kind == "task" else p.text


def _bigrams(words: Sequence[str]) -> set[str]:
    return {f"{x} {y}" for x, y in zip(words, words[1:], strict=False)} or set(words)


def features(text: str) -> set[str]:
    """Folded syllables and syllable bigrams (Vietnamese words are mostly two syllables)."""
    words = tokens(text)
    return set(words) | _bigrams(words)


def _onehot(a: Sequence[set[str]], b: Sequence[set[str]]) -> tuple[np.ndarray, np.ndarray]:
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
    return xa, xb


def weighted_jaccard(a: Sequence[set[str]], b: Sequence[set[str]]) -> np.ndarray:
    """IDF-weighted Jaccard, sum of idf over A ∩ B / over A ∪ B, for every pair of sets.

    IDF is taken over the paragraphs of both plans, so the words every paragraph shares
    ("tuyên truyền", "cải cách hành chính") count little and the words that name a point
    ("hài lòng", "VneID") count much."""
    xa, xb = _onehot(a, b)
    df = xa.sum(0) + xb.sum(0)
    idf = np.log1p((len(a) + len(b)) / np.maximum(df, 1.0)).astype(np.float32)
    inter = (xa * idf) @ xb.T
    union = (xa @ idf)[:, None] + (xb @ idf)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def weighted_containment(a: Sequence[set[str]], b: Sequence[set[str]]) -> np.ndarray:
    """Sum of idf over A ∩ B / over A: how much of A (a requirement) B (a paragraph) holds,
    whatever else B says (IDF as in ``weighted_jaccard``)."""
    xa, xb = _onehot(a, b)
    df = xa.sum(0) + xb.sum(0)
    idf = np.log1p((len(a) + len(b)) / np.maximum(df, 1.0)).astype(np.float32)
    inter = (xa * idf) @ xb.T
    own = (xa @ idf)[:, None]
    return np.divide(
        inter, np.broadcast_to(own, inter.shape), out=np.zeros_like(inter), where=own > 0
    )


def containment(a: Sequence[set[str]], b: Sequence[set[str]]) -> np.ndarray:
    """|A ∩ B| / |A| for every pair of sets."""
    xa, xb = _onehot(a, b)
    inter = xa @ xb.T
    own = np.broadcast_to(xa.sum(1)[:, None], inter.shape)
    return np.divide(inter, own, out=np.zeros_like(inter), where=own > 0)


def dice(a: Sequence[set[str]], b: Sequence[set[str]]) -> np.ndarray:
    """2 |A ∩ B| / (|A| + |B|) for every pair of sets."""
    xa, xb = _onehot(a, b)
    inter = xa @ xb.T
    total = xa.sum(1)[:, None] + xb.sum(1)[None, :]
    return np.divide(2.0 * inter, total, out=np.zeros_like(inter), where=total > 0)


def rescale_cosine(cos: np.ndarray, per_row: bool = False) -> np.ndarray:
    """Spread the cosines of one plan pair over [0, 1]: 0 at the median pair (two unrelated
    paragraphs of two plans on the same subject already score ~0.87 with e5), 1 at 1.0.
    ``per_row``: each row against its own median (a requirement's score then does not depend
    on which other requirements are scored beside it)."""
    if not cos.size:
        return np.clip(cos, 0.0, 1.0)
    base = np.median(cos, axis=1, keepdims=True) if per_row else np.median(cos)
    base = np.minimum(base, 0.99)
    return np.clip((cos - base) / (1.0 - base), 0.0, 1.0)


def signals(
    a: Sequence[ParagraphLike],
    b: Sequence[ParagraphLike],
    cos: np.ndarray,
    per_row: bool = False,
    contained: bool = False,
) -> dict[str, np.ndarray]:
    """The four (len(a), len(b)) signal matrices the score mixes (see the module doc).
    ``contained``: the word signals ask how much of a the b holds (a requirement carried by a
    longer paragraph) instead of how alike the two are."""
    wa = [tokens(core_text(p)) for p in a]
    wb = [tokens(core_text(p)) for p in b]
    head_a = [set(w[:HEAD_WORDS]) | _bigrams(w[:HEAD_WORDS]) for w in wa]
    head_b = [set(w[:HEAD_WORDS]) | _bigrams(w[:HEAD_WORDS]) for w in wb]
    words_a = [set(w) | _bigrams(w) for w in wa]
    words_b = [set(w) | _bigrams(w) for w in wb]
    if contained:
        return {
            "cosine": rescale_cosine(cos, per_row),
            "lexical": weighted_containment(words_a, words_b),
            "order": containment([_bigrams(w) for w in wa], [_bigrams(w) for w in wb]),
            "head": containment(head_a, words_b),
        }
    return {
        "cosine": rescale_cosine(cos, per_row),
        "lexical": weighted_jaccard(words_a, words_b),
        "order": dice([_bigrams(w) for w in wa], [_bigrams(w) for w in wb]),
        "head": dice(head_a, head_b),
    }


def _level(p: ParagraphLike) -> int:
    return len(p.section) if p.kind == "heading" else -1


def _kind_group(kind: str) -> str:
    return "heading" if kind == "heading" else ("task" if kind == "task" else "body")


def score_matrices(
    a: Sequence[ParagraphLike],
    b: Sequence[ParagraphLike],
    a_vectors: np.ndarray,
    b_vectors: np.ndarray,
    per_row: bool = False,
    contained: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, cosine, lexical) matrices; score is `_FORBIDDEN` where kinds cannot pair.
    ``per_row``: the cosine rescaled row by row (see ``rescale_cosine``); ``contained``: see
    ``signals``."""
    cos = np.asarray(a_vectors, dtype=np.float32) @ np.asarray(b_vectors, dtype=np.float32).T
    checkpoint()
    sig = signals(a, b, cos, per_row, contained)
    checkpoint()
    score = sum(w * sig[name] for name, w in WEIGHTS.items())
    ga = np.array([_kind_group(p.kind) for p in a])
    gb = np.array([_kind_group(p.kind) for p in b])
    heading_mismatch = (ga[:, None] == "heading") != (gb[None, :] == "heading")
    task_mismatch = (ga[:, None] == "task") != (gb[None, :] == "task")
    la, lb = np.array([_level(p) for p in a]), np.array([_level(p) for p in b])
    level_mismatch = (la[:, None] != lb[None, :]) & ~heading_mismatch
    score = score - KIND_PENALTY * task_mismatch - LEVEL_PENALTY * level_mismatch
    score = np.where(heading_mismatch, _FORBIDDEN, score)
    return score.astype(np.float32), cos, sig["lexical"]


def _assign(weights: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs maximising the total weight."""
    if weights.size == 0:
        return []
    checkpoint()
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
