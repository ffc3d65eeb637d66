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
from scipy.sparse import csr_matrix

from service.compare.model import ParagraphLike
from service.compare.normalize import tokens
from service.request.cancel import checkpoint

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


def _word_ids(words: Sequence[str], vocab: dict[str, int]) -> list[int]:
    return [vocab.setdefault(w, len(vocab)) for w in words]


def _bigram_set(ids: Sequence[int]) -> set[int]:
    """Ids of the word bigrams — syllable pairs, since Vietnamese words are mostly two
    syllables — or the words themselves for a text of one word."""
    if len(ids) < 2:
        return set(ids)
    return {_SPACE + x * _SPACE + y for x, y in zip(ids, ids[1:], strict=False)}


def _array(ids: set[int]) -> np.ndarray:
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


def _bigram_ids(ids: Sequence[int]) -> np.ndarray:
    return _array(_bigram_set(ids))


def _with_bigrams(ids: Sequence[int]) -> np.ndarray:
    """The words and their bigrams, as ids."""
    return _array(set(ids) | _bigram_set(ids))


Features = Sequence[set[str]] | Sequence[np.ndarray]
_SPACE = 1 << 21  # word ids below this; a bigram's id is _SPACE + first * _SPACE + second


def _as_ids(a: Features, b: Features) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Feature sets as arrays of int ids (sets of strings are numbered here)."""
    if all(isinstance(x, np.ndarray) for x in (*a, *b)):
        return list(a), list(b)  # type: ignore[arg-type]
    vocab: dict[str, int] = {}

    def ids(s: set[str] | np.ndarray) -> np.ndarray:
        return np.array([vocab.setdefault(t, len(vocab)) for t in s], dtype=np.int64)

    return [ids(x) for x in a], [ids(x) for x in b]


def _onehot(a: Features, b: Features) -> tuple[csr_matrix, csr_matrix]:
    """The two families of feature sets as sparse 0/1 rows over their shared vocabulary."""
    ia, ib = _as_ids(a, b)
    lengths = [len(x) for x in (*ia, *ib)]
    flat = np.concatenate([*ia, *ib]) if sum(lengths) else np.zeros(0, dtype=np.int64)
    _, cols = np.unique(flat, return_inverse=True)
    width = max(int(cols.max()) + 1 if cols.size else 0, 1)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    na = len(ia)
    split = indptr[na]

    def rows(lo: int, hi: int, ptr: np.ndarray) -> csr_matrix:
        data = np.ones(hi - lo, dtype=np.float32)
        return csr_matrix((data, cols[lo:hi], ptr - ptr[0]), shape=(len(ptr) - 1, width))

    return rows(0, split, indptr[: na + 1]), rows(split, len(flat), indptr[na:])


def _idf(xa: csr_matrix, xb: csr_matrix) -> np.ndarray:
    df = np.asarray(xa.sum(0)).ravel() + np.asarray(xb.sum(0)).ravel()
    n = xa.shape[0] + xb.shape[0]
    return np.log1p(n / np.maximum(df, 1.0)).astype(np.float32)


def _dense(m) -> np.ndarray:
    return np.asarray(m.toarray() if hasattr(m, "toarray") else m, dtype=np.float32)


def weighted_jaccard(a: Features, b: Features) -> np.ndarray:
    """IDF-weighted Jaccard, sum of idf over A ∩ B / over A ∪ B, for every pair of sets.

    IDF is taken over the paragraphs of both plans, so the words every paragraph shares
    ("tuyên truyền", "cải cách hành chính") count little and the words that name a point
    ("hài lòng", "VneID") count much."""
    xa, xb = _onehot(a, b)
    idf = _idf(xa, xb)
    inter = _dense(xa.multiply(idf[None, :]).tocsr() @ xb.T)
    union = np.asarray(xa @ idf)[:, None] + np.asarray(xb @ idf)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def weighted_containment(a: Features, b: Features) -> np.ndarray:
    """Sum of idf over A ∩ B / over A: how much of A (a requirement) B (a paragraph) holds,
    whatever else B says (IDF as in ``weighted_jaccard``)."""
    xa, xb = _onehot(a, b)
    idf = _idf(xa, xb)
    inter = _dense(xa.multiply(idf[None, :]).tocsr() @ xb.T)
    own = np.broadcast_to(np.asarray(xa @ idf, dtype=np.float32)[:, None], inter.shape)
    return np.divide(inter, own, out=np.zeros_like(inter), where=own > 0)


def containment(a: Features, b: Features) -> np.ndarray:
    """|A ∩ B| / |A| for every pair of sets."""
    xa, xb = _onehot(a, b)
    inter = _dense(xa @ xb.T)
    own = np.broadcast_to(np.asarray(xa.sum(1), dtype=np.float32).reshape(-1, 1), inter.shape)
    return np.divide(inter, own, out=np.zeros_like(inter), where=own > 0)


def dice(a: Features, b: Features) -> np.ndarray:
    """2 |A ∩ B| / (|A| + |B|) for every pair of sets."""
    xa, xb = _onehot(a, b)
    inter = _dense(xa @ xb.T)
    total = np.asarray(xa.sum(1)).reshape(-1, 1) + np.asarray(xb.sum(1)).reshape(1, -1)
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
    vocab: dict[str, int] = {}
    wa = [_word_ids(tokens(core_text(p)), vocab) for p in a]
    wb = [_word_ids(tokens(core_text(p)), vocab) for p in b]
    head_a = [_with_bigrams(w[:HEAD_WORDS]) for w in wa]
    head_b = [_with_bigrams(w[:HEAD_WORDS]) for w in wb]
    words_a = [_with_bigrams(w) for w in wa]
    words_b = [_with_bigrams(w) for w in wb]
    bi_a = [_bigram_ids(w) for w in wa]
    bi_b = [_bigram_ids(w) for w in wb]
    if contained:
        return {
            "cosine": rescale_cosine(cos, per_row),
            "lexical": weighted_containment(words_a, words_b),
            "order": containment(bi_a, bi_b),
            "head": containment(head_a, words_b),
        }
    return {
        "cosine": rescale_cosine(cos, per_row),
        "lexical": weighted_jaccard(words_a, words_b),
        "order": dice(bi_a, bi_b),
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
    matches += section_headings(a, b, score, cos, lex, matches)
    return sorted(matches, key=lambda m: m.i), cos, lex


def _top(p: ParagraphLike) -> str | None:
    return p.section[0] if p.section else None


def section_map(
    a: Sequence[ParagraphLike], b: Sequence[ParagraphLike], matches: Sequence[Match]
) -> dict[str, str]:
    """Top-level sections of a ↦ of b that most of their paired paragraphs go to, where the
    two choose each other (a mutual majority)."""
    votes: dict[tuple[str, str], int] = {}
    for m in matches:
        ta, tb = _top(a[m.i]), _top(b[m.j])
        if ta is not None and tb is not None and a[m.i].kind != "heading":
            votes[(ta, tb)] = votes.get((ta, tb), 0) + 1
    best_a: dict[str, tuple[int, str]] = {}
    best_b: dict[str, tuple[int, str]] = {}
    for (ta, tb), n in votes.items():
        if n > best_a.get(ta, (0, ""))[0]:
            best_a[ta] = (n, tb)
        if n > best_b.get(tb, (0, ""))[0]:
            best_b[tb] = (n, ta)
    return {ta: tb for ta, (_, tb) in best_a.items() if best_b[tb][1] == ta}


def section_headings(
    a: Sequence[ParagraphLike],
    b: Sequence[ParagraphLike],
    score: np.ndarray,
    cos: np.ndarray,
    lex: np.ndarray,
    matches: Sequence[Match],
) -> list[Match]:
    """The unpaired top-level headings of two sections whose paragraphs pair with each other
    ("VI. TỔ CHỨC THỰC HIỆN" ↔ "V. TRÁCH NHIỆM TRIỂN KHAI": other words, same role). A pass
    that also paired the leftover paragraphs of such sections from a lower score raised
    recall on the seed pair 0.912 → 0.938 but precision 0.973 → 0.949, so it is not made."""
    mapping = section_map(a, b, matches)
    used_a, used_b = {m.i for m in matches}, {m.j for m in matches}
    out: list[Match] = []
    for i, p in enumerate(a):
        if i in used_a or p.kind != "heading" or len(p.section) != 1:
            continue
        target = mapping.get(p.section[0])
        for j, q in enumerate(b):
            if j not in used_b and q.kind == "heading" and q.section == [target]:
                out.append(Match(i, j, float(score[i, j]), float(cos[i, j]), float(lex[i, j])))
                used_b.add(j)
                break
    return out
