"""Diacritics put back into a query typed without them, from the corpus's own text.

Staff often type "so hoa ho so" for "số hóa hồ sơ". The lexical side matches folded tokens
anyway, but the embedding model reads "so hoa ho so" as other words (dense nDCG@10 0.005 on
the many-document set's unaccented queries). Each folded syllable is ambiguous ("ho" → hồ, hộ,
họ, hỗ), but in context it rarely is: the index keeps, for every folded run of one to three
syllables seen in the corpus, its most frequent written form, when that form is clearly the
usual one. A query with no diacritics at all is restored left to right, longest known run
first; a syllable the corpus never wrote stays as typed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

from indexer.text.vietnamese import fold

MAX_RUN = 3
MIN_COUNT = 2  # a run of two or three syllables: seen twice, its usual form ≥ 60 % of uses
MIN_SHARE = 0.6
MIN_COUNT_ONE = 5  # one syllable alone is far more ambiguous (dat: đất, đạt, đặt)
MIN_SHARE_ONE = 0.8
_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
# Question words: what staff type and documents never write, so the corpus cannot teach them.
QUESTIONS = {
    "bao nhieu": "bao nhiêu", "bao lau": "bao lâu", "khi nao": "khi nào", "la gi": "là gì",
    "o dau": "ở đâu", "the nao": "thế nào", "nhu the nao": "như thế nào", "tai sao": "tại sao",
    "vi sao": "vì sao", "nhung gi": "những gì", "co phai": "có phải", "duoc khong": "được không",
}  # fmt: skip


def has_diacritics(text: str) -> bool:
    """Does the text carry any Vietnamese mark (or đ)?"""
    return fold(text) != unicodedata.normalize("NFC", text).lower()


def build_table(texts: Iterable[str]) -> dict[str, list]:
    """``{folded run: [usual written form, times seen]}`` for runs of 1..MAX_RUN syllables
    whose usual form has marks (a run written without any is left out: the query says it)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        words = [w.lower() for w in _SYLLABLE.findall(unicodedata.normalize("NFC", text))]
        folded = [fold(w) for w in words]
        for i in range(len(words)):
            for n in range(1, MAX_RUN + 1):
                if i + n > len(words):
                    break
                counts[" ".join(folded[i : i + n])][" ".join(words[i : i + n])] += 1
    table = {}
    for key, forms in counts.items():
        (best, n), *_ = forms.most_common(1)
        total = sum(forms.values())
        single = " " not in key
        need, share = (MIN_COUNT_ONE, MIN_SHARE_ONE) if single else (MIN_COUNT, MIN_SHARE)
        if n >= need and n >= share * total and best != key:
            table[key] = [best, n]
    return table


def restore(query: str, table: dict[str, list]) -> str:
    """``query`` with marks put back where the corpus knows the run; unchanged when it
    already has marks or nothing is known. The query is cut into known runs so that as few
    syllables as possible stand alone ("so hoa | ho so", not "so hoa ho | so"), then into as
    few runs as possible, then into the runs the corpus wrote most often."""
    if not table or has_diacritics(query):
        return query
    tokens = list(_SYLLABLE.finditer(query))
    n = len(tokens)
    # best[i]: ((single syllables, runs, -evidence) of tokens[i:], first run's length)
    best: list[tuple[tuple[int, int, float], int]] = [((0, 0, 0.0), 0)] * (n + 1)
    forms: dict[tuple[int, int], str] = {}
    for i in range(n - 1, -1, -1):
        options = []
        for size in range(1, min(MAX_RUN, n - i) + 1):
            run = tokens[i : i + size]
            key = " ".join(fold(m.group()) for m in run)
            entry = QUESTIONS.get(key) or table.get(key)
            if size > 1 and not (entry and _plain_gaps(query, run)):
                continue
            evidence = 0.0
            if entry:
                form, seen = (entry, 1000) if isinstance(entry, str) else entry
                forms[(i, size)] = form
                evidence = math.log1p(seen)
            (single, runs, minus), _ = best[i + size]
            options.append(((single + (size == 1), runs + 1, minus - evidence), size))
        best[i] = min(options)
    out: list[str] = []
    pos, i = 0, 0
    while i < n:
        size = best[i][1]
        run = tokens[i : i + size]
        form = forms.get((i, size))
        if form:
            out.append(query[pos : run[0].start()])
            out.append(_case_like(form, query[run[0].start() : run[-1].end()]))
            pos = run[-1].end()
        i += size
    out.append(query[pos:])
    return "".join(out)


def _plain_gaps(query: str, run: list[re.Match]) -> bool:
    """Only spaces between the syllables of a run (not "a, b" or "a/b")."""
    return all(query[a.end() : b.start()].isspace() for a, b in zip(run, run[1:], strict=False))


def _case_like(form: str, typed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return form.upper()
    if typed[:1].isupper():
        return form[:1].upper() + form[1:]
    return form
