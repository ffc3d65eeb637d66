"""Question words dropped from what the lexical retriever reads.

Staff ask "thời hạn … là khi nào", "ai chịu trách nhiệm …", "bao nhiêu …". Plans never write
those words, so for BM25 they are noise at best, and at worst ("nào", "gì") they match
paragraphs that merely contain them. The embedding model reads the question as asked.

Multi-syllable phrases are recognised with or without diacritics; single syllables only as
written with their marks ("mấy", not "may", which is also "máy"), "ai" only as the first word
and in lower case ("AI" is an abbreviation), "không"/"chưa" only as the last word.
"""

from __future__ import annotations

import re

from indexer.text.vietnamese import fold

PHRASES = (
    "như thế nào", "bao nhiêu", "bao lâu", "khi nào", "thế nào", "là gì", "ở đâu", "tại sao",
    "vì sao", "có phải", "được không", "hay không", "những gì", "ra sao",
)  # fmt: skip
WORDS = ("mấy", "gì", "nào", "đâu")
_PHRASE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(sorted({*PHRASES, *(fold(p) for p in PHRASES)}, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
_WORD = re.compile(r"(?<!\w)(?:" + "|".join(WORDS) + r")(?!\w)")
_FIRST_AI = re.compile(r"^\s*ai(?!\w)")
_LAST = re.compile(r"(?<!\w)(?:không|chưa)\s*[?.!]*\s*$", re.IGNORECASE)


def strip_question_words(query: str) -> str:
    """``query`` without its question words; the query itself when nothing else remains."""
    text = _PHRASE.sub(" ", query)
    text = _WORD.sub(" ", text)
    text = _FIRST_AI.sub(" ", text)
    text = _LAST.sub(" ", text)
    text = " ".join(text.replace("?", " ").split())
    return text if re.search(r"\w", text) else query
