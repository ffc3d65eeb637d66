"""Word boundaries put back into letter-spaced runs, by the syllable grammar.

``segment`` splits a run of letters (spaces lost) into the fewest syllables the grammar
(``indexer.text.vietnamese.is_syllable``) accepts, never splitting before a lowercase letter
that an uppercase one could not start, and always splitting before an uppercase one.
"""

from __future__ import annotations

from indexer.text.vietnamese import is_syllable


def segment(letters: str) -> list[str] | None:
    """Split a run of letters into the fewest Vietnamese syllables (None if impossible).

    An uppercase letter always starts a syllable (``"CổngThông"`` → ``Cổng``, ``Thông``).
    """
    n = len(letters)
    best: list[tuple[int, int] | None] = [None] * (n + 1)  # (count, prev index)
    best[0] = (0, -1)
    for end in range(1, n + 1):
        for start in range(max(0, end - 7), end):
            here = best[start]
            if here is None:
                continue
            piece = letters[start:end]
            if any(ch.isupper() for ch in piece[1:]):
                continue
            if not is_syllable(piece):
                continue
            cand = (here[0] + 1, start)
            there = best[end]
            if there is None or cand[0] < there[0]:
                best[end] = cand
    if best[n] is None:
        return None
    out: list[str] = []
    end = n
    while end > 0:
        step = best[end]
        assert step is not None  # every end on the path was reached
        start = step[1]
        out.append(letters[start:end])
        end = start
    return out[::-1]
