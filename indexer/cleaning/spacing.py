"""Repair letter-spaced runs (``N â n g c a o`` → ``Nâng cao``).

Extraction of text set with character spacing gives one token per letter and loses the
word boundaries. Wider gaps (two or more spaces) are kept as boundaries; inside a group of
letters the boundaries are found again from Vietnamese syllable structure.
"""

from __future__ import annotations

import re

from indexer.cleaning.syllables import segment

_TOKEN = re.compile(r"\S+|\s+")
_CLOSING = set(".,;:!?)”…")
MIN_LETTERS = 6


def _is_letter(tok: str) -> bool:
    return len(tok) == 1 and tok.isalpha()


def _render(groups: list[list[str]]) -> str:
    """groups: letters (and trailing punctuation) between forced boundaries."""
    words: list[str] = []
    for group in groups:
        letters = "".join(ch for ch in group if ch.isalpha())
        trail = "".join(ch for ch in group if not ch.isalpha())
        if not letters:
            if words:
                words[-1] += trail
            continue
        parts = segment(letters) or [letters]
        words.extend(parts[:-1])
        words.append(parts[-1] + trail)
    return " ".join(words)


def fix_letter_spacing(text: str) -> str:
    """Return ``text`` with every run of >= MIN_LETTERS spaced single letters re-joined."""
    tokens = _TOKEN.findall(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not _is_letter(tok):
            out.append(tok)
            i += 1
            continue
        # collect a run: letter (sep letter|punct)*
        groups: list[list[str]] = [[tok]]
        j = i + 1
        n_letters = 1
        while j + 1 < len(tokens) and tokens[j].isspace():
            nxt = tokens[j + 1]
            if _is_letter(nxt):
                if len(tokens[j]) >= 2 or not groups[-1][-1].isalpha():
                    groups.append([])
                groups[-1].append(nxt)
                n_letters += 1
            elif len(nxt) == 1 and nxt in _CLOSING:
                groups[-1].append(nxt)
            else:
                break
            j += 2
        if n_letters >= MIN_LETTERS:
            out.append(_render(groups))
            i = j
        else:
            out.append(tok)
            i += 1
    return "".join(out)


_SPACED_RUN = re.compile(r"(?:\b\w\s){5,}\w\b")


def has_letter_spacing(text: str) -> bool:
    """True if ``text`` still holds a run of spaced single letters."""
    return bool(_SPACED_RUN.search(text))
