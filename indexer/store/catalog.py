"""The SQLite catalog: every SQL statement of the project lives here.

Tables (``SCHEMA`` below): documents, paragraphs, tasks, mentions, vectors, context_vectors
(the paragraphs embedded in their context, for re-ranking), and ``meta``
(key/value; ``generation`` names the live generation directory). ``paragraphs`` also keeps
``text_hash`` (sha1 of the text) so a build can reuse the vector of any text the index already
embedded. Rowids are AUTOINCREMENT: a deleted paragraph's rowid is never given to another
paragraph, so a FAISS id always means one paragraph text.

One catalog per index, in WAL mode, updated in place: a build changes it in ONE write
transaction (``begin_write`` … ``set_live_generation`` … ``commit``), so the commit is the
atomic switch to the new generation, and an interrupted build is rolled back by SQLite.
Readers (``open_snapshot``) hold a read transaction for their whole life: WAL gives them the
catalog as of their first statement, whatever later builds commit. The WAL
(``catalog.sqlite-wal``) can grow while an old reader holds its snapshot: a checkpoint cannot
copy later transactions into the database file past it, and SQLite only restarts the WAL from
its beginning when no open reader uses it. A service always holds a reader (swapped after each
build), so the WAL grows by each build's changes (~1 MB per 105-paragraph plan added, measured
at 100k paragraphs) until a build runs with no such reader open (e.g. the service stopped);
``WAL_LIMIT`` then caps the file that is left.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from indexer.model import Document, Paragraph, Reference, TaskRow
from indexer.references.corpus import law_aliases, majority
from indexer.text.vietnamese import fold

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT UNIQUE, sha256 TEXT, unit TEXT, province TEXT,
    year INTEGER, kind TEXT, title TEXT, number TEXT, date TEXT, meta_json TEXT,
    n_paragraphs INTEGER, reading_json TEXT
);
CREATE TABLE IF NOT EXISTS paragraphs (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, doc_id TEXT, ordinal INTEGER,
    section_json TEXT, kind TEXT, text TEXT, text_seg TEXT, text_hash TEXT
);
CREATE INDEX IF NOT EXISTS paragraphs_doc ON paragraphs(doc_id, ordinal);
CREATE INDEX IF NOT EXISTS paragraphs_hash ON paragraphs(text_hash);
CREATE TABLE IF NOT EXISTS tasks (
    doc_id TEXT, number INTEGER, task TEXT, products TEXT, timeline TEXT, responsible TEXT,
    lead TEXT, partners TEXT, budget TEXT, grp TEXT, due_start TEXT, due_end TEXT,
    recurring TEXT, paragraph_id TEXT, kind TEXT
);
CREATE INDEX IF NOT EXISTS tasks_doc ON tasks(doc_id, number);
CREATE TABLE IF NOT EXISTS mentions (
    paragraph_rowid INTEGER, doc_id TEXT, key TEXT, kind TEXT, number TEXT, date TEXT,
    issuer TEXT, title TEXT, start INTEGER, "end" INTEGER, raw TEXT, cited_key TEXT
);
CREATE INDEX IF NOT EXISTS mentions_key ON mentions(key);
CREATE INDEX IF NOT EXISTS mentions_paragraph ON mentions(paragraph_rowid);
CREATE TABLE IF NOT EXISTS vectors (paragraph_rowid INTEGER PRIMARY KEY, vec BLOB);
CREATE TABLE IF NOT EXISTS context_vectors (
    paragraph_rowid INTEGER PRIMARY KEY, vec BLOB, text_hash TEXT
);
CREATE INDEX IF NOT EXISTS context_vectors_hash ON context_vectors(text_hash);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
# columns of ``tasks`` added after its first six (a catalog written before has none of them)
TASK_COLUMNS = (
    "lead", "partners", "budget", "grp", "due_start", "due_end", "recurring", "paragraph_id",
    "kind",
)  # fmt: skip
_DATA_TABLES = ("documents", "paragraphs", "tasks", "mentions", "vectors", "context_vectors")
WAL_LIMIT = 64 * 2**20  # bytes the WAL file is truncated to after a checkpoint resets it

_PARAGRAPH_COLUMNS = """p.rowid, p.id, p.doc_id, p.ordinal, p.section_json, p.kind, p.text,
    d.unit, d.province, d.year"""


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _ids_json(ids: Iterable[int]) -> str:
    return json.dumps([int(i) for i in ids])


# --- connections --------------------------------------------------------------------------


def connect(path: Path) -> sqlite3.Connection:
    """The build's read-write connection (the file is created with the schema, WAL mode).

    Autocommit (``isolation_level=None``): the build opens its one transaction itself with
    ``begin_write``. ``synchronous=FULL``: the commit (the switch point) is durable.
    """
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MB: fewer spills of a large transaction
    conn.executescript(SCHEMA)
    _migrate(conn)
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Columns added (or dropped) since a catalog was created."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(mentions)")}
    if "cited_key" not in columns:
        conn.execute("ALTER TABLE mentions ADD COLUMN cited_key TEXT")
        conn.execute("UPDATE mentions SET cited_key = key")
    if not _has_column(conn, "documents", "reading_json"):
        conn.execute("ALTER TABLE documents ADD COLUMN reading_json TEXT")  # how it was read
    for column in TASK_COLUMNS:  # what a task row's cells say (2026-12-06); NULL until the
        if not _has_column(conn, "tasks", column):  # next build re-reads every file
            conn.execute(f"ALTER TABLE tasks ADD COLUMN {column} TEXT")
    if "text_fold" in {r[1] for r in conn.execute("PRAGMA table_info(paragraphs)")}:
        conn.execute("ALTER TABLE paragraphs DROP COLUMN text_fold")  # written, never read


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return column in _columns_of(conn, table)


def _columns_of(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def connect_readonly(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """A read-only connection in autocommit mode (the caller opens its read transaction).

    ``immutable``: a file no process will ever write again (a format-1 generation's own
    catalog); no locking. ``check_same_thread=False``: the caller serialises access.
    """
    uri = Path(path).resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)


def open_snapshot(path: Path) -> tuple[sqlite3.Connection, str | None]:
    """A read-only connection holding a read transaction, and the live generation it sees.

    The generation is read by the transaction's first statement, so it and every later read
    on this connection belong to the same committed state; never commit it, close it.
    """
    conn = connect_readonly(path)
    try:
        conn.execute("BEGIN")
        return conn, live_generation(conn)
    except sqlite3.OperationalError as exc:
        conn.close()
        if not _cannot_write_beside(path, exc):
            raise
    except BaseException:
        conn.close()
        raise
    # A read-only directory (an index shipped on a read-only mount): SQLite cannot create the
    # WAL's shared-memory file there. Nothing can write the catalog either, so it is read as
    # an immutable file, without locks.
    conn = connect_readonly(path, immutable=True)
    try:
        conn.execute("BEGIN")
        return conn, live_generation(conn)
    except BaseException:
        conn.close()
        raise


def _cannot_write_beside(path: Path, exc: sqlite3.OperationalError) -> bool:
    """Did opening fail because the catalog's directory cannot be written?"""
    if "unable to open" not in str(exc) and "readonly" not in str(exc):
        return False
    return not os.access(Path(path).parent, os.W_OK) or _read_only_mount(Path(path).parent)


