"""`compare()`: align two plans and classify every paragraph as same / changed / only_a /
only_b."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from service.compare import align as _align
from service.compare.model import Comparison, Pair, ParagraphLike
from service.compare.normalize import canonical
from service.compare.summary import summarize
from service.compare.wdiff import word_diff
from service.request.cancel import checkpoint


def _check(paragraphs: Sequence[ParagraphLike], vectors: np.ndarray, side: str) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(paragraphs) and (vectors.ndim != 2 or vectors.shape[0] != len(paragraphs)):
        raise ValueError(
            f"plan {side}: {len(paragraphs)} paragraphs but vectors of shape {vectors.shape}"
        )
    return vectors


def _only(p: ParagraphLike, side: str, cosine: float | None) -> Pair:
    a, b = (p, None) if side == "a" else (None, p)
    return Pair(
        status="only_a" if side == "a" else "only_b",
        a_id=a.id if a else None,
        b_id=b.id if b else None,
        a_text=a.text if a else None,
        b_text=b.text if b else None,
        a_section=list(a.section) if a else None,
        b_section=list(b.section) if b else None,
        kind=p.kind,
        similarity=None,
        cosine=cosine,
    )


def compare(
    a_paragraphs: Sequence[ParagraphLike],
    b_paragraphs: Sequence[ParagraphLike],
    a_vectors: np.ndarray,
    b_vectors: np.ndarray,
    *,
    threshold: float = _align.MATCH_THRESHOLD,
) -> Comparison:
    """Compare plan a with plan b. Paragraphs in document order; vectors their L2-normalised
    passage embeddings, one row per paragraph, in the same order."""
    a_vectors = _check(a_paragraphs, a_vectors, "a")
    b_vectors = _check(b_paragraphs, b_vectors, "b")
    checkpoint()
    matches: list[_align.Match]
    if not len(a_paragraphs) or not len(b_paragraphs):
        matches, cos = [], np.zeros((len(a_paragraphs), len(b_paragraphs)), dtype=np.float32)
    else:
        matches, cos, _ = _align.align(a_paragraphs, b_paragraphs, a_vectors, b_vectors, threshold)
    best_a = cos.max(axis=1) if cos.size else np.zeros(len(a_paragraphs))
    best_b = cos.max(axis=0) if cos.size else np.zeros(len(b_paragraphs))

    by_i = {m.i: m for m in matches}
    matched_b = {m.j for m in matches}
    pending_b = [j for j in range(len(b_paragraphs)) if j not in matched_b]
    pairs: list[Pair] = []

    def flush_b(upto: int) -> None:
        while pending_b and pending_b[0] < upto:
            j = pending_b.pop(0)
            pairs.append(_only(b_paragraphs[j], "b", round(float(best_b[j]), 4)))

    for i, pa in enumerate(a_paragraphs):
        checkpoint()  # a word diff per pair: long for long plans
        m = by_i.get(i)
        if m is None:
            pairs.append(_only(pa, "a", round(float(best_a[i]), 4)))
            continue
        flush_b(m.j)
        pb = b_paragraphs[m.j]
        same = canonical(pa.text) == canonical(pb.text)
        pairs.append(
            Pair(
                status="same" if same else "changed",
                a_id=pa.id,
                b_id=pb.id,
                a_text=pa.text,
                b_text=pb.text,
                a_section=list(pa.section),
                b_section=list(pb.section),
                kind=pa.kind,
                similarity=round(m.score, 4),
                cosine=round(m.cosine, 4),
                lexical=round(m.lexical, 4),
                diff=None if same else word_diff(pa.text, pb.text),
            )
        )
    flush_b(len(b_paragraphs))
    thresholds = {
        "match": threshold,
        "anchor": _align.ANCHOR_THRESHOLD,
        "order_bonus": _align.ORDER_BONUS,
        "kind_penalty": _align.KIND_PENALTY,
        "level_penalty": _align.LEVEL_PENALTY,
        **{f"weight_{k}": v for k, v in _align.WEIGHTS.items()},
    }
    checkpoint()
    return Comparison(pairs=pairs, summary=summarize(pairs), thresholds=thresholds)
