"""What document(s) a user's reference query denotes.

``resolve_query(q, known)`` answers with canonical keys taken from ``known`` (the references
in the index, as ``(key, kind, number, issuer)`` tuples; repeats are fine):

1. A full symbol in any writing — ``09-NQ/TW``, ``Nghị quyết số 09-NQ/TW``, ``NQ 09-NQ/TW``,
   ``nghị quyết 09-nq/tw``, ``09/NQ-TW``, ``72-QD/TU`` — denotes its one canonical key; the
   comparison ignores case and diacritics (``QD`` = ``QĐ``).
2. A law by name — ``Luật Thực hiện dân chủ ở cơ sở``, ``luat thuc hien dan chu o co so``
   or the key ``LUAT:…`` itself — denotes that law; a part of a name made of whole words in
   order (``Luật Tổ chức chính quyền``) denotes every known law whose name contains it.
3. A kind and a bare ordinal — ``Nghị quyết 09``, ``NQ số 09``, ``Quyết định 72`` — denotes
   every known key of that kind with that ordinal (several when ambiguous). ``Văn bản`` and
   ``Công văn`` count as one kind. A stated issuer (``Nghị quyết 09 của Bộ Chính trị``)
   narrows the set to keys cited with a matching issuer (UBND = Ủy ban nhân dân, HĐND =
   Hội đồng nhân dân, "UBND tỉnh" matches "UBND tỉnh Khánh Hòa").
4. Anything else (a bare number, a kind alone, a symbol or law the index does not know) →
   an empty list; the caller reports "not found" or "malformed".

Keys are returned sorted and without repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.references.canonical import fold, law_key, law_year, loose, number_of, symbol_year
from indexer.references.extract import _kind, _tail, extract_references
from indexer.references.patterns import KIND_SHORT, KIND_WORDS

# (key, kind, display number, issuer[, title]) of the references an index knows.
Known = Iterable[tuple[str | None, ...]]

_ALIASES = [
    (r"\bubnd\b", "uy ban nhan dan"),
    (r"\bhdnd\b", "hoi dong nhan dan"),
    (r"\bubtvqh\b", "uy ban thuong vu quoc hoi"),
    (r"\bbtv\b", "ban thuong vu"),
    (r"\bbct\b", "bo chinh tri"),
    (r"\bttg\b", "thu tuong"),
]
_KIND_OF_FOLDED = {fold(w): w[:1].upper() + w[1:] for w in KIND_WORDS} | {"so": "số"}
_FOLDED_KIND = re.compile(
    r"(?<!\w)(?:"
    + "|".join(r"\s+".join(w.split()) for w in sorted(_KIND_OF_FOLDED, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
_FOLDED_OF = re.compile(r"(?i)(?<!\w)cua\s+(.+)$")  # "… cua bo chinh tri": the issuer
_LAW_YEAR_TAIL = re.compile(r"\s+(?:(?i:năm|nam)\s+)?(?:19|20)\d{2}\s*$")
_SYMBOLISH = re.compile(r"\S*\d\S*[/\-]\S*|\S*[/\-]\S*\d\S*")


@dataclass(frozen=True, slots=True)
class RefQuery:
    """What a reference query asks for: exactly one of ``symbol``, ``law`` or ``ordinal``."""

    symbol: str | None = None  # canonical key of a full symbol ("09-NQ/TW")
    law: str | None = None  # folded law name ("thuc hien dan chu o co so")
    kind: str | None = None  # with ``ordinal``: "Nghị quyết"
    ordinal: int | None = None  # "Nghị quyết 09" → 9
    issuer: str | None = None  # "của Bộ Chính trị" → "Bộ Chính trị"
    year: int | None = None  # with ``law``: "Luật Đất đai năm 2024" → 2024


def restore_kinds(q: str) -> str:
    """A query typed without diacritics, its kind words written out ("nghi quyet so 57" →
    "Nghị quyết số 57", "luat dat dai" → "Luật dat dai"), so it reads like a citation."""
    if fold(q) != " ".join(q.lower().split()):
        return q  # it has diacritics: as typed
    q = _FOLDED_KIND.sub(lambda m: _KIND_OF_FOLDED[" ".join(m.group().lower().split())], q)
    return _FOLDED_OF.sub(lambda m: "của " + m.group(1).title(), q)


def parse_query(q: str) -> RefQuery | None:
    """Read a reference query; None when it is not one (a bare number, a kind alone, words)."""
    q = " ".join(q.split())
    if not q:
        return None
    if fold(q).startswith("luat:"):
        name = fold(q)[5:].strip()
        return RefQuery(law=name) if name else None
    q = restore_kinds(q)
    refs = extract_references(q) or extract_references(_SYMBOLISH.sub(_upper, q))
    full = [r for r in refs if r.number or r.key.startswith("LUAT:")]
    if full:
        r = min(full, key=lambda r: r.number is None)  # "Luật X số 72/2025/QH15": the number
        if r.number:
            return RefQuery(symbol=r.key)
        return RefQuery(law=r.key[5:], year=law_year(r.raw, r.date))
    if fold(q).startswith("luat ") and len(q) > 5:
        year = law_year(q, None)
        name = _LAW_YEAR_TAIL.sub("", q) if year else q
        return RefQuery(law=law_key(name)[5:], year=year)
    m = KIND_SHORT.match(q)
    if not m:
        return None
    _date, issuer, end = _tail(q, m.end("num"))
    if q[end:].strip(" ,.;"):
        return None  # trailing words we do not understand: malformed rather than a guess
    return RefQuery(kind=_kind(m.group("kind")), ordinal=int(m.group("num")), issuer=issuer)


def resolve_query(q: str, known: Known) -> list[str]:
    """The canonical key(s) ``q`` denotes among ``known`` (rules in the module docstring)."""
    parsed = parse_query(q)
    return [] if parsed is None else match_query(parsed, known)


def match_query(query: RefQuery, known: Known) -> list[str]:
    """The keys of ``known`` that a parsed query denotes, sorted."""
    kinds: dict[str, set[str]] = {}
    issuers: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    for key, kind, _number, issuer, *title in known:
        if key is None:
            continue
        kinds.setdefault(key, set()).add(_kind_class(kind))
        if issuer:
            issuers.setdefault(key, set()).add(issuer)
        if title and title[0] and not key.startswith("LUAT:"):
            titles[key] = law_key(title[0])[5:]  # a numbered law's name
    if query.symbol:
        return sorted(k for k in kinds if loose(k) == loose(query.symbol))
    if query.law:
        return _laws(query.law, query.year, kinds, titles)
    kind = _kind_class(query.kind)
    keys = [k for k, ks in kinds.items() if kind in ks and number_of(k) == query.ordinal]
    if query.issuer:
        want = _issuer_form(query.issuer)
        keys = [
            k
            for k in keys
            if any(want in (f := _issuer_form(i)) or f in want for i in issuers.get(k, ()))
        ]
    return sorted(keys)


def _upper(m: re.Match) -> str:
    return m.group().upper()


def _kind_class(kind: str | None) -> str:
    return "Văn bản" if kind in (None, "Công văn", "Văn bản") else kind


def _laws(
    folded_name: str, year: int | None, kinds: dict[str, set[str]], titles: dict[str, str]
) -> list[str]:
    """Laws of that name: cited by name (``LUAT:…``) or by number with the name given; with a
    year, only the numbered law of that year (and citations by name, which carry no year)."""
    folded_name = " ".join(folded_name.split())
    if not folded_name:
        return []
    names = {k: k[5:] for k in kinds if k.startswith("LUAT:")} | titles
    exact = [k for k, n in names.items() if n == folded_name]
    found = exact or [k for k, n in names.items() if f" {folded_name} " in f" {n} "]
    if year is not None:
        dated = [k for k in found if symbol_year(k) == year]
        found = dated or [k for k in found if k.startswith("LUAT:")]
    return sorted(found)


def _issuer_form(issuer: str) -> str:
    s = fold(issuer)
    for pattern, full in _ALIASES:
        s = re.sub(pattern, full, s)
    return s