def _read_only_mount(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def live_generation(conn: sqlite3.Connection) -> str | None:
    """The generation directory name the catalog's committed state belongs to (None: none)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
    except sqlite3.OperationalError as exc:  # no meta table: an empty or foreign file
        if "no such table" in str(exc):
            return None
        raise
    return row[0] if row else None


def set_live_generation(conn: sqlite3.Connection, name: str) -> None:
    """Record ``name`` as the live generation (inside the build's write transaction)."""
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (name,))


def begin_write(conn: sqlite3.Connection) -> None:
    """Start the build's one write transaction (takes the write lock now)."""
    conn.execute("BEGIN IMMEDIATE")


def commit(conn: sqlite3.Connection) -> None:
    conn.execute("COMMIT")


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def checkpoint(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Copy committed WAL pages into the database file where no reader still needs them.

    Returns SQLite's (busy, WAL frames, frames checkpointed)."""
    return tuple(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())


def clear(conn: sqlite3.Connection) -> None:
    """Delete every row of the data tables (a full rebuild, inside its transaction)."""
    for table in _DATA_TABLES:
        conn.execute(f"DELETE FROM {table}")


# --- write side -----------------------------------------------------------------------------


def indexed_files(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """``{relative path: (doc_id, sha256)}`` of the documents in the catalog."""
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT path, doc_id, sha256 FROM documents")}


def delete_document(conn: sqlite3.Connection, doc_id: str) -> list[int]:
    """Remove a document and everything hanging from it; returns its paragraph rowids."""
    rowids = [r[0] for r in conn.execute("SELECT rowid FROM paragraphs WHERE doc_id=?", (doc_id,))]
    for table in ("vectors", "context_vectors"):
        conn.execute(
            f"DELETE FROM {table} WHERE paragraph_rowid IN (SELECT rowid FROM paragraphs "
            "WHERE doc_id=?)",
            (doc_id,),
        )
    conn.execute("DELETE FROM mentions WHERE doc_id=?", (doc_id,))
    conn.execute("DELETE FROM tasks WHERE doc_id=?", (doc_id,))
    conn.execute("DELETE FROM paragraphs WHERE doc_id=?", (doc_id,))
    conn.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))
    return rowids


def insert_document(conn: sqlite3.Connection, doc: Document) -> None:
    m = doc.meta
    conn.execute(
        "INSERT INTO documents (doc_id, path, sha256, unit, province, year, kind, title, "
        "number, date, meta_json, n_paragraphs, reading_json) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            doc.doc_id,
            doc.path,
            doc.sha256,
            m.unit,
            m.province,
            m.year,
            m.kind,
            m.title,
            m.number,
            m.date,
            json.dumps(m.to_dict(), ensure_ascii=False),
            len(doc.paragraphs),
            json.dumps(doc.reading.to_dict()),
        ),
    )
    conn.executemany(
        "INSERT INTO tasks (doc_id, number, task, products, timeline, responsible, lead, "
        "partners, budget, grp, due_start, due_end, recurring, paragraph_id, kind) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                doc.doc_id,
                t.number,
                t.task,
                t.products,
                t.timeline,
                t.responsible,
                t.lead or None,
                t.partners or None,
                t.budget or None,
                t.group or None,
                t.due_start,
                t.due_end,
                t.recurring,
                t.paragraph_id,
                t.kind,
            )  # fmt: skip
            for t in doc.tasks
        ],
    )


