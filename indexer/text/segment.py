"""Word segmentation with pyvi: multi-syllable words joined by ``_``."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=1)
def _tokenizer():
    from pyvi import ViTokenizer  # imported lazily: loading its model takes a moment

    return ViTokenizer


def segment(text: str) -> str:
    """pyvi-segment ``text``: ``"số hóa hồ sơ"`` → ``"số hóa hồ_sơ"``; punctuation is split off.

    Whitespace (newlines included) is collapsed; the text is NFC-normalised first so
    decomposed input segments like composed input.
    """
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not text:
        return ""
    return _tokenizer().tokenize(text)
