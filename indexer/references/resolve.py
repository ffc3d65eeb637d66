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

from indexer.references.canonical import fold, law_key, loose, number_of
from indexer.references.extract import _kind, _tail, extract_references
from indexer.references.patterns import KIND_SHORT

Known = Iterable[tuple[str, str | None, str | None, str | None]]

_ALIASES = [
    (r"\bubnd\b", "uy ban nhan dan"),
    (r"\bhdnd\b", "hoi dong nhan dan"),
    (r"\bubtvqh\b", "uy ban thuong vu quoc hoi"),
    (r"\bbtv\b", "ban thuong vu"),
    (r"\bbct\b", "bo chinh tri"),
    (r"\bttg\b", "thu tuong"),
]
_SYMBOLISH = re.compile(r"\S*\d\S*[/\-]\S*|\S*[/\-]\S*\d\S*")


@dataclass(frozen=True, slots=True)
class RefQuery:
    """What a reference query asks for: exactly one of ``symbol``, ``law`` or ``ordinal``."""

    symbol: str | None = None  # canonical key of a full symbol ("09-NQ/TW")
    law: str | None = None  # folded law name ("thuc hien dan chu o co so")
    kind: str | None = None  # with ``ordinal``: "Nghị quyết"
    ordinal: int | None = None  # "Nghị quyết 09" → 9
    issuer: str | None = None  # "của Bộ Chính trị" → "Bộ Chính trị"


def parse_query(q: str) -> RefQuery | None:
    """Read a reference query; None when it is not one (a bare number, a kind alone, words)."""
    q = " ".join(q.split())
    if not q:
        return None
    if fold(q).startswith("luat:"):
        name = fold(q)[5:].strip()
        return RefQuery(law=name) if name else None
    refs = extract_references(q) or extract_references(_SYMBOLISH.sub(_upper, q))
    full = [r for r in refs if r.number or r.key.startswith("LUAT:")]
    if full:
        r = full[0]
        return RefQuery(symbol=r.key) if r.number else RefQuery(law=r.key[5:])
    if fold(q).startswith("luat ") and len(q) > 5:
        return RefQuery(law=law_key(q)[5:])
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
    for key, kind, _number, issuer in known:
        kinds.setdefault(key, set()).add(_kind_class(kind))
        if issuer:
            issuers.setdefault(key, set()).add(issuer)
    if query.symbol:
        return sorted(k for k in kinds if loose(k) == loose(query.symbol))
    if query.law:
        return _laws(query.law, kinds)
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


def _laws(folded_name: str, kinds: dict[str, set[str]]) -> list[str]:
    folded_name = " ".join(folded_name.split())
    laws = [k for k in kinds if k.startswith("LUAT:")]
    exact = [k for k in laws if k[5:] == folded_name]
    if exact or not folded_name:
        return exact
    return sorted(k for k in laws if f" {folded_name} " in f" {k[5:]} ")


def _issuer_form(issuer: str) -> str:
    s = fold(issuer)
    for pattern, full in _ALIASES:
        s = re.sub(pattern, full, s)
    return s
