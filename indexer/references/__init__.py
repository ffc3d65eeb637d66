"""Legal references: find citations in plan text, give them canonical keys, resolve queries."""

from indexer.references.canonical import fold, law_key, normalize_symbol
from indexer.references.extract import extract_references
from indexer.references.resolve import RefQuery, match_query, parse_query, resolve_query

__all__ = [
    "RefQuery",
    "extract_references",
    "fold",
    "law_key",
    "match_query",
    "normalize_symbol",
    "parse_query",
    "resolve_query",
]
