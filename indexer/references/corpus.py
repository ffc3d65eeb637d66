"""Decisions about citations that need the whole corpus, not one paragraph.

* ``own_keys(number)``: a document's own number-symbol is not a citation of itself (its
  header, "ban hành kèm theo Quyết định số …" in the plan a decision issues).
* ``law_aliases(numbered, by_name)``: a law cited by name and a law cited by number are one
  document when the corpus ties them: some citation gives the name with the number
  ("Luật Tổ chức chính quyền địa phương số 72/2025/QH15"), and a citation by name states the
  same year as the number ("… ngày 16/6/2025", "… năm 2025"). A citation by name of another
  year, or of no year, keeps its own key: laws of one name from other years stay apart.
* ``majority(values)``: the value most citations give (a cited document's date, issuer,
  display number), so one typo does not override four correct citations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from indexer.references.canonical import law_key, law_year, normalize_symbol, symbol_year


def own_keys(number: str | None) -> frozenset[str]:
    """The canonical key(s) of a document's own number ("" or a blank "…/KH" → none)."""
    if not number:
        return frozenset()
    try:
        return frozenset({normalize_symbol(number)})
    except ValueError:
        return frozenset()


def law_aliases(
    numbered: Iterable[tuple[str, str, int]], by_name: Iterable[tuple[str, str, str | None]]
) -> dict[tuple[str, str], str]:
    """``{(name key, raw citation): numbered key}`` for the citations by name that the corpus
    ties to a numbered law.

    ``numbered``: (key, title, count) of citations giving a law's number and its name;
    ``by_name``: (key, raw, date) of citations by name (key ``LUAT:…``). When one name and
    year carry two numbers (a typo: "… số 75/2025/QH15" once against "72/2025/QH15" many
    times), the number most citations give wins if it has more than all others together.
    """
    counts: dict[tuple[str, int], Counter[str]] = {}
    for key, title, n in numbered:
        year = symbol_year(key)
        if year is not None and title:
            counts.setdefault((law_key(title), year), Counter())[key] += n
    laws: dict[tuple[str, int], str] = {}
    for name_year, c in counts.items():
        (best, n), *rest = c.most_common()
        if n > sum(m for _, m in rest):
            laws[name_year] = best
    out: dict[tuple[str, str], str] = {}
    for key, raw, date in by_name:
        year = law_year(raw, date)
        if year is not None and (key, year) in laws:
            out[(key, raw)] = laws[(key, year)]
    return out


def majority(values: Iterable[str | None]) -> str | None:
    """The value given most often (None ignored); ties go to the smallest, for stability."""
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    best = max(counts.values())
    return min(v for v, n in counts.items() if n == best)
