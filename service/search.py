"""Hybrid retrieval: dense (query embedding → FAISS) and lexical (BM25 over segmented, folded
tokens) rankings fused into one, with filters, snippets and typed results.

The reader and embedder are loaded once per process (see ``service.state``); a ``Searcher``
only holds references to them, so building one per request is free.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from indexer.errors import InvalidQueryError
from service.abbreviations import expand_query
from service.snippets import make_snippet

MODES = ("hybrid", "dense", "lexical")
MAX_K = 100
Ranking = list[tuple[int, float]]  # (rowid, score), best first


class Embedder(Protocol):
    name: str

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(slots=True)
class SearchFilters:
    """Restrict a search; None means "any"."""

    unit: str | None = None
    year: int | None = None
    province: str | None = None
    section: str | None = None
    doc_id: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(slots=True, frozen=True)
class FusionParams:
    """How the two rankings are fused (defaults chosen with ``make eval``)."""

    method: str = "weighted"  # "rrf" | "weighted"
    rrf_k: int = 60
    dense_weight: float = 0.3
    lexical_weight: float = 0.7
    candidates: int = 100
    expand: bool = True  # add abbreviations / long forms to the query (service.abbreviations)

    @classmethod
    def from_settings(cls, settings: Any) -> FusionParams:
        return cls(
            method=settings.fusion,
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
            lexical_weight=settings.lexical_weight,
            candidates=settings.candidates,
            expand=settings.expand_abbreviations,
        )


@dataclass(slots=True)
class SearchHit:
    """One ranked paragraph."""

    rowid: int
    paragraph_id: str
    doc_id: str
    unit: str | None
    year: int | None
    province: str | None
    section: str  # heading path joined with " › "
    kind: str
    text: str
    score: float  # fused score (or the single retriever's score in dense/lexical mode)
    snippet: str  # HTML-escaped, <mark> around query words
    dense_score: float | None = None  # cosine, when the dense retriever found it
    lexical_score: float | None = None  # BM25, when the lexical retriever found it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class SearchResult:
    query: str
    mode: str
    total: int  # number of hits returned
    hits: list[SearchHit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "results": [h.to_dict() for h in self.hits],
        }


def validate_query(query: str, max_chars: int = 1000) -> str:
    """The query NFC-normalised and stripped; InvalidQueryError when empty or too long."""
    if query is None or not query.strip():
        raise InvalidQueryError("query is empty: give at least one word to search for")
    if len(query) > max_chars:
        raise InvalidQueryError(
            f"query is {len(query)} characters long; the limit is {max_chars}: shorten it"
        )
    return unicodedata.normalize("NFC", query.strip())


def validate_k(k: int, max_k: int = MAX_K) -> int:
    """k itself when 1 <= k <= max_k; InvalidQueryError otherwise."""
    if not 1 <= k <= max_k:
        raise InvalidQueryError(f"k must be between 1 and {max_k} (got {k})")
    return k


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


class Searcher:
    """Runs one query against one index generation."""

    def __init__(self, reader: Any, embedder: Embedder, params: FusionParams | None = None):
        self.reader = reader
        self.embedder = embedder
        self.params = params or FusionParams()
        if self.params.method not in FUSIONS:
            raise InvalidQueryError(
                f"unknown fusion {self.params.method!r}; choose one of {', '.join(FUSIONS)}"
            )

    def dense(self, query: str, k: int, rowids: np.ndarray | None) -> Ranking:
        qvec = np.asarray(self.embedder.embed_queries([query]), dtype=np.float32)
        return list(self.reader.dense_search(qvec[0], k, rowids))

    def lexical(self, query: str, k: int, rowids: np.ndarray | None) -> Ranking:
        return list(self.reader.lexical_search(query, k, rowids))

    def expanded(self, query: str) -> str:
        """The query both retrievers see: with abbreviations expanded when enabled."""
        return expand_query(query) if self.params.expand else query

    def retrieve(
        self, query: str, depth: int, rowids: np.ndarray | None, mode: str = "hybrid"
    ) -> tuple[Ranking, Ranking]:
        """(dense, lexical) rankings of up to ``depth`` rowids each (empty when not used)."""
        query = self.expanded(query)
        dense = self.dense(query, depth, rowids) if mode != "lexical" else []
        lexical = self.lexical(query, depth, rowids) if mode != "dense" else []
        return dense, lexical

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
    ) -> SearchResult:
        """The k best paragraphs for ``query`` (mode: hybrid, dense or lexical)."""
        if mode not in MODES:
            raise InvalidQueryError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        validate_k(k)
        rowids = self.reader.filter_rowids(**(filters or SearchFilters()).as_kwargs())
        if rowids is not None and len(rowids) == 0:
            return SearchResult(query=query, mode=mode, total=0, hits=[])
        dense, lexical = self.retrieve(query, max(k, self.params.candidates), rowids, mode)
        ranked = rank(dense, lexical, self.params, mode)[:k]
        hits = self._hits(self.expanded(query), ranked, dict(dense), dict(lexical))
        return SearchResult(query=query, mode=mode, total=len(hits), hits=hits)

    def _hits(
        self,
        query: str,
        ranked: Ranking,
        dense: dict[int, float],
        lexical: dict[int, float],
    ) -> list[SearchHit]:
        rows = self.reader.paragraphs_by_rowid([r for r, _ in ranked])
        hits = []
        for rowid, score in ranked:
            p = rows.get(rowid)
            if p is None:  # vector/lexical entry without a catalog row: skip, never crash
                continue
            hits.append(
                SearchHit(
                    rowid=rowid,
                    paragraph_id=p.id,
                    doc_id=p.doc_id,
                    unit=p.unit,
                    year=p.year,
                    province=p.province,
                    section=" › ".join(p.section or []),
                    kind=p.kind,
                    text=p.text,
                    score=float(score),
                    snippet=make_snippet(p.text, query),
                    dense_score=_opt(dense.get(rowid)),
                    lexical_score=_opt(lexical.get(rowid)),
                )
            )
        return hits


def _opt(value: float | None) -> float | None:
    return None if value is None else float(value)
