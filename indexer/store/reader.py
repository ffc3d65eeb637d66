"""The read side: ``IndexReader`` over the live generation of an index directory.

One reader holds one generation open: a read transaction on the shared catalog (whose first
statement reads which generation is live) and that generation's FAISS and tantivy files. The
transaction lasts the reader's whole life, so SQLite (WAL) keeps showing it the catalog as of
that generation while later builds commit: it never sees a later build — open a new reader
when ``CURRENT`` changes. The connection is shared by threads (FastAPI workers) behind a lock;
the ANN's exact re-rank reads vectors through it too, so it sees the same snapshot.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from indexer.errors import IndexDamagedError, IndexNotFoundError
from indexer.model import Reading, TaskRow
from indexer.store import catalog
from indexer.store import manifest as mf
from indexer.store.ann import load_ann
from indexer.store.catalog import TaskFilters
from indexer.store.lexical import LexicalIndex


@dataclass(slots=True)
class DocumentRow:
    doc_id: str
    path: str
    unit: str | None
    province: str | None
    year: int | None
    kind: str | None
    title: str | None
    number: str | None
    date: str | None
    sha256: str
    n_paragraphs: int
    meta: dict = field(default_factory=dict)
    reading: Reading = field(default_factory=Reading)  # how the file was read


@dataclass(slots=True)
class ParagraphRow:
    rowid: int
    id: str
    doc_id: str
    ordinal: int
    section: list[str]
    kind: str
    text: str
    unit: str | None
    province: str | None
    year: int | None


@dataclass(slots=True)
class MentionRow:
    """One mention of a referenced document, with the paragraph that holds it."""

    paragraph: ParagraphRow
    key: str
    kind: str | None
    number: str | None
    date: str | None
    issuer: str | None
    title: str | None
    start: int
    end: int
    raw: str


@dataclass(slots=True)
class TaskEntry:
    """One task row of a plan, with its plan (``IndexReader.find_tasks``): the row's cells as
    written, the lead, partners and budget read from them, the period its time cell names
    (ISO dates; None where the cell names none) and the paragraph it is indexed as."""

    doc_id: str
    unit: str | None
    unit_short: str | None
    province: str | None
    year: int | None
    number: int
    task: str
    products: str
    timeline: str  # the time cell as written
    responsible: str  # the responsible cell as written
    lead: str  # the body that leads ("" when the cell names none)
    partners: str
    budget: str
    group: str
    due_start: str | None
    due_end: str | None
    recurring: str | None  # "thường xuyên", "hằng năm", … for work that repeats
    paragraph_id: str | None
    kind: str = "task"  # or "procedure": a row of a procedure list


def _task_entry(doc: tuple, row: TaskRow) -> TaskEntry:
    doc_id, unit, unit_short, province, year = doc
    return TaskEntry(
        doc_id, unit, unit_short, province, year, row.number, row.task, row.products,
        row.timeline, row.responsible, row.lead, row.partners, row.budget, row.group,
        row.due_start, row.due_end, row.recurring, row.paragraph_id, row.kind,
    )  # fmt: skip


class Candidates:
    """What a search reads of its candidate paragraphs, read at once
    (``IndexReader.candidates``): their rows, their documents' facet values, their own
    vectors and their vectors in context (the own vector where a paragraph has none)."""

    def __init__(self, rows: list[tuple], dim: int):
        self.rows: dict[int, ParagraphRow] = {}
        self._kind: dict[int, str | None] = {}
        self._at: dict[int, int] = {}
        self._own = np.zeros((len(rows), dim), dtype=np.float32)
        self._context = np.zeros((len(rows), dim), dtype=np.float32)
        for i, row in enumerate(rows):
            paragraph = _paragraph(row[:10])
            kind, own, in_context = row[10:]
            self.rows[paragraph.rowid] = paragraph
            self._kind[paragraph.rowid] = kind
            self._at[paragraph.rowid] = i
            if own is not None:
                self._own[i] = np.frombuffer(own, dtype=np.float32)
            self._context[i] = (
                np.frombuffer(in_context, dtype=np.float32) if in_context else self._own[i]
            )

    def _take(self, table: np.ndarray, rowids: Sequence[int]) -> np.ndarray:
        out = np.zeros((len(rowids), table.shape[1]), dtype=np.float32)
        for i, r in enumerate(rowids):
            at = self._at.get(int(r))
            if at is not None:
                out[i] = table[at]
        return out

    def vectors(self, rowids: Sequence[int]) -> np.ndarray:
        """(n, dim) own vectors in the order of ``rowids`` (a zero row for one not read)."""
        return self._take(self._own, rowids)

    def context_vectors(self, rowids: Sequence[int]) -> np.ndarray:
        """(n, dim) vectors in context in the order of ``rowids`` (as ``vectors``)."""
        return self._take(self._context, rowids)

    def facets(self, fields: Sequence[str]) -> dict[str, dict[str, int]]:
        """The candidates per unit / year / province / kind of their documents."""
        columns = {
            "unit": lambda r: self.rows[r].unit,
            "year": lambda r: self.rows[r].year,
            "province": lambda r: self.rows[r].province,
            "kind": lambda r: self._kind[r],
        }
        unknown = set(fields) - set(columns)
        if unknown:
            raise ValueError(f"no facet {sorted(unknown)}")
        values = [[columns[f](r) for f in fields] for r in self.rows]
        return catalog.count_facets(values, fields)


def _document(row: tuple) -> DocumentRow:
    *head, meta_json, reading_json = row
    fields = dict(zip(DocumentRow.__dataclass_fields__, head, strict=False))
    reading = Reading.from_dict(json.loads(reading_json or "{}"))
    return DocumentRow(**fields, meta=json.loads(meta_json or "{}"), reading=reading)


def _paragraph(row: tuple) -> ParagraphRow:
    rowid, pid, doc_id, ordinal, section_json, kind, text, unit, province, year = row
    return ParagraphRow(
        rowid,
        pid,
        doc_id,
        ordinal,
        json.loads(section_json or "[]"),
        kind,
        text,
        unit,
        province,
        year,
    )


def _read_table(path: Path) -> dict[str, list]:
    """A generation's diacritics table; empty for generations written before it existed or
    when it cannot be read (restoring marks is a refinement, not a part a search needs)."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return table if isinstance(table, dict) else {}


