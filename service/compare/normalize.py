"""Text normalisation for comparing plans.

Two plans say the same thing in slightly different ways: one writes "CCHC", the other
"cải cách hành chính"; one numbers a point "5.", the other "6."; one ends with ";", the
other with ".". `canonical()` removes exactly those differences, so two paragraphs whose
canonical forms are equal are reported as `same`:

1. Unicode NFC, and the old/new tone-mark placements unified ("hoá" → "hóa", "uỷ" → "ủy").
2. Leading list markers dropped ("- ", "-. ", "+ ", "1. ", "IV. ", "a) ").
3. Abbreviation definitions dropped ("… người lao động (CCVC)" → "… người lao động"), then
   the abbreviations in `ABBREVIATIONS` expanded (whole upper-case words only).
4. Case folded; quotes and dashes unified; whitespace collapsed; no space before
   punctuation; trailing punctuation (. ; : ,) dropped.

`fold()` (``indexer.text.vietnamese``) further removes diacritics (đ → d) for the lexical
similarity and the topics.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from indexer.text.vietnamese import ABBREVIATIONS as VN_ABBREVIATIONS
from indexer.text.vietnamese import fold

__all__ = ["ABBREVIATIONS", "canonical", "fold", "tokens"]

#: Abbreviations and the long form each is read as: its longest (``indexer.text.vietnamese``).
ABBREVIATIONS: dict[str, str] = {}
for _long, _short in VN_ABBREVIATIONS:
    if len(_long) > len(ABBREVIATIONS.get(_short, "")):
        ABBREVIATIONS[_short] = _long

_ABBR_WORD = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, ABBREVIATIONS)) + r")(?![\w])")
_ABBR_DEF = re.compile(r"\s*\((?:" + "|".join(map(re.escape, ABBREVIATIONS)) + r")\)")

# Old-style tone placement on the second vowel of oa/oe/uy → the first-vowel style
# that administrative texts mostly use.
_TONES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}  # fmt: skip
_TONES.update({k.upper(): v.upper() for k, v in list(_TONES.items())})
_TONES.update({k[0].upper() + k[1:]: v[0].upper() + v[1:] for k, v in list(_TONES.items())})
_TONE_RE = re.compile("(?:" + "|".join(map(re.escape, _TONES)) + r")(?=\W|$)")

_MARKER = re.compile(r"^\s*(?:[-–—•+*]+\s*\.?\s*|\(?\d{1,2}[.)]\s*|[IVXLC]{1,6}\.\s*|[a-zđ]\)\s*)")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\xa0": " "})
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?)\]])")
_SPACE_AFTER = re.compile(r"([(\[])\s+")
_TRAILING = re.compile(r"[\s.;:,]+$")
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def nfc(text: str) -> str:
    """NFC with a single tone-mark placement."""
    text = unicodedata.normalize("NFC", text)
    return _TONE_RE.sub(lambda m: _TONES[m.group(0)], text)


def strip_marker(text: str) -> str:
    """Drop leading list markers ("- ", "1. ", "IV. ", "a) "), repeatedly."""
    prev = None
    while prev != text:
        prev, text = text, _MARKER.sub("", text, count=1)
    return text


def expand_abbreviations(text: str) -> str:
    """Drop "(CCHC)"-style definitions, then expand the known abbreviations."""
    text = _ABBR_DEF.sub("", text)
    return _ABBR_WORD.sub(lambda m: ABBREVIATIONS[m.group(1)], text)


def canonical(text: str) -> str:
    """The form two paragraphs must share to count as `same` (see the module doc)."""
    text = expand_abbreviations(strip_marker(nfc(text)))
    text = text.translate(_QUOTES).casefold()
    text = _WS.sub(" ", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AFTER.sub(r"\1", text)
    return _TRAILING.sub("", text).strip()


@lru_cache(maxsize=65_536)
def tokens(text: str) -> tuple[str, ...]:
    """Folded word tokens of the canonical text (the same words ``canonical`` keeps), kept
    for the last 65,536 texts: a coverage matrix reads every plan's paragraphs against the
    same requirements, request after request."""
    # the canonical form without its spacing and punctuation passes, which no word crosses
    return tuple(_WORD.findall(fold(expand_abbreviations(strip_marker(nfc(text))).casefold())))
