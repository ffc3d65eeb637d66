"""Fusing the dense and lexical rankings into one: weighted min-max sum (default) or RRF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Ranking = list[tuple[int, float]]  # (rowid, score), best first


@dataclass(slots=True, frozen=True)
class FusionParams:
    """How the two rankings are fused (defaults chosen with ``make eval``)."""

    method: str = "weighted"  # "rrf" | "weighted"
    rrf_k: int = 60
    dense_weight: float = 0.5
    lexical_weight: float = 0.5
    candidates: int = 100
    # hybrid's last step: the best ``context_depth`` re-ranked by the query's similarity to
    # each paragraph embedded in its context (title and headings), weighted so
    context_weight: float = 0.25
    context_depth: int = 30
    # documents that meet the constraints a query names (its place, unit, year, kind) rise
    # by this × the share of them they meet, in the fused scale (service.search.understanding)
    prefer_weight: float = 0.25
    # which documents rise: "all" (those that meet every constraint the index can meet) or
    # "share" (each by the share of the constraints it meets)
    prefer_by: str = "all"
    # within those documents, the best ``context_depth`` candidates are re-ordered among their
    # places, raised by this × how well their heading matches the query's topic, in the fused
    # scale (service.search.headings)
    heading_weight: float = 0.4
    # what the retrievers read: "query" (the whole query: a constraint's words are often
    # in the answer too — "tỉnh Lâm Đồng có 124 xã") or "topic" (the query without them)
    retrieve_text: str = "query"
    expand: bool = True  # add abbreviations / long forms to the query (.abbreviations)
    query_cache: int = 256  # query vectors kept by a Searcher (QueryVectorCache); 0: none

    @classmethod
    def from_settings(cls, settings: Any) -> FusionParams:
        return cls(
            method=settings.fusion,
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
            lexical_weight=settings.lexical_weight,
            candidates=settings.candidates,
            context_weight=settings.context_weight,
            expand=settings.expand_abbreviations,
            query_cache=getattr(settings, "query_cache", 256),
        )


def fuse_rrf(dense: Ranking, lexical: Ranking, params: FusionParams) -> Ranking:
    """Weighted reciprocal rank fusion: sum over rankings of weight / (rrf_k + rank)."""
    scores: dict[int, float] = {}
    for ranking, weight in ((dense, params.dense_weight), (lexical, params.lexical_weight)):
        for rank, (rowid, _) in enumerate(ranking, start=1):
            scores[rowid] = scores.get(rowid, 0.0) + weight / (params.rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _minmax(ranking: Ranking) -> dict[int, float]:
    if not ranking:
        return {}
    values = [s for _, s in ranking]
    lo, hi = min(values), max(values)
    span = hi - lo
    return {r: ((s - lo) / span if span > 0 else 1.0) for r, s in ranking}


def fuse_weighted(dense: Ranking, lexical: Ranking, params: FusionParams) -> Ranking:
    """Weighted sum of min-max normalised scores (absent from a ranking = 0 for it)."""
    scores: dict[int, float] = {}
    for ranking, weight in ((dense, params.dense_weight), (lexical, params.lexical_weight)):
        for rowid, norm in _minmax(ranking).items():
            scores[rowid] = scores.get(rowid, 0.0) + weight * norm
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


FUSIONS = {"rrf": fuse_rrf, "weighted": fuse_weighted}


def rank(dense: Ranking, lexical: Ranking, params: FusionParams, mode: str = "hybrid") -> Ranking:
    """The final ranking for ``mode``: one retriever alone, or both fused per ``params``."""
    if mode == "dense":
        return list(dense)
    if mode == "lexical":
        return list(lexical)
    return FUSIONS[params.method](dense, lexical, params)