class Reader(Protocol):
    """What the service reads of one index generation. ``IndexReader`` is the implementation;
    the service is typed against this (tests may wrap a reader)."""

    index_dir: Path
    generation: str
    manifest: dict[str, Any]
    diacritics: dict[str, list]

    def documents(self, **filters: Any) -> list[DocumentRow]: ...
    def document_rowids(self) -> dict[str, np.ndarray]: ...
    def document(self, doc_id: str) -> DocumentRow | None: ...
    def paragraphs(self, doc_id: str) -> list[ParagraphRow]: ...
    def paragraphs_by_rowid(self, rowids: Sequence[int]) -> dict[int, ParagraphRow]: ...
    def tasks(self, doc_id: str) -> list[TaskRow]: ...
    def find_tasks(
        self, filters: TaskFilters | None = None, limit: int = 1000
    ) -> list[TaskEntry]: ...
    def vectors(self, rowids: Sequence[int]) -> np.ndarray: ...
    def context_vectors(self, rowids: Sequence[int]) -> np.ndarray: ...
    def filter_rowids(self, **filters: Any) -> np.ndarray | None: ...
    def mentions(
        self, keys: Sequence[str], unit: str | None = None, year: int | None = None
    ) -> list[MentionRow]: ...
    def reference_table(self, unit: str | None = None, year: int | None = None) -> list[dict]: ...
    def dense_search(
        self, qvec: np.ndarray, k: int, rowids: np.ndarray | None = None
    ) -> list[tuple[int, float]]: ...
    def lexical_search(
        self, query: str, k: int, rowids: np.ndarray | None = None
    ) -> list[tuple[int, float]]: ...
    def facets(self, rowids: Sequence[int], fields: Sequence[str]) -> dict[str, dict[str, int]]: ...
    def candidates(self, rowids: Sequence[int]) -> Candidates: ...
    def citing(self, keys: Sequence[str]) -> list[int]: ...
    def close(self) -> None: ...


