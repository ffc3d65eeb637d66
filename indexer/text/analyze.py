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

from indexer.text.segment import segment
from indexer.text.vietnamese import fold

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
    the words of what it is about. A heading is read alone."""
    if kind == "heading" or not section:
        return text
    return f"{section[-1]} {text}"


CONTEXT_TITLE = 150  # characters of the document title in a passage's context
CONTEXT_HEADINGS = 2  # headings above the paragraph in it
CONTEXT_PATH = 200  # characters of those headings


def passage_context(title: str | None, section: list[str], text: str) -> str | None:
    """A paragraph as embedded in its context: the document's title and the nearest headings
    above it, then the paragraph ("Quy chế hoạt động của Ban Chỉ đạo Nhà nước về Du lịch ›
    Điều 5. Chế độ họp › 1. Họp Ban Chỉ đạo định kỳ: 06 tháng một lần"). Search re-ranks
    its best candidates by this vector, so a clause that does not repeat what it is about is
    still found by it; the vector index and compare keep the paragraph's own vector. None
    when there is no title and no heading (the paragraph's own vector serves)."""
    title = " ".join((title or "").split())[:CONTEXT_TITLE]
    path = " › ".join(section[-CONTEXT_HEADINGS:])[:CONTEXT_PATH]
    parts = [part for part in (title, path) if part]
    return " › ".join([*parts, text]) if parts else None


def analyze(text: str) -> list[str]:
    """Lexical tokens of raw text: ``segment`` → fold → syllables + joined words."""
    return analyze_segmented(segment(text))
