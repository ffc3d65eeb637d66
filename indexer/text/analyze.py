"""Lexical tokens, the same for indexing and for queries.

Decision: each pyvi word is folded (lowercase, no diacritics, đ→d) and emitted as its
syllables; a multi-syllable word is emitted *also* as the joined word. So
``"số hóa hồ sơ"`` → ``so hoa so_hoa ho so ho_so`` (pyvi's segmentation of that phrase
decides which compounds appear). A query typed without diacritics (``"so hoa ho so"``)
is not segmented into compounds by pyvi, but its syllables still match; a query with
diacritics also matches the compounds, which rank paragraphs with the same *words*
above paragraphs that merely share syllables. Punctuation-only tokens are dropped.
"""

from __future__ import annotations

from indexer.text.fold import fold
from indexer.text.segment import segment

# Recorded in the manifest; bump when the tokens change (the lexical index is then rebuilt).
ANALYZER_VERSION = "pyvi-fold-syllables+words/1"


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def analyze_segmented(segmented: str) -> list[str]:
    """Lexical tokens of text already segmented by :func:`segment` (words joined by ``_``)."""
    tokens: list[str] = []
    for word in fold(segmented).split():
        syllables = [s for s in word.split("_") if _is_word(s)]
        tokens.extend(syllables)
        if len(syllables) > 1:
            tokens.append("_".join(syllables))
    return tokens


def lexical_text(text: str, section: list[str], kind: str) -> str:
    """What the lexical index reads of a paragraph: its nearest heading, then the paragraph
    ("3. Chuyển đổi số - Số hóa hồ sơ …"), so a point that only says "thực hiện …" is found by
    the words of what it is about. A heading is read alone. (The vectors are made from the
    paragraph alone: compare pairs paragraphs by them.)"""
    if kind == "heading" or not section:
        return text
    return f"{section[-1]} {text}"


def analyze(text: str) -> list[str]:
    """Lexical tokens of raw text: ``segment`` → fold → syllables + joined words."""
    return analyze_segmented(segment(text))
