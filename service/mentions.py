"""Mentions of a legal document across the indexed plans, and the citation table.

``find_mentions(reader, ref, unit, year)`` resolves a user's reference query (any writing:
``09-NQ/TW``, ``Nghị quyết 09 của Bộ Chính trị``, ``Luật Thực hiện dân chủ ở cơ sở``) against
the references the index knows, then lists every paragraph that cites the document(s), in
document order. A query that is not a reference raises ``InvalidQueryError`` (422); one
that no plan cites raises ``ReferenceNotFoundError`` (404). An ambiguous query
(``Nghị quyết 09`` when two are cited) answers every candidate, each described in
``candidates``. Unit/year filters narrow the mentions, not the resolution: a document cited
only in other plans answers ``total == 0``.

``citation_table(reader, unit, year)`` lists every cited document with its kind, number,
date, issuer and mention counts per plan.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from indexer.errors import InvalidQueryError, ReferenceNotFoundError
from indexer.references import match_query, parse_query

if TYPE_CHECKING:
    from indexer.store import Reader

MAX_REF_LENGTH = 300


@dataclass(slots=True)
class Mention:
    """One citation in one paragraph; ``span`` indexes into ``text``."""

    doc_id: str
    paragraph_id: str
    unit: str | None
    year: int | None
    section: list[str]
    text: str
    span: tuple[int, int]
    key: str
    raw: str
    date: str | None
    issuer: str | None


@dataclass(slots=True)
class CitedDocument:
    """A cited document (one canonical key): how the plans describe it (each value the one
    most of its citations give) and how often each plan cites it. The one record of a cited
    document in the service: ``citation_table`` and ``/references`` list it, ``/mentions``
    answers it as a candidate and a coverage table's rows are it (with ``required``).

    The fields' order keeps ``CitedDocument(key, kind, number, issuer, title, required,
    per_plan)`` (``service.coverage.citations``) valid; name the others."""

    key: str  # canonical: "09-NQ/TW", "LUAT:thuc hien dan chu o co so" (indexer.references)
    kind: str | None = None  # "Nghị quyết", "Quyết định", "Luật", …
    number: str | None = None  # number-symbol; None for a law cited by name
    issuer: str | None = None  # "Bộ Chính trị", where the plans state it
    title: str | None = None  # a law's name, for laws cited by name
    required: bool = False  # in a coverage table: every plan should cite it
    per_plan: dict[str, int] = field(default_factory=dict)  # doc_id → mentions
    date: str | None = None  # ISO date of issue, where the plans state it
    total: int = 0  # mentions in the (filtered) plans

    @property
    def plans_citing(self) -> int:
        return len(self.per_plan)

    def view(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The fields ``names`` (one answer's view of the record), in that order."""
        return {name: getattr(self, name) for name in names}


# what /references, /mentions (its candidates) and the CLI answer of a cited document
CITED_FIELDS = ("key", "kind", "number", "date", "issuer", "title", "total", "per_plan")


@dataclass(slots=True)
class MentionsResult:
    ref: str  # the query as given
    keys: list[str]  # the canonical keys it denotes (several when ambiguous)
    total: int
    candidates: list[CitedDocument]
    mentions: list[Mention]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["candidates"] = [c.view(CITED_FIELDS) for c in self.candidates]
        return d


def described(row: dict[str, Any]) -> CitedDocument:
    """A row of ``reader.reference_table()`` as a CitedDocument (its counts left out)."""
    return CitedDocument(
        key=row["key"],
        kind=row["kind"],
        number=row["number"],
        issuer=row["issuer"],
        title=row["title"],
        date=row["date"],
    )


def known_references(reader: Reader) -> list[tuple[str | None, ...]]:
    """(key, kind, number, issuer, title) of every reference in the index (for
    ``match_query``)."""
    return [
        (d.key, d.kind, d.number, d.issuer, d.title)
        for d in map(described, reader.reference_table())
    ]


class NotAReferenceError(InvalidQueryError):
    """A text that is not written as a document reference (422 ``not_a_reference``)."""


def resolve_ref(reader: Reader, ref: str) -> list[str]:
    """The canonical keys ``ref`` denotes in this index; our own errors when there are none."""
    ref = " ".join((ref or "").split())
    if not ref:
        raise InvalidQueryError("ref: empty; give a document number such as 09-NQ/TW")
    if len(ref) > MAX_REF_LENGTH:
        raise InvalidQueryError(f"ref: longer than {MAX_REF_LENGTH} characters")
    parsed = parse_query(ref)
    if parsed is None:
        raise NotAReferenceError(
            f"ref: {ref!r} is not a document reference; write its number-symbol "
            "(09-NQ/TW, 118/2025/NĐ-CP), a kind and number (Nghị quyết 09) or a law's name"
        )
    keys = match_query(parsed, known_references(reader))
    if not keys:
        raise ReferenceNotFoundError(
            f"no indexed plan cites {ref!r}; GET /references lists every cited document"
        )
    return keys


def find_mentions(
    reader: Reader, ref: str, unit: str | None = None, year: int | None = None
) -> MentionsResult:
    """Every mention of the document(s) ``ref`` denotes, optionally only in some plans."""
    keys = resolve_ref(reader, ref)
    rows = reader.mentions(keys, unit=unit, year=year)
    mentions = [
        Mention(
            doc_id=m.paragraph.doc_id,
            paragraph_id=m.paragraph.id,
            unit=m.paragraph.unit,
            year=m.paragraph.year,
            section=list(m.paragraph.section or []),
            text=m.paragraph.text,
            span=(m.start, m.end),
            key=m.key,
            raw=m.raw,
            date=m.date,
            issuer=m.issuer,
        )
        for m in rows
    ]
    table = {d.key: d for d in citation_table(reader, unit=unit, year=year, keys=keys)}
    candidates = [table.get(k) or _describe(reader, k) for k in keys]
    return MentionsResult(" ".join(ref.split()), keys, len(mentions), candidates, mentions)


def citation_table(
    reader: Reader, unit: str | None = None, year: int | None = None, keys: list[str] | None = None
) -> list[CitedDocument]:
    """Every document cited by the (filtered) plans, most cited first, with per-plan counts."""
    rows = [
        r for r in reader.reference_table(unit=unit, year=year) if keys is None or r["key"] in keys
    ]
    if not rows:
        return []
    counts = Counter(
        (m.key, m.paragraph.doc_id)
        for m in reader.mentions([r["key"] for r in rows], unit=unit, year=year)
    )
    out = []
    for r in rows:
        d = described(r)
        d.per_plan = {doc: n for (key, doc), n in sorted(counts.items()) if key == d.key}
        d.total = r["mentions"]
        out.append(d)
    return out


def _describe(reader: Reader, key: str) -> CitedDocument:
    """A candidate not cited under the current filters: described from the whole index."""
    for r in reader.reference_table():
        if r["key"] == key:
            return described(r)
    return CitedDocument(key)
