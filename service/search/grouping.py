"""Shaping a ranked list for people: near-identical paragraphs of several units as one hit,
and one hit per document on request.

Units copy template text from the plan above them ("Tăng cường công tác tuyên truyền …"),
so a query about it returns the same sentence from every unit. ``group_duplicates`` keeps the
best-ranked copy and lists the others under it (``also``): one hit that names every unit
that has the text. Two paragraphs are near-identical when their words (lower case, numbers
dropped: dates and counts differ between copies) overlap by ``SIMILARITY`` (Jaccard) or more.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

SIMILARITY = 0.75
MIN_WORDS = 6  # shorter paragraphs ("Căn cứ …", a heading) are not grouped
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

T = TypeVar("T")


@lru_cache(maxsize=8192)
def signature(text: str) -> frozenset[str]:
    """The words a paragraph is compared by: lower case, without numbers (copies of one
    template carry the same marks, so no folding is needed). Kept for the texts seen lately:
    the same candidates come back query after query."""
    return frozenset(_WORD.findall(text.lower()))


def near_identical(a: frozenset[str], b: frozenset[str]) -> bool:
    small, large = sorted((len(a), len(b)))
    if small < MIN_WORDS or small < SIMILARITY * large:  # Jaccard ≤ small / large
        return False
    return len(a & b) >= SIMILARITY * len(a | b)


def group_duplicates(
    hits: Sequence[T], text: Callable[[T], str], doc: Callable[[T], str], limit: int
) -> list[tuple[T, list[T]]]:
    """The first ``limit`` groups of ``hits`` in order: each hit with the later near-identical
    hits of *other* documents folded into it (a paragraph repeated within one document stays
    a hit of its own). Once ``limit`` groups stand, later hits only join them."""
    groups: list[tuple[T, list[T], frozenset[str], int]] = []
    for hit in hits:
        body = text(hit)
        sig: frozenset[str] | None = None
        for head, members, head_sig, head_len in groups:
            if not _close_lengths(len(body), head_len):  # cheap: most pairs stop here
                continue
            if doc(head) == doc(hit) or any(doc(m) == doc(hit) for m in members):
                continue
            sig = sig if sig is not None else signature(body)
            if near_identical(sig, head_sig):
                members.append(hit)
                break
        else:
            if len(groups) < limit:
                groups.append((hit, [], signature(body), len(body)))
    return [(head, members) for head, members, _sig, _len in groups]


def _close_lengths(a: int, b: int) -> bool:
    """Could two texts of these lengths be near-identical? (generous: by characters)"""
    return min(a, b) >= 0.6 * max(a, b)


def collapse_documents(hits: Sequence[T], doc: Callable[[T], str]) -> list[T]:
    """The best hit of each document, in rank order."""
    seen: set[str] = set()
    out = []
    for hit in hits:
        if doc(hit) not in seen:
            seen.add(doc(hit))
            out.append(hit)
    return out
