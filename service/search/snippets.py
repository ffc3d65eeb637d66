"""Highlighted snippets: the query's words marked in a paragraph.

A query word typed without diacritics ("so hoa") marks every accented form of it ("số hóa");
a word typed with diacritics ("nhân") marks only that word ("nhân", not "nhận").

The text is folded character by character (``indexer.text.vietnamese.fold_keeping_length``),
which keeps every character at its offset, so a match found in the folded text maps straight
back to the original. The result is HTML-escaped text with ``<mark>…</mark>`` around matched words
(adjacent matches merged into one mark), trimmed to the window with the most query words.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from indexer.text.vietnamese import fold_keeping_length as fold_text

WORD_RE = re.compile(r"\w+")
ELLIPSIS = "…"
# Only the start of a paragraph is searched for the window (old indexes may hold paragraphs of
# any length; new ones cut them at indexer.limits' maximum): a snippet's cost is bounded.
MAX_SNIPPET_SOURCE = 20_000

# Function words marked only when the query has nothing else to mark.
STOPWORDS = frozenset(
    {"va", "cua", "cac", "nhung", "cho", "trong", "voi", "ve", "la", "duoc", "co", "de"}
    | {"theo", "tai", "tren", "tu", "den", "mot", "nay", "da", "se", "thi", "ma", "nhu"}
    | {"khi", "nao", "gi", "o", "bang", "hoac", "cung"}
)


@lru_cache(maxsize=1024)
def query_terms(query: str) -> tuple[str, ...]:
    """The lowercase words of a query, in order, without duplicates (stopwords dropped if
    others). A word keeps its diacritics; one typed without them is already its folded form."""
    words = list(dict.fromkeys(WORD_RE.findall(unicodedata.normalize("NFC", query).lower())))
    content = [w for w in words if fold_text(w) not in STOPWORDS]
    return tuple(content or words)


@lru_cache(maxsize=1024)
def _term_patterns(terms: tuple[str, ...]) -> tuple[re.Pattern | None, re.Pattern | None]:
    """Whole-word patterns of the bare terms (matched in the folded text) and of the
    accented ones (matched in the lowercased text); longest first, so a longer term wins."""

    def pattern(words: list[str]) -> re.Pattern | None:
        if not words:
            return None
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    bare = [t for t in terms if fold_text(t) == t]
    return pattern(bare), pattern([t for t in terms if t not in bare])


def find_matches(text: str, terms: tuple[str, ...] | list[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of each whole word of ``text`` that a term matches: a term without
    diacritics matches any word that folds to it, a term with diacritics only itself."""
    bare, accented = _term_patterns(tuple(terms))
    found: dict[int, tuple[int, int, str]] = {}
    if accented is not None:
        lowered = unicodedata.normalize("NFC", text).lower()
        if len(lowered) == len(text):  # offsets must be the text's own
            found = _spans(accented, lowered)
    if bare is not None:  # a bare term wins where both match (as the first test of a word)
        found |= _spans(bare, fold_text(text))
    return [found[start] for start in sorted(found)]


def _spans(pattern: re.Pattern, text: str) -> dict[int, tuple[int, int, str]]:
    return {m.start(): (m.start(), m.end(), m.group()) for m in pattern.finditer(text)}


def _merge(matches: list[tuple[int, int, str]], text: str) -> list[tuple[int, int]]:
    """Join matches separated only by spaces into one span ("số hóa hồ sơ" → one mark)."""
    spans: list[tuple[int, int]] = []
    for start, end, _ in matches:
        if spans and not text[spans[-1][1] : start].strip():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _best_window(matches: list[tuple[int, int, str]], width: int) -> int:
    """Start offset of the window of ``width`` characters with the most distinct query words
    (then the most matches; the first such window): a window starts at a match and holds the
    matches that end within ``width`` characters of it. Two pointers over the matches, in
    order, and a count of each word in the window: linear in the number of matches."""
    best_start, best_key = 0, (-1, -1)
    counts: dict[str, int] = {}
    j = 0  # matches[i:j] are in the window of matches[i]
    for i, (start, _, _) in enumerate(matches):
        limit = start + width
        j = max(j, i)
        while j < len(matches) and matches[j][1] <= limit:
            counts[matches[j][2]] = counts.get(matches[j][2], 0) + 1
            j += 1
        key = (len(counts), j - i)
        if key > best_key:
            best_start, best_key = start, key
        if j > i:  # matches[i] leaves the window
            term = matches[i][2]
            counts[term] -= 1
            if not counts[term]:
                del counts[term]
    return best_start


def _trim(text: str, start: int, width: int) -> tuple[int, int]:
    """Window [a, b) of about ``width`` characters around ``start``, cut at word boundaries."""
    if len(text) <= width:
        return 0, len(text)
    a = max(0, start - width // 5)
    b = min(len(text), a + width)
    a = max(0, min(a, b - width))
    if a > 0:
        space = text.find(" ", a)
        a = space + 1 if 0 <= space < start else a
    if b < len(text):
        space = text.rfind(" ", a, b)
        b = space if space > a else b
    return a, b


def _source(text: str) -> str:
    """The part of ``text`` a snippet is taken from: its first ``MAX_SNIPPET_SOURCE``
    characters, cut after the last whole word (a word cut in two would match as another)."""
    if len(text) <= MAX_SNIPPET_SOURCE:
        return text
    head = text[:MAX_SNIPPET_SOURCE]
    cut = max(head.rfind(" "), head.rfind("\n"))
    return head[:cut] if cut > MAX_SNIPPET_SOURCE // 2 else head


def make_snippet(text: str, query: str, width: int = 240) -> str:
    """HTML-escaped excerpt of ``text`` (about ``width`` characters) with query words marked;
    the excerpt is taken from the paragraph's first ``MAX_SNIPPET_SOURCE`` characters (the
    cost is linear in them, whatever the paragraph's length)."""
    whole, text = len(text), _source(text)
    matches = find_matches(text, query_terms(query))
    a, b = _trim(text, _best_window(matches, width) if matches else 0, width)
    spans = [(max(s, a), min(e, b)) for s, e in _merge(matches, text) if e > a and s < b]
    out: list[str] = [ELLIPSIS] if a > 0 else []
    pos = a
    for s, e in spans:
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:b]))
    if b < whole:
        out.append(ELLIPSIS)
    return "".join(out)
