"""Search: one query against one index generation, as typed results.

Holds the searcher (``searcher``: hybrid retrieval, re-rank in context, grouping, the
relevance floor), how the two rankings are fused (``fusion``), what a query must be
(``query``, ``query_cost``: its length, words and token cost), the query words it reads
apart (``questions``, ``abbreviations``), result shaping (``grouping``, ``snippets``), the
relevance floor (``relevance``), the query-vector cache (``cache``) and the typed values
(``model``). May import ``indexer.store`` / ``indexer.text`` / ``indexer.references`` and
``service.request.cancel``; nothing of the HTTP edge (``service.web``) or the running index
(``service.live``), and nothing of the document readers.
"""

from service.search.cache import QueryVectorCache
from service.search.fusion import FUSIONS, FusionParams, Ranking, fuse_rrf, fuse_weighted, rank
from service.search.model import SearchFilters, SearchHit, SearchResult
from service.search.query import (
    MAX_K,
    QueryWithoutWordsError,
    require_words,
    validate_k,
    validate_query,
)
from service.search.searcher import FACETS, GROUP_WINDOW, MODES, Searcher

__all__ = [
    "FACETS",
    "FUSIONS",
    "GROUP_WINDOW",
    "MAX_K",
    "MODES",
    "FusionParams",
    "QueryVectorCache",
    "QueryWithoutWordsError",
    "Ranking",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "Searcher",
    "fuse_rrf",
    "fuse_weighted",
    "rank",
    "require_words",
    "validate_k",
    "validate_query",
]
