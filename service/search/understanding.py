"""What a query says besides its topic: the place, unit, year and kind of document it names.

Staff type constraints with their topic: "kế hoạch CCHC 2025 của Sở Y tế về chuyển đổi số",
"Đồng Tháp giao cơ quan nào làm đầu mối …". Read only as words, the place and the unit pull
up paragraphs of other provinces that share the wording. So the query is split into
**constraints** — each read from the index's own data: the provinces of the gazetteer (old
and new names) that its documents belong to or name in their titles, its issuing units (the
body without its locality: "Sở Y tế", "Ủy ban nhân dân", with their short forms), the years
its documents are for, its kinds of document — and the **topic**, the query without the
constraint's words, which is what the retrievers read. Search then ranks the documents that
satisfy the constraints first among its candidates, softly (``Searcher.prefer``): a query
about "Đồng Tháp" whose only answers are elsewhere still answers. Words that name a cited
document ("Nghị quyết 57", "09-NQ/TW") are left to the search of citing paragraphs, never read
as a kind or a year.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from indexer.references import extract_references
from indexer.references.resolve import restore_kinds
from indexer.text import gazetteer
from indexer.text.bodies import starts_body
from indexer.text.vietnamese import fold

FIELDS = ("province", "unit", "year", "kind")
# a province whose name is also a common phrase is a constraint only after "tỉnh" / "thành
# phố" or written with capitals ("hòa bình" is peace, "thái bình" too)
_AMBIGUOUS = {"hoa binh", "thai binh", "binh dinh", "ha nam", "long an", "an giang", "hau giang"}
_PLACE_WORD = re.compile(r"\b(?:tinh|thanh pho|tp)\s+$")
_TARGET_YEAR = re.compile(r"\b(?:den|toi|truoc|sau|tu)\s+(?:nam\s+)?$")  # "đến năm 2030"
_YEAR = re.compile(r"(?<![\w/.-])((?:19|20)\d{2})(?![\w/.-])")
_KIND_LEAD = re.compile(r"^(?:(?:tim|cac|nhung|xem|danh sach)\s+)*$")
# read with its diacritics: "quận" is a district, "quản" (Ban Quản lý) is not
_LEVEL = re.compile(r"\s+(?:cac\s+)?cap\b")
_NUMBERED = re.compile(r"\s+(?:so\s+)?\d")
_LOCALITY = re.compile(r"\s+(?:tỉnh|thành phố|tp|huyện|quận|thị xã|xã|phường|đặc khu)\s+.+$")
_UNIT_SHORT = (  # short forms a query may use for a body (folded)
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("ubtvqh", "uy ban thuong vu quoc hoi"),
)
# little words that only tie a constraint to the query, dropped with it when next to it
_JOINERS = {"cua", "tai", "o", "nam", "tinh", "thanh", "pho", "tp", "thuoc", "do", "cap"}


@dataclass(slots=True, frozen=True)
class Constraint:
    """One thing the query asks of the documents, as the index spells it."""

    field: str  # "province" | "unit" | "year" | "kind"
    value: str  # "Đồng Tháp", "Sở Y tế", "2025", "Kế hoạch"
    words: str  # the words of the query it was read from
    documents: int  # documents of the index that satisfy it
    # how search used it: "preferred" (its documents rank first), "filter" (only its documents:
    # asked with ``only``), "unmatched" (no document of the index satisfies it: read as words)
    applied: str = "preferred"

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": self.value,
            "words": self.words,
            "documents": self.documents,
            "applied": self.applied,
        }


@dataclass(slots=True)
class Understanding:
    """A query split into constraints and topic."""

    query: str
    topic: str  # what the retrievers read
    constraints: list[Constraint] = field(default_factory=list)
    matching: frozenset[str] = frozenset()  # documents that satisfy every constraint
    partial: dict[str, int] = field(default_factory=dict)  # document → constraints it meets
    # the documents a search is narrowed to (the constraints asked as filters, ``only``);
    # None: no filter
    only: frozenset[str] | None = None
    # the documents of the place the query names (None: it names none; empty: no document
    # of the index is of that place) — an answer is read only from them
    places: frozenset[str] | None = None

    @property
    def applies(self) -> bool:
        """Whether anything was understood that can change the ranking."""
        return bool(self.constraints) and bool(self.partial)

    @property
    def applied(self) -> str:
        """ "preferred" (documents meeting them rank first), "unmatched" (no document of the
        index meets any), or "none" (the query names no constraint)."""
        if not self.constraints:
            return "none"
        return "preferred" if self.partial else "unmatched"

    @property
    def line(self) -> str:
        """What the page and the CLI show: "Đang ưu tiên: Đồng Tháp · 2025" (and "Chỉ tìm
        trong: …" for the constraints asked as filters); empty when nothing was understood."""
        parts = []
        for applied, label in (("preferred", "Đang ưu tiên"), ("filter", "Chỉ tìm trong")):
            values = [c.value for c in self.constraints if c.applied == applied]
            if values:
                parts.append(f"{label}: {' · '.join(values)}")
        unmatched = [c.value for c in self.constraints if c.applied == "unmatched"]
        if unmatched:
            parts.append(f"không có văn bản nào của {' · '.join(unmatched)}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "constraints": [c.to_dict() for c in self.constraints],
            "applied": self.applied,
        }


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def _body(unit: str) -> str:
    """A unit's name without its locality: "Sở Y tế tỉnh Khánh Hòa" → "Sở Y tế", "Trường
    Cao đẳng Y tế Khánh Hòa" → "Trường Cao đẳng Y tế"."""
    folded = _key(unit)
    m = _LOCALITY.search(" ".join(re.sub(r"[^\w]+", " ", unit.lower()).split()))
    end = m.start() if m is not None else len(folded)
    for place in gazetteer.names_pattern().finditer(folded[:end]):
        if place.end(1) == end and place.start(1) > 0:  # a province's name ends it
            end = place.start(1)
    words = len(folded[:end].split())
    return " ".join(unit.split()[:words]) if words else unit.strip()


class Vocabulary:
    """What the index's documents can be asked by: built once per index generation from
    its documents and their paragraphs' rowids."""

    def __init__(self, documents: Iterable[Any], rowids: dict[str, np.ndarray]):
        self.rowids = rowids  # document → its paragraphs' rowids
        self.paragraphs = sum(len(r) for r in rowids.values())
        self.values: dict[str, dict[str, set[str]]] = {}  # document → field → folded values
        self.names: dict[str, dict[str, str]] = {f: {} for f in FIELDS}  # folded → shown
        for doc in documents:
            own: dict[str, set[str]] = {f: set() for f in FIELDS}
            places = {doc.province} if doc.province else set()
            for text in (doc.title or "", doc.unit or ""):
                found = gazetteer.find_after_prefix(text)
                if found:
                    places.add(found)
            for place in places:
                own["province"].add(_key(place))
                self.names["province"][_key(place)] = place
            meta = getattr(doc, "meta", {}) or {}
            for unit in {doc.unit, meta.get("unit_short")} - {None, ""}:
                body = _body(str(unit))
                if len(_key(body)) >= 4 and starts_body(body):  # a body's name, not "Thuế"
                    own["unit"].add(_key(body))
                    self.names["unit"].setdefault(_key(body), body)
            if doc.year:
                own["year"].add(str(doc.year))
                self.names["year"][str(doc.year)] = str(doc.year)
            if doc.kind:
                own["kind"].add(_key(doc.kind))
                self.names["kind"][_key(doc.kind)] = doc.kind
            self.values[doc.doc_id] = own
        for short, long in _UNIT_SHORT:  # "UBND" asks for the Ủy ban nhân dân
            if long in self.names["unit"]:
                self.names["unit"].setdefault(short, self.names["unit"][long])
        self._unit_rx = _alternation(self.names["unit"])
        self._kind_rx = _alternation(self.names["kind"])

    # -- reading a query ----------------------------------------------------------------------

    def understand(
        self, query: str, ignore: Sequence[str] = (), only: Sequence[str] = ()
    ) -> Understanding:
        """The query's constraints (those of ``ignore``'s fields left out; those of
        ``only``'s fields applied as filters) and its topic."""
        folded = fold(query)
        if len(folded) != len(query):  # a character that folds to several: read no span
            return Understanding(query, query)
        blocked = reference_spans(query)
        found: list[tuple[int, int, str, str]] = []  # start, end, field, folded value

        def free(start: int, end: int) -> bool:
            return not any(s < end and start < e for s, e in blocked) and not any(
                s < end and start < e for s, e, *_ in found
            )

        for start, end, key in _provinces(query, folded):
            if free(start, end):
                found.append((start, end, "province", key))
        for m in self._unit_rx.finditer(folded) if self._unit_rx else ():
            key = self._unit_key(m.group(1))
            if _LEVEL.match(folded, m.end(1)):  # "UBND cấp xã": a level of bodies, not one
                continue
            if free(m.start(1), m.end(1)):
                found.append((m.start(1), m.end(1), "unit", key))
        for m in _YEAR.finditer(folded):
            year = m.group(1)
            target = _TARGET_YEAR.search(folded[: m.start()])  # "đến năm 2030"
            if year in self.names["year"] and not target and free(m.start(1), m.end(1)):
                found.append((m.start(1), m.end(1), "year", year))
        for m in self._kind_rx.finditer(folded) if self._kind_rx else ():
            lead = folded[: m.start(1)]
            if _NUMBERED.match(folded, m.end(1)):  # "Đề án 06", "Kế hoạch số 12": one document
                continue
            if _KIND_LEAD.match(lead) and free(m.start(1), m.end(1)):
                found.append((m.start(1), m.end(1), "kind", m.group(1)))
        found = [f for f in found if f[2] not in ignore]
        found.sort()
        constraints = []
        seen: set[tuple[str, str]] = set()
        for start, end, name, key in found:
            if (name, key) in seen:
                continue
            seen.add((name, key))
            docs = sum(key in own[name] for own in self.values.values())
            shown = self.names[name].get(key) or gazetteer.name_of(key) or query[start:end]
            applied = "filter" if name in only else "preferred" if docs else "unmatched"
            constraints.append(Constraint(name, shown, query[start:end], docs, applied))
        topic = _topic(query, folded, [(s, e) for s, e, *_ in found])
        by_field: dict[str, set[str]] = {}
        for _s, _e, name, key in found:
            by_field.setdefault(name, set()).add(key)
        partial: dict[str, int] = {}
        for doc, own in self.values.items():
            met = sum(bool(own[name] & keys) for name, keys in by_field.items())
            if met:
                partial[doc] = met
        # every constraint some document meets (one that none meets is read as words)
        meetable = {
            name
            for name, keys in by_field.items()
            if any(own[name] & keys for own in self.values.values())
        }
        matching = self._meeting({n: by_field[n] for n in meetable}) if meetable else frozenset()
        # a document in the filter meets every constraint asked as one
        filters = {name: keys for name, keys in by_field.items() if name in only}
        narrowed = self._meeting(filters) if filters else None
        places = None
        if "province" in by_field:
            places = self._meeting({"province": by_field["province"]})
        return Understanding(query, topic, constraints, matching, partial, narrowed, places)

    def _meeting(self, wanted: dict[str, set[str]]) -> frozenset[str]:
        """The documents that meet every field of ``wanted`` (one of its values each)."""
        return frozenset(
            doc
            for doc, own in self.values.items()
            if all(own[name] & keys for name, keys in wanted.items())
        )

    def _unit_key(self, matched: str) -> str:
        return dict(_UNIT_SHORT).get(matched, matched)

    def rowids_of(self, documents: Iterable[str]) -> np.ndarray:
        """The paragraphs' rowids of these documents (int64, sorted)."""
        parts = [self.rowids[d] for d in documents if d in self.rowids]
        if not parts:
            return np.empty(0, dtype=np.int64)
        return np.sort(np.concatenate(parts))


def _alternation(names: dict[str, str]) -> re.Pattern[str] | None:
    keys = sorted((k for k in names if k), key=len, reverse=True)
    if not keys:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")


def _provinces(query: str, folded: str) -> list[tuple[int, int, str]]:
    """(start, end, folded name) of each province of the gazetteer the query names."""
    out = []
    for m in gazetteer.names_pattern().finditer(folded):
        start, end = m.span(1)
        name = gazetteer.name_of(m.group(1))
        if name is None:
            continue
        key = _key(name)
        if key in _AMBIGUOUS:
            capitals = query[start : start + 1].isupper()
            if not (_PLACE_WORD.search(folded[:start]) or capitals):
                continue
        out.append((start, end, key))
    return out


def reference_spans(query: str) -> list[tuple[int, int]]:
    """Where the query names a legal document: its words are not constraints."""
    restored = restore_kinds(query)
    if len(restored) != len(query):
        return [(r.start, r.end) for r in extract_references(query)]
    return [(r.start, r.end) for r in extract_references(restored)]


def _topic(query: str, folded: str, spans: list[tuple[int, int]]) -> str:
    """The query without the constraints' words and the little words that tied them to it
    ("của", "tại", "năm" next to a year…); the query itself when nothing would be left."""
    if not spans:
        return query
    tokens = [(m.start(), m.end()) for m in re.finditer(r"[^\s,.;:?!()\"“”]+", query)]
    gone = [any(s <= a and b <= e for s, e in spans) for a, b in tokens]
    for _ in range(2):  # "của tỉnh Đồng Tháp": "tỉnh" goes, then "của"
        for i, (a, b) in enumerate(tokens):
            word = folded[a:b].strip(",.;:()-")
            near = (i > 0 and gone[i - 1]) or (i + 1 < len(tokens) and gone[i + 1])
            if not gone[i] and near and word in _JOINERS:
                gone[i] = True
    topic = " ".join(query[a:b] for (a, b), g in zip(tokens, gone, strict=True) if not g)
    topic = topic.strip(" ,.;:-")
    return topic if re.search(r"\w", topic) else query
