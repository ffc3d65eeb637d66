"""The build's staging file: work kept as it is done, so a stopped build loses almost none.

``INDEX/staging.sqlite`` (SQLite, WAL, ``synchronous=FULL``) holds what a build has done and
not yet committed to the catalog:

    embedded(model, hash, vec,       every text embedded, committed batch by batch (and the
             reused)                 index's own vectors a build reuses: ``reused`` = 1)
    parsed(path, sha256, pipeline,   every file read and parsed (reading, OCR, conversion,
           record, segmented)        segmentation), committed file by file

It is apart from the catalog because a generation is one catalog write transaction, which a
kill, a power cut or a full disk rolls back whole; the staging file keeps each finished batch
and file through that, and the next build takes them from here instead of doing them again
(a kill loses at most the batch and the files in flight). Vectors are keyed by the model's
record and the text's hash, parsed files by their path, content and the parsing code's
version, so nothing another model or another parser made is ever used. A build that commits
its generation removes the file: its work now lives in the catalog. Readers never open it.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from indexer.model import Document, document_from_record, document_record

STAGING = "staging.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS embedded (
    model TEXT NOT NULL, hash TEXT NOT NULL, vec BLOB NOT NULL,
    reused INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (model, hash)
);
CREATE TABLE IF NOT EXISTS parsed (
    path TEXT NOT NULL, sha256 TEXT NOT NULL, pipeline TEXT NOT NULL,
    record BLOB NOT NULL, segmented BLOB NOT NULL, PRIMARY KEY (path, sha256, pipeline)
);
"""
_CHUNK = 500  # hashes looked up per statement


def model_key(info: dict) -> str:
    """The key vectors are staged under: the model's whole record (name, backend, dim,
    options), so two models' vectors never mix."""
    return json.dumps(info, sort_keys=True, ensure_ascii=False)


def _pack(data: object) -> bytes:
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 3)


def _unpack(blob: bytes) -> object:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


class Staging:
    """The staging file of the index at ``index_dir`` (created on first write). One writer:
    the build that holds the index's build lock."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / STAGING
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(str(self.path), isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # a committed batch survives a power cut
            conn.executescript(SCHEMA)
            self._conn = conn
        return self._conn

    def exists(self) -> bool:
        return self._conn is not None or self.path.is_file()

    # -- vectors ----------------------------------------------------------------------------

    def vectors(self, model: str, hashes: Iterable[str]) -> dict[str, bytes]:
        """Staged vectors (float32 bytes) of these text hashes under ``model``."""
        return {h: vec for h, (vec, _reused) in self.lookup(model, hashes).items()}

    def lookup(self, model: str, hashes: Iterable[str]) -> dict[str, tuple[bytes, bool]]:
        """Staged vectors of these text hashes under ``model``, each with whether it was
        taken from the index (True) rather than embedded by a build."""
        if not self.exists():
            return {}
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, tuple[bytes, bool]] = {}
        db = self._db()
        for at in range(0, len(wanted), _CHUNK):
            rows = db.execute(
                "SELECT hash, vec, reused FROM embedded WHERE model = ? AND hash IN "
                "(SELECT value FROM json_each(?))",
                (model, json.dumps(wanted[at : at + _CHUNK])),
            )
            found.update((h, (vec, bool(reused))) for h, vec, reused in rows)
        return found

    def put_vectors(
        self, model: str, items: Sequence[tuple[str, bytes]], reused: bool = False
    ) -> None:
        """Keep one batch of vectors: (text hash, float32 bytes), in one durable commit
        (``reused``: vectors taken from the index, not embedded)."""
        db = self._db()
        with db:
            db.execute("BEGIN")
            db.executemany(
                "INSERT OR REPLACE INTO embedded (model, hash, vec, reused) VALUES (?, ?, ?, ?)",
                [(model, h, v, int(reused)) for h, v in items],
            )

    def count_vectors(self, model: str) -> int:
        """How many vectors are staged under ``model``."""
        if not self.exists():
            return 0
        sql = "SELECT count(*) FROM embedded WHERE model = ?"
        return int(self._db().execute(sql, (model,)).fetchone()[0])

    # -- parsed files -------------------------------------------------------------------------

    def parsed(self, path: str, sha256: str, pipeline: str) -> tuple[Document, list[str]] | None:
        """A file parsed by an earlier, unfinished build: its document (before its sidecar
        is applied) and its segmented paragraph texts; None when there is none."""
        if not self.exists():
            return None
        row = (
            self._db()
            .execute(
                "SELECT record, segmented FROM parsed WHERE path = ? AND sha256 = ? "
                "AND pipeline = ?",
                (path, sha256, pipeline),
            )
            .fetchone()
        )
        if row is None:
            return None
        record, segmented = _unpack(row[0]), _unpack(row[1])
        assert isinstance(record, dict) and isinstance(segmented, list)
        return document_from_record(record), [str(s) for s in segmented]

    def put_parsed(self, path: str, pipeline: str, doc: Document, segmented: Sequence[str]) -> None:
        """Keep one parsed file, in one durable commit."""
        db = self._db()
        with db:
            db.execute("BEGIN")
            db.execute(
                "INSERT OR REPLACE INTO parsed (path, sha256, pipeline, record, segmented) "
                "VALUES (?, ?, ?, ?, ?)",
                (path, doc.sha256, pipeline, _pack(document_record(doc)), _pack(list(segmented))),
            )

    # -- the start and the end of a build ------------------------------------------------------

    def forget_others(self, model: str, pipeline: str) -> None:
        """Drop what another model embedded or another version of the parser parsed (a build
        stopped before the model or the code changed): it will never be used."""
        if not self.exists():
            return
        db = self._db()
        with db:
            db.execute("BEGIN")
            db.execute("DELETE FROM embedded WHERE model != ?", (model,))
            db.execute("DELETE FROM parsed WHERE pipeline != ?", (pipeline,))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def remove(self) -> None:
        """Forget everything staged (after a commit: the catalog holds it now)."""
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