class IndexReader:
    """Read access to one index generation (the ``Reader`` the service uses): a read
    transaction on the catalog, the generation's vector and lexical indexes."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        # re-entrant: the ANN's re-rank fetches vectors under it, maybe inside a locked call
        self._lock = threading.RLock()
        self._references: dict[tuple, list[dict]] = {}
        self._conn, name = self._snapshot()
        try:
            self.path = self.index_dir / name
            self.generation = name
            if not (self.path / mf.MANIFEST).is_file():
                raise IndexNotFoundError(
                    f"the catalog of {self.index_dir} names generation {name}, which is "
                    f"missing — rebuild it: python -m indexer build --corpus CORPUS --index "
                    f"{self.index_dir}"
                )
            try:
                self.manifest = mf.read_manifest(self.path)
                self.dim = int(self.manifest["model"]["dim"])
            except (ValueError, KeyError, TypeError, OSError) as exc:
                raise IndexDamagedError(self.index_dir, f"{name}/{mf.MANIFEST}", exc) from None
            if self.manifest.get("format_version") != mf.FORMAT_VERSION:
                raise mf.old_format(self.index_dir, self.manifest.get("format_version"))
            try:
                self._ann = load_ann(
                    self.path / mf.VECTORS, self.manifest.get("ann", {}), self._vector_bytes
                )
            except (RuntimeError, OSError, ValueError) as exc:
                raise IndexDamagedError(self.index_dir, f"{name}/{mf.VECTORS}", exc) from None
            self.diacritics = _read_table(self.path / mf.DIACRITICS)
            # a catalog written before context vectors existed (read-only: not migrated)
            self._has_context = catalog.has_table(self._conn, "context_vectors")
            try:
                self._lexical = LexicalIndex(self.path / mf.LEXICAL)
            except (ValueError, OSError) as exc:
                self._ann.close()
                raise IndexDamagedError(self.index_dir, f"{name}/{mf.LEXICAL}/", exc) from None
        except BaseException:
            self._conn.close()
            raise

    def _snapshot(self) -> tuple[sqlite3.Connection, str]:
        """Open the read transaction; IndexNotFoundError / IndexFormatError if no index."""
        path = self.index_dir / mf.CATALOG
        conn: sqlite3.Connection | None = None
        name: str | None = None
        try:
            if path.is_file():
                conn, name = catalog.open_snapshot(path)
        except sqlite3.DatabaseError as exc:
            raise IndexDamagedError(self.index_dir, mf.CATALOG, exc) from None
        if conn is None or name is None:
            if conn is not None:
                conn.close()
            if mf.legacy_generation(self.index_dir) is not None:
                raise mf.old_format(self.index_dir)
            raise mf.not_found(self.index_dir)
        return conn, name

    @classmethod
    def open(cls, index_dir: Path) -> IndexReader:
        """The live generation of ``index_dir``; IndexNotFoundError if there is none."""
        return cls(Path(index_dir))

    def __enter__(self) -> IndexReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- catalog ------------------------------------------------------------------------------

    def documents(self, **filters: Any) -> list[DocumentRow]:
        """Every document, or those matching ``filters`` (unit, year, province, kind,
        year_from, year_to; as for search), ordered by year then id."""
        with self._lock:
            return [_document(r) for r in catalog.fetch_documents(self._conn, **filters)]

    def document_rowids(self) -> dict[str, np.ndarray]:
        """Every document's paragraphs' rowids (what a search may be narrowed to)."""
        with self._lock:
            return catalog.document_rowids(self._conn)

    def document(self, doc_id: str) -> DocumentRow | None:
        with self._lock:
            rows = catalog.fetch_documents(self._conn, doc_id)
        return _document(rows[0]) if rows else None

    def paragraphs(self, doc_id: str) -> list[ParagraphRow]:
        with self._lock:
            return [_paragraph(r) for r in catalog.fetch_paragraphs(self._conn, doc_id)]

    def paragraphs_by_rowid(self, rowids: Sequence[int]) -> dict[int, ParagraphRow]:
        with self._lock:
            rows = catalog.fetch_paragraphs_by_rowid(self._conn, rowids)
        return {r[0]: _paragraph(r) for r in rows}

    def tasks(self, doc_id: str) -> list[TaskRow]:
        with self._lock:
            return catalog.fetch_tasks(self._conn, doc_id)

    def find_tasks(self, filters: TaskFilters | None = None, limit: int = 1000) -> list[TaskEntry]:
        """Task rows across plans that meet ``filters`` (``catalog.TaskFilters``), filtered in
        SQL, in (year, plan, number) order, at most ``limit`` rows (capped at
        ``catalog.TASKS_LIMIT``); ValueError for a due date not written YYYY-MM-DD."""
        with self._lock:
            found = catalog.find_tasks(self._conn, filters, limit)
        return [_task_entry(doc, row) for doc, row in found]

    def _vector_bytes(self, rowids: Sequence[int]) -> dict[int, bytes]:
        with self._lock:
            return catalog.fetch_vectors(self._conn, rowids)

    def context_vectors(self, rowids: Sequence[int]) -> np.ndarray:
        """(n, dim) float32: each paragraph embedded in its context (document title and
        headings; ``indexer.text.analyze.passage_context``), its own vector where it has
        none."""
        found: dict[int, bytes] = {}
        if self._has_context:
            with self._lock:
                found = catalog.fetch_vectors(self._conn, rowids, context=True)
        missing = [int(r) for r in rowids if int(r) not in found]
        if missing:
            found |= self._vector_bytes(missing)
        return self._as_array(rowids, found)

    def vectors(self, rowids: Sequence[int]) -> np.ndarray:
        """(n, dim) float32 in the order of ``rowids``; a missing rowid gives a zero row."""
        return self._as_array(rowids, self._vector_bytes(rowids))

    def _as_array(self, rowids: Sequence[int], found: dict[int, bytes]) -> np.ndarray:
        out = np.zeros((len(rowids), self.dim), dtype=np.float32)
        for i, r in enumerate(rowids):
            if int(r) in found:
                out[i] = np.frombuffer(found[int(r)], dtype=np.float32)
        return out

    def filter_rowids(self, **filters: Any) -> np.ndarray | None:
        """Rowids passing the filters (int64), or None when no filter is given. Filters:
        unit, year, province, section, doc_id, kind, year_from, year_to (see
        ``catalog.filter_rowids``)."""
        given = {k: v for k, v in filters.items() if v is not None}
        if not given:
            return None
        with self._lock:
            ids = catalog.filter_rowids(self._conn, **given)
        return np.asarray(ids, dtype=np.int64)

    def mentions(
        self, keys: Sequence[str], unit: str | None = None, year: int | None = None
    ) -> list[MentionRow]:
        with self._lock:
            rows = catalog.fetch_mentions(self._conn, keys, unit, year)
        out = []
        for r in rows:
            out.append(MentionRow(_paragraph(r[:10]), *r[10:]))
        return out

    def reference_table(self, unit: str | None = None, year: int | None = None) -> list[dict]:
        """Every cited document (see ``catalog.reference_table``); kept per (unit, year): a
        reader's snapshot never changes, and /mentions asks for the whole table each time."""
        key = (unit, year)
        with self._lock:
            if key not in self._references:
                if len(self._references) >= 64:
                    self._references.clear()
                self._references[key] = catalog.reference_table(self._conn, unit, year)
            return [dict(row) for row in self._references[key]]

    # -- search -------------------------------------------------------------------------------

    def dense_search(
        self, qvec: np.ndarray, k: int, rowids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``k`` (rowid, cosine) for a unit query vector, within ``rowids`` if given."""
        return self._ann.search(qvec, k, rowids)

    def lexical_search(
        self, query: str, k: int, rowids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``k`` (rowid, BM25) for the analysed tokens of ``query``, within ``rowids``."""
        return self._lexical.search(query, k, rowids)

    def facets(self, rowids: Sequence[int], fields: Sequence[str]) -> dict[str, dict[str, int]]:
        """Paragraphs of ``rowids`` per unit / year / province / kind of their documents."""
        with self._lock:
            return catalog.facet_counts(self._conn, rowids, fields)

    def candidates(self, rowids: Sequence[int]) -> Candidates:
        """A search's candidates: rows, facet values and both vectors, in one catalog read."""
        with self._lock:
            rows = catalog.fetch_candidates(self._conn, rowids, context=self._has_context)
        return Candidates(rows, self.dim)

    def citing(self, keys: Sequence[str]) -> list[int]:
        """Rowids of the paragraphs that cite any of the documents ``keys`` (canonical)."""
        with self._lock:
            return catalog.citing_rowids(self._conn, keys)

    def close(self) -> None:
        self._ann.close()
        self._lexical.close()
        with self._lock:
            self._conn.close()
