"""Query expansion with the abbreviations of Vietnamese public administration.

Plans write "CCHC" in one sentence and "cải cách hành chính" in the next, "AI" where a user
types "trí tuệ nhân tạo". A lexical retriever sees different tokens, so the query is expanded
before lexical search: a long form found in the query (compared folded, so with or without
diacritics) adds its abbreviation, and an abbreviation adds its long form. The list is general
domain vocabulary, not tuned to any query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from indexer.text.vietnamese import ABBREVIATIONS
from indexer.text.vietnamese import fold_keeping_length as fold_text

__all__ = ["ABBREVIATIONS", "expand_query", "forms", "with_corpus"]


def _words(text: str) -> str:
    """Folded words separated by single spaces (punctuation dropped)."""
    return " " + " ".join(re.findall(r"\w+", fold_text(text))) + " "


Folded = list[tuple[str, str, str, str]]


def folded_table(pairs: Iterable[tuple[str, str]]) -> Folded:
    """(folded long form, folded abbreviation, long form, abbreviation) of each pair."""
    out, seen = [], set()
    for long, short in pairs:
        short_key = re.sub(r"[&\-]", "", fold_text(short))
        if (long_f := _words(long)) and (long_f, short_key) not in seen:
            seen.add((long_f, short_key))
            out.append((long_f, short_key, long, short))
    return out


_FOLDED = folded_table(ABBREVIATIONS)


def with_corpus(learnt: Iterable[Sequence]) -> Folded:
    """The built-in pairs plus those learnt from an index's own corpus (its manifest's
    ``abbreviations``: [long form, abbreviation, evidence], see indexer.text.acronyms)."""
    return folded_table([*ABBREVIATIONS, *((row[0], row[1]) for row in learnt)])


def expand_query(query: str, table: Folded | None = None) -> str:
    """``query`` plus the other form of each long form or abbreviation it contains.

    Abbreviations count only when written in capitals ("AI", "HDND", "KT-XH"), so the word
    "ai" (who) does not expand.
    """
    extra = [other for _typed, other in forms(query, table)]
    return " ".join([query, *extra]) if extra else query


def forms(query: str, table: Folded | None = None) -> list[tuple[str, str]]:
    """(the form in the query, its other form) of each long form or abbreviation the query
    holds without the other: ("trí tuệ nhân tạo", "AI"), ("CCHC", "cải cách hành chính")."""
    words = _words(query)
    capitals = {
        re.sub(r"[&\-]", "", fold_text(w)) for w in re.findall(r"[\w&\-]+", query) if w.isupper()
    }
    out = []
    for long_f, short_f, long, short in _FOLDED if table is None else table:
        if long_f in words and short_f not in capitals:
            out.append((long, short))
        elif short_f in capitals and long_f not in words:
            out.append((short, long))
    return out
