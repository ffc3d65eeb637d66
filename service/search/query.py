"""What a query must be before it is searched: length, words, k."""

from __future__ import annotations

import re

from indexer.errors import InvalidQueryError
from service.search.query_cost import clean_query

MAX_K = 100


def validate_query(query: str, max_chars: int = 1000) -> str:
    """The query NFC-normalised, without control characters, stripped; InvalidQueryError when
    too long or empty (a query of only blank, control or invisible characters is empty)."""
    if query is not None and len(query) > max_chars:
        raise InvalidQueryError(
            f"query is {len(query)} characters long; the limit is {max_chars}: shorten it"
        )
    cleaned = clean_query(query or "")
    if not cleaned:
        raise InvalidQueryError(
            "query is empty: give at least one word to search for (blank, control and "
            "invisible characters do not count)"
        )
    return cleaned


def require_words(query: str) -> None:
    """QueryWithoutWordsError for a query of punctuation or symbols only (checked after the
    token budget, whose message says more about a long run of symbols)."""
    if not _WORD_CHAR.search(query):
        raise QueryWithoutWordsError(
            f"query {query[:40]!r} has no letter or digit, only punctuation or symbols: "
            "type a word or a document number to search for"
        )


class QueryWithoutWordsError(InvalidQueryError):
    """A query of punctuation or symbols only: every paragraph would match it as well as any
    other ("*" found "*" and "3.1."), so nothing is searched."""


_WORD_CHAR = re.compile(r"[^\W_]")


def validate_k(k: int, max_k: int = MAX_K) -> int:
    """k itself when 1 <= k <= max_k; InvalidQueryError otherwise."""
    if not 1 <= k <= max_k:
        raise InvalidQueryError(f"k must be between 1 and {max_k} (got {k})")
    return k