def insert_paragraph(conn: sqlite3.Connection, p: Paragraph, text_seg: str) -> int:
    """Insert one paragraph; returns its new rowid."""
    cur = conn.execute(
        "INSERT INTO paragraphs (id, doc_id, ordinal, section_json, kind, text, text_seg, "
        "text_hash) VALUES (?,?,?,?,?,?,?,?)",
        (
            p.id,
            p.doc_id,
            p.ordinal,
            json.dumps(p.section, ensure_ascii=False),
            p.kind,
            p.text,
            text_seg,
            text_hash(p.text),
        ),
    )
    rowid = cur.lastrowid
    assert rowid is not None  # an INSERT always has one
    return rowid


def insert_mentions(
    conn: sqlite3.Connection,
    rowid: int,
    doc_id: str,
    refs: Sequence[Reference],
    own: frozenset[str] = frozenset(),
) -> None:
    """The references found in one paragraph, except the document's ``own`` number(s)."""
    conn.executemany(
        "INSERT INTO mentions (paragraph_rowid, doc_id, key, kind, number, date, issuer, title, "
        'start, "end", raw, cited_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
        [
            (
                rowid,
                doc_id,
                r.key,
                r.kind,
                r.number,
                r.date,
                r.issuer,
                r.title,
                r.start,
                r.end,
                r.raw,
                r.key,
            )
            for r in refs
            if r.key not in own
        ],
    )


