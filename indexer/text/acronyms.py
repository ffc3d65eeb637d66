"""Abbreviations learnt from the corpus: "UBND" ↔ "ủy ban nhân dân", "KT-XH" ↔ "kinh tế - xã
hội", "KH&CN" ↔ "khoa học và công nghệ".

Vietnamese administrative abbreviations are the initials of the syllables of their long form
(Đ kept apart from D), with "và"/"&" and hyphens often dropped. Two sources, both from the
indexed text itself:

1. definitions — "… ngân sách nhà nước (NSNN) …": the words right before the parenthesis
   whose initials spell the abbreviation;
2. usage — an abbreviation written in capitals at least ``MIN_USES`` times, whose initials
   match a run of words that occurs at least ``MIN_USES`` times elsewhere in the corpus: the
   most frequent such run, when it clearly dominates the other candidates.

The result is data for query expansion (service.search.abbreviations), recorded in the index's
manifest so every index carries the vocabulary of its own corpus.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

MIN_USES = 3
MAX_LETTERS = 8
_CONNECTORS = {"và", "&"}
# Function words never stand inside a long form: "phó của người" is not what PCN spells.
_FUNCTION = {
    "của", "với", "vào", "đối", "các", "những", "cho", "để", "từ", "tại", "theo", "về", "là",
    "có", "được", "này", "đã", "sẽ", "khi", "trong", "trên", "hoặc", "nếu", "thì", "mà",
}  # fmt: skip
_ABBR = re.compile(r"(?<![\w&/-])([A-ZĐ][A-ZĐ]*(?:[&-][A-ZĐ]+)*)(?![\w&/-])")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DEFINED = re.compile(r"\(\s*([A-ZĐ][A-ZĐ&\-]{1,14})\s*\)")
_ROMAN = re.compile(r"^[IVXLCDM]+$")


def _initial(word: str) -> str:
    c = word[0].upper()
    return "Đ" if c == "Đ" else _BASE.get(c, c)


_BASE = {
    ch: base
    for base, group in {
        "A": "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
        "E": "ÈÉẺẼẸÊỀẾỂỄỆ",
        "I": "ÌÍỈĨỊ",
        "O": "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
        "U": "ÙÚỦŨỤƯỪỨỬỮỰ",
        "Y": "ỲÝỶỸỴ",
    }.items()
    for ch in group
}


def letters(abbr: str) -> str:
    """The initials an abbreviation spells: "KT-XH" → "KTXH", "KH&CN" → "KHCN"."""
    return re.sub(r"[&\-]", "", abbr)


def _spell(words: list[str]) -> str:
    return "".join(_initial(w) for w in words if w.lower() not in _CONNECTORS)


def mine(documents: Iterable[list[str]]) -> list[tuple[str, str, int]]:
    """(long form in lower case, abbreviation, evidence count) learnt from ``documents``
    (each a list of paragraph texts)."""
    uses: Counter[str] = Counter()
    used_in: dict[str, list[int]] = defaultdict(list)
    defined: Counter[tuple[str, str]] = Counter()
    docs = [list(d) for d in documents]
    for k, texts in enumerate(docs):
        seen: set[str] = set()
        for text in texts:
            if _mostly_caps(text):
                continue  # a heading in capitals: its words are not abbreviations
            for m in _ABBR.finditer(text):
                abbr = m.group(1)
                if 3 <= len(letters(abbr)) <= MAX_LETTERS and not _ROMAN.match(abbr):
                    uses[abbr] += 1
                    seen.add(abbr)
            for m in _DEFINED.finditer(text):
                abbr = m.group(1)
                before = _WORD.findall(text[max(0, m.start() - 160) : m.start()])
                long = _defined_long(before, letters(abbr))
                if long:
                    defined[(long, abbr)] += 1
        for abbr in seen:
            used_in[abbr].append(k)
    by_letters: dict[str, set[str]] = defaultdict(set)
    for abbr, n in uses.items():
        if n >= MIN_USES:
            by_letters[letters(abbr)].add(abbr)
    # a long form counts only in documents that also use one of its abbreviations
    docs_of: dict[str, set[int]] = defaultdict(set)
    for key, abbrs in by_letters.items():
        for abbr in abbrs:
            docs_of[key].update(used_in[abbr])
    runs = _count_runs(docs, docs_of)
    out: dict[tuple[str, str], int] = dict(defined)
    known = {abbr for _, abbr in out}
    for key, abbrs in by_letters.items():
        cands = runs.get(key)
        if not cands:
            continue
        (best, n), *rest = cands.most_common(2) + [("", 0)]
        if n >= MIN_USES and n >= 3 * rest[0][1]:
            for abbr in abbrs - known:
                out[(best, abbr)] = n
    return sorted(((long, abbr, n) for (long, abbr), n in out.items()), key=lambda t: t[1])


def _mostly_caps(text: str) -> bool:
    alpha = [c for c in text if c.isalpha()]
    return bool(alpha) and sum(c.isupper() for c in alpha) > 0.6 * len(alpha)


def _defined_long(before: list[str], key: str) -> str | None:
    """The shortest tail of ``before`` whose initials spell ``key``."""
    for n in range(len(key), min(len(before), len(key) + 3) + 1):
        words = before[-n:]
        if _spell(words) == key and words[0].lower() not in _CONNECTORS:
            return " ".join(words).lower()
    return None


def _count_runs(docs: list[list[str]], docs_of: dict[str, set[int]]) -> dict[str, Counter]:
    """For each initials key, how often each run of words spelling it occurs (lower case) in
    the documents that use the key's abbreviation."""
    out: dict[str, Counter] = defaultdict(Counter)
    wanted: dict[int, set[str]] = defaultdict(set)
    for key, ks in docs_of.items():
        for k in ks:
            wanted[k].add(key)
    for k, keys in wanted.items():
        lengths = {len(key) for key in keys}
        for text in docs[k]:
            words = _WORD.findall(text)
            heads = [_initial(w) for w in words]
            skip = [w.lower() in _CONNECTORS for w in words]
            for i in range(len(words)):
                if skip[i] or (words[i].isupper() and len(words[i]) > 1):
                    continue  # a run starts on a word, not a connector or an abbreviation
                spelled = ""
                for j in range(i, min(len(words), i + MAX_LETTERS + 2)):
                    if words[j].isupper() and len(words[j]) > 1:
                        break  # abbreviations are not part of a long form
                    if not skip[j]:
                        spelled += heads[j]
                    if len(spelled) > MAX_LETTERS:
                        break
                    if words[j].lower() in _FUNCTION:
                        break
                    if not skip[j] and len(spelled) in lengths and spelled in keys:
                        out[spelled][" ".join(words[i : j + 1]).lower()] += 1
    return out
