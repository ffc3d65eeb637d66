"""The task table over ``Reader.find_tasks``: the filters the catalog applies in SQL (unit,
province, year, lead, the due window, text, one plan), the cited document (rows whose text
cites it, read from the index's mentions), the order, and groups by plan or by lead."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from indexer.errors import DocumentNotFoundError
from indexer.text.vietnamese import fold
from service.exports import paragraph_link
from service.mentions import NotAReferenceError, resolve_ref
from service.tasks.model import MAX_LIMIT, TaskGroup, TaskLine, TaskQuery, TaskTable

if TYPE_CHECKING:
    from indexer.store import Reader, TaskEntry

_NOT_WORD = re.compile(r"[\W_]+")


def find_tasks(reader: Reader, query: TaskQuery) -> TaskTable:
    """Every task row of the plans that meets ``query`` (checked first: ``InvalidQueryError``
    for a bad value), in its order; ``total`` counts them all, ``tasks`` holds the first
    ``limit``. An unknown plan id is ``DocumentNotFoundError``; a ``doc`` that is not a
    reference is ``NotAReferenceError``, one no plan cites ``ReferenceNotFoundError``."""
    q = query.checked()
    docs = {d.doc_id: d for d in reader.documents()}
    doc_ids: list[str] | None = None
    if q.doc_id is not None:
        if q.doc_id not in docs:
            raise DocumentNotFoundError.naming_valid(q.doc_id, sorted(docs))
        doc_ids = [q.doc_id]
    citing: set[str] | None = None
    if q.doc is not None:
        citing = citing_rows(reader, q.doc)
        plans = {pid.rsplit(":", 1)[0] for pid in citing}
        doc_ids = sorted(plans) if doc_ids is None else [d for d in doc_ids if d in plans]
    entries = reader.find_tasks(q.filters(doc_ids), MAX_LIMIT)
    if citing is not None:
        entries = [e for e in entries if e.paragraph_id in citing]
    ordered = sort_entries(entries, q.sort)
    lines = [
        TaskLine.of(
            e,
            docs[e.doc_id].title if e.doc_id in docs else None,
            paragraph_link("", e.doc_id, e.paragraph_id),
        )
        for e in ordered[: q.limit]
    ]
    return TaskTable(q, len(entries), lines)


def citing_rows(reader: Reader, ref: str) -> set[str]:
    """The paragraph ids of the task rows whose text cites the document ``ref`` denotes
    (resolved as /mentions resolves it). A row's text may run over several "task"
    paragraphs (a page break inside the table): a mention in one counts for the row whose
    first paragraph is the nearest before it. A procedure list's rows are indexed as the
    table's passages (a passage may hold several rows): a mention in a passage counts for
    the rows it holds."""
    try:
        keys = resolve_ref(reader, ref)
    except NotAReferenceError as exc:
        raise NotAReferenceError("doc: " + str(exc).removeprefix("ref: ")) from None
    cited: dict[str, list[int]] = {}  # per document, the "task" paragraphs that cite it
    passages: dict[str, set[str]] = {}  # and the other paragraphs (procedure lists' passages)
    for m in reader.mentions(keys):
        p = m.paragraph
        if p.kind == "task":
            cited.setdefault(p.doc_id, []).append(p.ordinal)
        else:
            passages.setdefault(p.doc_id, set()).add(p.id)
    out: set[str] = set()
    for doc_id in cited.keys() | passages.keys():
        rows = reader.tasks(doc_id)
        held = passages.get(doc_id, set())
        out |= {r.paragraph_id for r in rows if r.kind != "task" and r.paragraph_id in held}
        starts = sorted(
            (_ordinal(r.paragraph_id), r.paragraph_id)
            for r in rows
            if r.paragraph_id is not None and r.kind == "task"
        )
        at = [s for s, _ in starts]
        for ordinal in cited.get(doc_id, ()):
            i = bisect_right(at, ordinal) - 1
            if i >= 0:
                out.add(starts[i][1])
    return out


def _ordinal(paragraph_id: str) -> int:
    tail = paragraph_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isascii() and tail.isdigit() else -1


def collate(text: str | None) -> str:
    """A name as it sorts and groups: folded (no case, no diacritics), punctuation as
    spaces ("Phòng Tổ chức – hành chính" and "Phòng Tổ chức - Hành chính" are one)."""
    return " ".join(_NOT_WORD.sub(" ", fold(text or "")).split())


# the first key of each order; rows whose key is None or "" go last, whichever the direction
_KEYS: dict[str, Callable[[TaskEntry], Any]] = {
    "plan": lambda e: (e.year or 0, e.doc_id),
    "unit": lambda e: collate(e.unit or e.doc_id),
    "year": lambda e: e.year,
    "due": lambda e: e.due_end or e.due_start,
    "lead": lambda e: collate(e.lead),
}


def sort_entries(entries: Sequence[TaskEntry], sort: str) -> list[TaskEntry]:
    """``entries`` (in the plans' order: year, plan, row number) by ``sort`` ("due",
    "-due", …): stable, so rows with the same key keep the plans' order."""
    descending, key = sort.startswith("-"), _KEYS[sort.removeprefix("-")]
    known = [e for e in entries if key(e) not in (None, "")]
    unknown = [e for e in entries if key(e) in (None, "")]
    return sorted(known, key=key, reverse=descending) + unknown


def group_lines(lines: Iterable[TaskLine], by: str) -> list[TaskGroup]:
    """The rows by plan (``by="plan"``) or by lead (``"lead"``), each group where its first
    row is in the table's order (rows without a lead last), the rows in that order."""
    groups: dict[str, TaskGroup] = {}
    for line in lines:
        key = line.doc_id if by == "plan" else collate(line.lead)
        groups.setdefault(key, TaskGroup(key)).tasks.append(line)
    return sorted(groups.values(), key=lambda g: by == "lead" and g.key == "")