def unify_laws(conn: sqlite3.Connection) -> int:
    """Re-key citations of a law by name to its number where the corpus ties them (see
    ``references.corpus.law_aliases``); run after every change of the mentions. Returns the
    number of citations re-keyed."""
    conn.execute("UPDATE mentions SET key = cited_key WHERE key IS NOT cited_key")
    numbered = conn.execute(
        "SELECT key, title, count(*) FROM mentions WHERE title IS NOT NULL "
        "AND key NOT LIKE 'LUAT:%' GROUP BY key, title"
    ).fetchall()
    by_name = conn.execute(
        "SELECT DISTINCT key, raw, date FROM mentions WHERE key LIKE 'LUAT:%'"
    ).fetchall()
    aliases = law_aliases(numbered, by_name)
    conn.executemany(
        "UPDATE mentions SET key = ? WHERE cited_key = ? AND raw = ?",
        [(target, key, raw) for (key, raw), target in aliases.items()],
    )
    return len(aliases)


def document_numbers(conn: sqlite3.Connection) -> dict[str, str | None]:
    """``{doc_id: number}`` of every document (for ``own_keys``)."""
    return dict(conn.execute("SELECT doc_id, number FROM documents"))


def clear_mentions(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM mentions")


def document_texts(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """The paragraph texts of each document, one list per document."""
    doc: str | None = None
    texts: list[str] = []
    for doc_id, text in conn.execute(
        "SELECT doc_id, text FROM paragraphs ORDER BY doc_id, ordinal"
    ):
        if doc_id != doc and texts:
            yield texts
            texts = []
        doc = doc_id
        texts.append(text)
    if texts:
        yield texts


def paragraph_texts(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """(rowid, doc_id, text) of every paragraph, in rowid order."""
    yield from conn.execute("SELECT rowid, doc_id, text FROM paragraphs ORDER BY rowid")


def vectors_for_hashes(
    conn: sqlite3.Connection, hashes: Iterable[str], context: bool = False
) -> dict[str, bytes]:
    """Stored vectors of texts already embedded, keyed by text hash (``context``: of the
    passages in context, see ``insert_context_vectors``)."""
    sql = (
        "SELECT text_hash, vec FROM context_vectors WHERE text_hash IN "
        "(SELECT value FROM json_each(?))"
        if context
        else "SELECT p.text_hash, v.vec FROM paragraphs p JOIN vectors v "
        "ON v.paragraph_rowid = p.rowid WHERE p.text_hash IN (SELECT value FROM json_each(?))"
    )
    found: dict[str, bytes] = {}
    hashes = list(set(hashes))
    for start in range(0, len(hashes), 50_000):
        for h, vec in conn.execute(sql, (json.dumps(hashes[start : start + 50_000]),)):
            found.setdefault(h, vec)
    return found


def insert_vectors(
    conn: sqlite3.Connection, rowids: Sequence[int] | np.ndarray, vectors: np.ndarray
) -> None:
    vectors = np.asarray(vectors, dtype=np.float32)
    conn.executemany(
        "INSERT OR REPLACE INTO vectors (paragraph_rowid, vec) VALUES (?,?)",
        [(int(r), vectors[i].tobytes()) for i, r in enumerate(rowids)],
    )


def insert_context_vectors(
    conn: sqlite3.Connection, rows: Sequence[tuple[int, str]], vectors: np.ndarray
) -> None:
    """The vectors of paragraphs embedded in their context (document title and heading
    path, ``indexer.text.analyze.passage_context``), which search re-ranks its best
    candidates by: ``rows`` (rowid, hash of the text embedded) with one vector each."""
    vectors = np.asarray(vectors, dtype=np.float32)
    conn.executemany(
        "INSERT OR REPLACE INTO context_vectors (paragraph_rowid, vec, text_hash) VALUES (?,?,?)",
        [(int(r), vectors[i].tobytes(), h) for i, (r, h) in enumerate(rows)],
    )


def iter_vectors(
    conn: sqlite3.Connection, dim: int, batch: int = 20_000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """All stored vectors as (rowids int64, vectors float32) batches, in rowid order."""
    cur = conn.execute("SELECT paragraph_rowid, vec FROM vectors ORDER BY paragraph_rowid")
    while rows := cur.fetchmany(batch):
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(-1, dim)
        yield ids, vecs


def segmented_texts(
    conn: sqlite3.Connection, rowids: Sequence[int] | None = None
) -> Iterator[tuple[int, str]]:
    """(rowid, text_seg) of all paragraphs, or of the given rowids."""
    if rowids is None:
        yield from conn.execute("SELECT rowid, text_seg FROM paragraphs ORDER BY rowid")
    else:
        yield from conn.execute(
            "SELECT rowid, text_seg FROM paragraphs WHERE rowid IN "
            "(SELECT value FROM json_each(?)) ORDER BY rowid",
            (_ids_json(rowids),),
        )


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _DATA_TABLES}


def reading_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Documents per way of reading ("text", "ocr", "converted") and the pages read by OCR."""
    out = {"text": 0, "ocr": 0, "converted": 0, "ocr_pages": 0}
    for method, n, pages in conn.execute(
        "SELECT coalesce(json_extract(reading_json, '$.method'), 'text'), count(*), "
        "sum(coalesce(json_array_length(reading_json, '$.ocr_pages'), 0)) "
        "FROM documents GROUP BY 1"
    ):
        out[method] = out.get(method, 0) + n
        out["ocr_pages"] += pages or 0
    return out


# --- read side (used by indexer.store) -----------------------------------------------------


def fetch_documents(
    conn: sqlite3.Connection, doc_id: str | None = None, **filters: Any
) -> list[tuple]:
    """(doc_id, path, unit, province, year, kind, title, number, date, sha256, n_paragraphs,
    meta_json, reading_json) rows, ordered by year then doc_id; ``filters``: unit, year,
    province, kind, year_from, year_to as for ``filter_rowids``. A catalog written before
    reading_json existed (opened read-only, so not migrated) gives NULL there."""
    reading = "reading_json" if _has_column(conn, "documents", "reading_json") else "NULL"
    sql = (
        "SELECT doc_id, path, unit, province, year, kind, title, number, date, sha256, "
        f"n_paragraphs, meta_json, {reading} FROM documents d"
    )
    if doc_id is not None:
        return conn.execute(sql + " WHERE doc_id=?", (doc_id,)).fetchall()
    where, args = _document_filters(**filters)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return conn.execute(sql + " ORDER BY year, doc_id", args).fetchall()


def fetch_paragraphs(conn: sqlite3.Connection, doc_id: str) -> list[tuple]:
    return conn.execute(
        f"SELECT {_PARAGRAPH_COLUMNS} FROM paragraphs p JOIN documents d USING (doc_id) "
        "WHERE p.doc_id=? ORDER BY p.ordinal",
        (doc_id,),
    ).fetchall()


def document_rowids(conn: sqlite3.Connection) -> dict[str, np.ndarray]:
    """Every document's paragraphs' rowids (int64, sorted), in one statement."""
    out: dict[str, list[int]] = {}
    for doc_id, rowid in conn.execute("SELECT doc_id, rowid FROM paragraphs ORDER BY rowid"):
        out.setdefault(doc_id, []).append(rowid)
    return {d: np.asarray(r, dtype=np.int64) for d, r in out.items()}


def fetch_paragraphs_by_rowid(conn: sqlite3.Connection, rowids: Sequence[int]) -> list[tuple]:
    return conn.execute(
        f"SELECT {_PARAGRAPH_COLUMNS} FROM paragraphs p JOIN documents d USING (doc_id) "
        "WHERE p.rowid IN (SELECT value FROM json_each(?))",
        (_ids_json(rowids),),
    ).fetchall()


def fetch_candidates(
    conn: sqlite3.Connection, rowids: Sequence[int], context: bool = True
) -> list[tuple]:
    """Everything a search reads of its candidates, in one statement: each paragraph's row
    (``_PARAGRAPH_COLUMNS``), its document's kind, its own vector and its vector in context
    (None where it has none, or without ``context``: a catalog older than that table)."""
    in_context = (
        "(SELECT c.vec FROM context_vectors c WHERE c.paragraph_rowid = p.rowid)"
        if context
        else "NULL"
    )
    return conn.execute(
        f"SELECT {_PARAGRAPH_COLUMNS}, d.kind, v.vec, {in_context} FROM paragraphs p "
        "JOIN documents d USING (doc_id) LEFT JOIN vectors v ON v.paragraph_rowid = p.rowid "
        "WHERE p.rowid IN (SELECT value FROM json_each(?))",
        (_ids_json(rowids),),
    ).fetchall()


def count_facets(rows: Iterable[Sequence], fields: Sequence[str]) -> dict[str, dict[str, int]]:
    """Rows of field values (one column per field) → per field, value → rows, most frequent
    first (empty values left out)."""
    rows = list(rows)
    out: dict[str, dict[str, int]] = {}
    for k, name in enumerate(fields):
        counts = Counter(str(r[k]) for r in rows if r[k] not in (None, ""))
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


FACET_FIELDS = ("unit", "year", "province", "kind")


def facet_counts(
    conn: sqlite3.Connection, rowids: Sequence[int], fields: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Paragraphs of ``rowids`` per value of each document field (unit, year, province,
    kind), most frequent first; one query, no paragraph text read."""
    unknown = set(fields) - set(FACET_FIELDS)
    if unknown:
        raise ValueError(f"no facet {sorted(unknown)}")
    rows = conn.execute(
        f"SELECT {', '.join('d.' + f for f in fields)} FROM paragraphs p "
        "JOIN documents d USING (doc_id) WHERE p.rowid IN (SELECT value FROM json_each(?))",
        (_ids_json(rowids),),
    ).fetchall()
    return count_facets(rows, fields)


def _task_select(conn: sqlite3.Connection, have: set[str] | None = None) -> str:
    """The columns of a task row, NULL for those an older catalog lacks (a reader does not
    migrate it); ``have``: the columns of ``tasks``, when read already."""
    have = _columns_of(conn, "tasks") if have is None else have
    extra = [f"t.{c}" if c in have else f"NULL AS {c}" for c in TASK_COLUMNS]
    return "t.number, t.task, t.products, t.timeline, t.responsible, " + ", ".join(extra)


def _task_row(r: Sequence) -> TaskRow:
    number, task, products, timeline, responsible = r[:5]
    lead, partners, budget, grp, due_start, due_end, recurring, paragraph_id, kind = r[5:14]
    return TaskRow(
        number, task or "", products or "", timeline or "", responsible or "",
        partners or "", budget or "", grp or "", lead or "", due_start, due_end, recurring,
        paragraph_id, kind or "task",
    )  # fmt: skip


def fetch_tasks(conn: sqlite3.Connection, doc_id: str) -> list[TaskRow]:
    rows = conn.execute(
        f"SELECT {_task_select(conn)} FROM tasks t WHERE t.doc_id=? ORDER BY t.number, t.rowid",
        (doc_id,),
    )
    return [_task_row(r) for r in rows]


TASKS_LIMIT = 10_000  # the most rows one ``find_tasks`` returns


def _fold_sql(value: object) -> str | None:
    return None if value is None else fold(str(value))


@dataclass(frozen=True, slots=True)
class TaskFilters:
    """Which task rows ``find_tasks`` answers (each None: any; all must hold).

    ``unit`` (name or short form), ``lead`` and ``text`` (task and products) match as folded
    substrings (no case, no diacritics); ``province`` folded and exact; ``year`` exact;
    ``due_from`` / ``due_to`` (ISO dates, either may be None) keep the rows whose period
    meets the window — a period with one end only is that day, as ``Deadline.overlaps``;
    undated rows never meet; ``kind``: "task" (a plan's task table; every row of a catalog
    written before procedures were read) or "procedure" (a procedure list)."""

    doc_ids: Sequence[str] | None = None
    unit: str | None = None
    province: str | None = None
    year: int | None = None
    lead: str | None = None
    due_from: str | None = None
    due_to: str | None = None
    text: str | None = None
    kind: str | None = None


def find_tasks(
    conn: sqlite3.Connection, filters: TaskFilters | None = None, limit: int = 1000
) -> list[tuple[tuple, TaskRow]]:
    """Task rows of every document that meet ``filters``, in (year, doc_id, number) order, at
    most ``limit`` (≤ ``TASKS_LIMIT``): per row its document's (doc_id, unit, unit_short,
    province, year) and the row. A catalog written before ``lead`` was stored matches
    ``lead`` on the responsible cell, and no row of it has a date."""
    f = filters or TaskFilters()
    have = _columns_of(conn, "tasks")  # a catalog from before some columns lacks them
    conn.create_function("cchc_fold", 1, _fold_sql, deterministic=True)
    where: list[str] = []
    args: list = []
    if f.doc_ids is not None:
        where.append("t.doc_id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(list(f.doc_ids), ensure_ascii=False))
    if f.year is not None:
        where.append("d.year = ?")
        args.append(int(f.year))
    if f.province is not None:
        where.append("cchc_fold(d.province) = ?")
        args.append(fold(f.province).strip())
    if f.unit is not None and fold(f.unit).strip():
        where.append(
            "(instr(cchc_fold(d.unit), ?) > 0 "
            "OR instr(cchc_fold(json_extract(d.meta_json, '$.unit_short')), ?) > 0)"
        )
        args += [fold(f.unit).strip()] * 2
    if f.lead is not None and fold(f.lead).strip():
        column = "t.lead" if "lead" in have else "t.responsible"
        where.append(f"instr(cchc_fold({column}), ?) > 0")
        args.append(fold(f.lead).strip())
    if f.text is not None and fold(f.text).strip():
        where.append("instr(cchc_fold(t.task || ' ' || t.products), ?) > 0")
        args.append(" ".join(fold(f.text).split()))
    if f.kind is not None:
        if "kind" in have:
            where.append("COALESCE(t.kind, 'task') = ?")
            args.append(f.kind)
        elif f.kind != "task":
            return []
    if f.due_from is not None or f.due_to is not None:
        if "due_start" not in have:
            return []
        if f.due_to is not None:
            where.append("COALESCE(t.due_start, t.due_end) <= ?")
            args.append(date.fromisoformat(f.due_to).isoformat())
        if f.due_from is not None:
            where.append("COALESCE(t.due_end, t.due_start) >= ?")
            args.append(date.fromisoformat(f.due_from).isoformat())
    sql = (
        "SELECT t.doc_id, d.unit, json_extract(d.meta_json, '$.unit_short'), d.province, "
        f"d.year, {_task_select(conn, have)} FROM tasks t JOIN documents d USING (doc_id)"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY d.year, t.doc_id, t.number, t.rowid LIMIT ?"
    args.append(max(0, min(int(limit), TASKS_LIMIT)))
    return [(tuple(r[:5]), _task_row(r[5:])) for r in conn.execute(sql, args)]


def fetch_vectors(
    conn: sqlite3.Connection, rowids: Sequence[int], context: bool = False
) -> dict[int, bytes]:
    """Paragraph vectors by rowid: each paragraph's own, or (``context``) the vector of the
    paragraph in its context where it has one (ask ``has_table`` first: a catalog older than
    those has no such table)."""
    table = "context_vectors" if context else "vectors"
    rows = conn.execute(
        f"SELECT paragraph_rowid, vec FROM {table} WHERE paragraph_rowid IN "
        "(SELECT value FROM json_each(?))",
        (_ids_json(rowids),),
    )
    return dict(rows)


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    sql = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?"
    return conn.execute(sql, (name,)).fetchone() is not None


def _document_filters(
    unit: str | None = None,
    year: int | None = None,
    province: str | None = None,
    kind: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> tuple[list[str], list]:
    """SQL conditions on the documents table ``d`` (unit/province/kind case-insensitive,
    exact; a unit by its name or its short form) and their arguments, for the filters given."""
    where: list[str] = []
    args: list = []
    if unit is not None:
        where.append(
            "(d.unit = ? COLLATE NOCASE OR json_extract(d.meta_json, '$.unit_short') = ? "
            "COLLATE NOCASE)"
        )
        args += [unit, unit]
    for value, condition in (
        (kind, "d.kind = ? COLLATE NOCASE"),
        (province, "d.province = ? COLLATE NOCASE"),
        (None if year is None else int(year), "d.year = ?"),
        (None if year_from is None else int(year_from), "d.year >= ?"),
        (None if year_to is None else int(year_to), "d.year <= ?"),
    ):
        if value is not None:
            where.append(condition)
            args.append(value)
    return where, args


def filter_rowids(
    conn: sqlite3.Connection,
    unit: str | None = None,
    year: int | None = None,
    province: str | None = None,
    section: str | None = None,
    doc_id: str | None = None,
    kind: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> list[int]:
    """Rowids of paragraphs matching every given filter.

    unit/province/kind compare case-insensitively and exactly; year_from/year_to bound the
    year (both included); section matches paragraphs with a heading in their path that
    starts with ``section`` (case-insensitive).
    """
    where, args = _document_filters(unit, year, province, kind, year_from, year_to)
    if doc_id is not None:
        where.append("p.doc_id = ?")
        args.append(doc_id)
    if section is not None:
        where.append(
            "EXISTS (SELECT 1 FROM json_each(p.section_json) s "
            "WHERE lower(s.value) LIKE lower(?) || '%' ESCAPE '\\')"
        )
        args.append(section.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
    sql = "SELECT p.rowid FROM paragraphs p JOIN documents d USING (doc_id)"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [r[0] for r in conn.execute(sql + " ORDER BY p.rowid", args)]


def citing_rowids(conn: sqlite3.Connection, keys: Sequence[str]) -> list[int]:
    """Rowids of the paragraphs that cite any of ``keys``, in rowid order."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT paragraph_rowid FROM mentions WHERE key IN "
            "(SELECT value FROM json_each(?)) ORDER BY paragraph_rowid",
            (json.dumps(list(keys), ensure_ascii=False),),
        )
    ]


def fetch_mentions(
    conn: sqlite3.Connection,
    keys: Sequence[str],
    unit: str | None = None,
    year: int | None = None,
) -> list[tuple]:
    """Mentions of the given keys joined with their paragraph and document, in document order:
    (rowid, paragraph id, doc_id, ordinal, section_json, kind, paragraph text, unit, province,
    year, key, kind, number, date, issuer, title, start, end, raw)."""
    where, args = _document_filters(unit, year)
    where.insert(0, "m.key IN (SELECT value FROM json_each(?))")
    args.insert(0, json.dumps(list(keys), ensure_ascii=False))
    return conn.execute(
        "SELECT p.rowid, p.id, p.doc_id, p.ordinal, p.section_json, p.kind, p.text, d.unit, "
        "d.province, "
        'd.year, m.key, m.kind, m.number, m.date, m.issuer, m.title, m.start, m."end", m.raw '
        "FROM mentions m JOIN paragraphs p ON p.rowid = m.paragraph_rowid "
        "JOIN documents d ON d.doc_id = p.doc_id WHERE "
        + " AND ".join(where)
        + " ORDER BY d.year, p.doc_id, p.ordinal, m.start",
        args,
    ).fetchall()


def reference_table(
    conn: sqlite3.Connection, unit: str | None = None, year: int | None = None
) -> list[dict]:
    """One row per referenced document key: its description (kind, display number, issuer,
    title and date: each the one most of its citations give), number of mentions, and the
    plans that cite it."""
    where, args = _document_filters(unit, year)
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    groups: dict[str, list[tuple]] = {}
    for r in conn.execute(
        "SELECT m.key, m.kind, m.number, m.issuer, m.title, m.date, m.doc_id "
        "FROM mentions m JOIN documents d ON d.doc_id = m.doc_id" + cond,
        args,
    ):
        groups.setdefault(r[0], []).append(r)
    out = [
        {
            "key": key,
            "kind": majority(r[1] for r in rows),
            "number": majority(r[2] for r in rows),
            "issuer": majority(r[3] for r in rows),
            "title": majority(r[4] for r in rows),
            "date": majority(r[5] for r in rows),
            "mentions": len(rows),
            "documents": len({r[6] for r in rows}),
            "doc_ids": sorted({r[6] for r in rows}),
        }
        for key, rows in groups.items()
    ]
    return sorted(out, key=lambda d: (-d["mentions"], d["key"]))
