"""Vietnamese syllable structure, used to put word boundaries back into letter-spaced runs.

A syllable is onset + rhyme, where the rhyme is a vowel nucleus (with its glides) and an
optional final consonant; it carries at most one tone mark. ``segment`` splits a run of
letters (spaces lost) into the fewest valid syllables, never splitting before a lowercase
letter that an uppercase one could not start, and always splitting before an uppercase one.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

ONSETS = {
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
    "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
}  # fmt: skip

# Nuclei (vowel clusters) that may take a final consonant, and those that end in a glide
# and so take none. "ă", "â", "iê/yê", "uô", "ươ" need a final (or glide) to stand.
_OPEN_NUCLEI = {
    "a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "ia", "ua", "ưa", "oa", "oe", "uê", "uy", "uya",
}  # fmt: skip
_CLOSED_ONLY = {"ă", "â", "iê", "yê", "uô", "ươ", "oă", "uâ", "uyê", "oo"}
_GLIDE_NUCLEI = {
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "iu", "oi", "ôi", "ơi", "ui", "ưi",
    "ưu", "oai", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "iêu", "yêu", "uyu", "uơ",
}  # fmt: skip
_FINALS = {"c", "ch", "m", "n", "ng", "nh", "p", "t"}


def _strip_tone(s: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", s)
    tones = sum(1 for ch in decomposed if ch in _TONES)
    base = "".join(ch for ch in decomposed if ch not in _TONES)
    return unicodedata.normalize("NFC", base), tones


def _valid_rhyme(rhyme: str) -> bool:
    if rhyme in _OPEN_NUCLEI or rhyme in _GLIDE_NUCLEI:
        return True
    for final in ("ng", "nh", "ch", "c", "m", "n", "p", "t"):
        if rhyme.endswith(final) and len(rhyme) > len(final):
            nucleus = rhyme[: -len(final)]
            if final in ("ch", "nh") and nucleus not in {"a", "ê", "i", "y", "oa", "uy", "uê"}:
                return False
            return nucleus in _OPEN_NUCLEI or nucleus in _CLOSED_ONLY
    return False


@lru_cache(maxsize=4096)
def is_syllable(word: str) -> bool:
    """True if ``word`` (any case) can be one Vietnamese syllable."""
    base, tones = _strip_tone(word.lower())
    if not base or tones > 1 or not base.isalpha():
        return False
    for size in (3, 2, 1, 0):
        onset, rhyme = base[:size], base[size:]
        if onset not in ONSETS or not rhyme:
            continue
        if onset in ("k", "gh", "ngh") and rhyme[0] not in "eêiy":
            continue
        if onset == "c" and rhyme[0] in "eêiy":
            continue
        if onset == "qu" and rhyme[0] in "o":
            continue
        if _valid_rhyme(rhyme):
            return True
    return False


def segment(letters: str) -> list[str] | None:
    """Split a run of letters into the fewest Vietnamese syllables (None if impossible).

    An uppercase letter always starts a syllable (``"CổngThông"`` → ``Cổng``, ``Thông``).
    """
    n = len(letters)
    best: list[tuple[int, int] | None] = [None] * (n + 1)  # (count, prev index)
    best[0] = (0, -1)
    for end in range(1, n + 1):
        for start in range(max(0, end - 7), end):
            if best[start] is None:
                continue
            piece = letters[start:end]
            if any(ch.isupper() for ch in piece[1:]):
                continue
            if not is_syllable(piece):
                continue
            cand = (best[start][0] + 1, start)
            if best[end] is None or cand[0] < best[end][0]:
                best[end] = cand
    if best[n] is None:
        return None
    out: list[str] = []
    end = n
    while end > 0:
        start = best[end][1]
        out.append(letters[start:end])
        end = start
    return out[::-1]
