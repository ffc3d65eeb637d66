"""``IndexWriter``: the one way anything writes an index directory.

A writer holds the build lock and the catalog's read-write connection. Its ``generation()``
runs one whole generation as a single catalog write transaction::

    BEGIN IMMEDIATE → clear / remove / add rows (the caller's changes) → [re-extract mentions]
    → write the generation's vectors.faiss, lexical/, diacritics.json and manifest.json from
    that same connection (it sees its own uncommitted rows) → fsync the generation → record
    its name in ``meta`` → COMMIT → rewrite ``CURRENT`` (the service's change signal) →
    checkpoint the WAL → remove old generations (the previous one is kept for readers on it)

An exception before COMMIT (Ctrl-C, kill, a full disk) rolls the catalog back and removes
the unfinished generation directory (or the next writer does); readers keep their snapshot of
the old state throughout. SQLite and OS errors leave the writer as ``IndexDamagedError`` or
``DiskFullError``. What the caller decides — which files changed, their paragraphs, vectors
and segmented texts — it hands over; what the index derives from its rows (vector and lexical
indexes, the corpus vocabulary, counts, the file table) the writer computes.
"""

from __future__ import annotations

import errno
import json
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from indexer.errors import DiskFullError, IndexDamagedError, IndexLockedError
from indexer.model import Document
from indexer.store import catalog
from indexer.store import manifest as mf
from indexer.store.ann import DEFAULT_ANN_PARAMS, ANNIndex, ann_type_for, create_ann, load_ann
from indexer.store.lexical import LexicalIndex, LexicalWriter
from indexer.text.acronyms import mine as mine_abbreviations
from indexer.text.analyze import ANALYZER_VERSION
from indexer.text.diacritics import build_table as build_diacritics

VOCABULARY_PARAGRAPHS = 50_000  # what the abbreviations and diacritics are learnt from, at most
VOCABULARY_STALE = 0.05  # relearnt once this share of the paragraphs changed since last learnt
Extract = Callable[[str], list]  # paragraph text → its references (indexer.references)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _vocabulary_sample(documents, n_paragraphs: int) -> list[list[str]]:
    """Every document's paragraphs up to VOCABULARY_PARAGRAPHS in all; beyond, every k-th
    document (evenly across the corpus), so learning the vocabulary stays bounded in time
    and memory however large the index grows."""
    step = max(1, -(-n_paragraphs // VOCABULARY_PARAGRAPHS))
    return [texts for k, texts in enumerate(documents) if k % step == 0]


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:120]


class IndexWriter:
    """Write access to the index at ``index_dir`` (created when missing).

    ``rebuild``: the next generation starts from nothing (a damaged catalog is then moved
    aside as ``catalog.sqlite.damaged`` after a full check, instead of being an error).
    ``extract``: the reference extractor for the mentions table (None: no mentions).
    ``durable=False`` (benchmarks' throwaway indexes only): no synchronous writes.
    Another writer on the same directory raises ``IndexLockedError``.
    """

    def __init__(
        self,
        index_dir: Path,
        *,
        rebuild: bool = False,
        extract: Extract | None = None,
        warn: Callable[[str], None] = _stderr,
        durable: bool = True,
    ):
        self.index_dir = Path(index_dir)
        self.rebuild = rebuild
        self.extract = extract
        self.warn = warn
        self.stages: dict[str, float] = {}  # seconds per step of the last generation
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.index_dir / mf.LOCK))
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise IndexLockedError(
                f"another build is running on {self.index_dir} (it holds "
                f"{self.index_dir / mf.LOCK}) — wait for it to finish, then run the build again"
            ) from None
        try:
            with self.translated():
                self.conn = self._open_catalog()
                if not durable:
                    self.conn.execute("PRAGMA synchronous=OFF")
                self._read_live()
        except BaseException:
            self._lock.release()
            raise

    # -- opening ---------------------------------------------------------------------------

    def _open_catalog(self) -> sqlite3.Connection:
        """The catalog; a damaged one is an error naming the repair, or (rebuild, after a
        full check) is moved aside and a new one started."""
        path = self.index_dir / mf.CATALOG
        try:
            conn = catalog.connect(path)
            if self.rebuild:  # a full check reads every page: worth it only before a rebuild
                (verdict,) = conn.execute("PRAGMA quick_check(1)").fetchone()
                if verdict != "ok":
                    conn.close()
                    raise sqlite3.DatabaseError(verdict)
            catalog.live_generation(conn)
            return conn
        except sqlite3.DatabaseError as exc:
            if not self.rebuild:
                raise IndexDamagedError(self.index_dir, mf.CATALOG, exc) from None
            self.warn(f"{path}: damaged ({exc}); moved aside to {path.name}.damaged, rebuilding")
            for suffix in ("", "-wal", "-shm"):
                side = path.with_name(path.name + suffix)
                if side.exists():
                    side.replace(path.with_name(path.name + ".damaged" + suffix))
            return catalog.connect(path)

    def _read_live(self) -> None:
        """The live generation and its manifest (``prev``); a format-1 index (a catalog
        inside each generation) is found as ``legacy_dir`` and converted by a full build."""
        live = catalog.live_generation(self.conn)
        self.legacy_dir = mf.legacy_generation(self.index_dir) if live is None else None
        self.prev_name = live or (self.legacy_dir.name if self.legacy_dir else None)
        self.prev_dir: Path | None = None
        self.prev: dict | None = None
        if self.prev_name and (self.index_dir / self.prev_name / mf.MANIFEST).is_file():
            self.prev_dir = self.index_dir / self.prev_name
            try:
                self.prev = mf.read_manifest(self.prev_dir)
            except (ValueError, OSError) as exc:
                if not self.rebuild:
                    self.conn.close()
                    part = f"{self.prev_name}/{mf.MANIFEST}"
                    raise IndexDamagedError(self.index_dir, part, exc) from None
                self.prev_dir = None  # rebuilt from scratch: the old generation is not read

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            self._lock.release()

    @contextmanager
    def translated(self) -> Iterator[None]:
        """SQLite and OS failures as the index's own errors (what, where, what to do)."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if "disk is full" in str(exc):
                raise self._disk_full() from None
            raise IndexDamagedError(self.index_dir, mf.CATALOG, exc) from None
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise self._disk_full() from None
            raise

    def _disk_full(self) -> DiskFullError:
        return DiskFullError(
            f"no space left on the device of {self.index_dir} while writing the index — free "
            "some space and run the build again (the index was left as it was before this build)"
        )

    # -- what the caller asks before deciding what changed --------------------------------

    @property
    def incremental(self) -> bool:
        """Will the next generation start from the live one (not from nothing)?"""
        return self.prev is not None and not self.rebuild and self.legacy_dir is None

    def indexed_files(self) -> dict[str, tuple[str, str]]:
        """``{path: (doc_id, sha256)}`` of the live documents ({} when starting afresh)."""
        return catalog.indexed_files(self.conn) if self.incremental else {}

    def known_vectors(self, texts: Sequence[str], context: bool = False) -> dict[str, bytes]:
        """Stored vectors of these texts, by text (``context``: of passages in context):
        from the catalog, from a format-1 index's own catalog when converting it, none on a
        rebuild."""
        by_hash = {catalog.text_hash(t): t for t in texts}
        if self.incremental:
            found = catalog.vectors_for_hashes(self.conn, by_hash, context)
        elif self.legacy_dir is not None and not self.rebuild and not context:
            legacy = catalog.connect_readonly(self.legacy_dir / mf.CATALOG, immutable=True)
            try:
                found = catalog.vectors_for_hashes(legacy, by_hash)
            finally:
                legacy.close()
        else:
            found = {}
        return {by_hash[h]: vec for h, vec in found.items()}

    def live_damaged(self) -> bool:
        """Do the live generation's vectors or lexical index fail to open? (Then a new
        generation is worth writing even with no change: it rebuilds them from the rows.)"""
        if not self.incremental or self.prev_dir is None:
            return False
        try:
            load_ann(self.prev_dir / mf.VECTORS, (self.prev or {}).get("ann", {})).close()
            LexicalIndex(self.prev_dir / mf.LEXICAL).close()
        except (RuntimeError, OSError, ValueError):
            return True
        return False

    def settle(self) -> None:
        """``CURRENT`` follows the catalog, and generations left by crashed builds go."""
        live = self.prev_name if self.legacy_dir is None else None
        if live and mf.current_generation(self.index_dir) != live:
            mf.switch_current(self.index_dir, live)
        keep = {self.prev_name, (self.prev or {}).get("previous")}
        mf.remove_generations(self.index_dir, {k for k in keep if k})

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def generation(
        self, ann_params: dict | None = None, remention: bool = False
    ) -> Iterator[Generation]:
        """A new generation: make the changes on the yielded ``Generation``, then call its
        ``commit``; leaving the block without committing (or by an exception) abandons it.
        ``remention``: re-extract the mentions of every paragraph (the extractor changed)."""
        with self.translated():
            gen = Generation(self, {**DEFAULT_ANN_PARAMS, **(ann_params or {})}, remention)
            try:
                yield gen
            except BaseException:
                gen.abandon()
                raise
            if not gen.committed:
                gen.abandon()


class Generation:
    """One generation being written (see the module docstring); made by
    ``IndexWriter.generation``."""

    def __init__(self, writer: IndexWriter, ann_params: dict, remention: bool):
        self.writer = writer
        self.conn = writer.conn
        self.ann_params = ann_params
        self.remention = remention
        self.name = mf.new_generation_name()
        self.dir = writer.index_dir / self.name
        self.full = not writer.incremental
        self.committed = False
        self.counts: dict[str, int] = {}
        self.reading: dict[str, int] = {}  # documents per way of reading (catalog.reading_counts)
        self._added: list[np.ndarray] = []  # rowids added, chunk by chunk
        self._vectors: list[np.ndarray] = []
        self._removed: list[int] = []
        self._catalog_s = 0.0
        writer.stages = {}
        self.dir.mkdir()
        catalog.begin_write(self.conn)
        if self.full:
            catalog.clear(self.conn)

    def _timed(self, since: float) -> None:
        self._catalog_s += time.perf_counter() - since

    def remove(self, doc_id: str) -> None:
        """Remove a document and everything hanging from it."""
        t = time.perf_counter()
        self._removed += catalog.delete_document(self.conn, doc_id)
        self._timed(t)

    def add(
        self,
        doc: Document,
        segmented: Sequence[str],
        vectors: np.ndarray,
        mentions: Sequence[Sequence] | None = None,
        context: tuple[Sequence[str | None], np.ndarray] | None = None,
    ) -> np.ndarray:
        """Add a document: its paragraphs with their segmented texts (what the lexical index
        reads) and vectors, in paragraph order. ``mentions``: the references of each
        paragraph, when the caller has them; else the writer's extractor finds them.
        ``context``: the texts (None: none) and vectors of the paragraphs embedded in their
        context (what search re-ranks its best candidates by).
        Returns the paragraphs' rowids (their ids in the vector index)."""
        t = time.perf_counter()
        catalog.insert_document(self.conn, doc)
        own = _own_keys(doc.meta.number)
        rowids = np.empty(len(doc.paragraphs), dtype=np.int64)
        extract = None if self.remention else self.writer.extract
        for i, (p, seg) in enumerate(zip(doc.paragraphs, segmented, strict=True)):
            rowid = rowids[i] = catalog.insert_paragraph(self.conn, p, seg)
            refs = mentions[i] if mentions is not None else extract(p.text) if extract else ()
            if refs:
                catalog.insert_mentions(self.conn, rowid, doc.doc_id, refs, own)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(rowids), -1)
        catalog.insert_vectors(self.conn, rowids, vectors)
        if context is not None:
            texts, in_context = context
            given = {i: text for i, text in enumerate(texts) if text is not None}
            at = list(given)
            if at:
                rows = [(int(rowids[i]), catalog.text_hash(given[i])) for i in at]
                in_context = np.asarray(in_context, dtype=np.float32)[at]
                catalog.insert_context_vectors(self.conn, rows, in_context)
        self._added.append(rowids)
        if not self.full:  # a full generation builds its vector index from the catalog
            self._vectors.append(vectors)
        self._timed(t)
        return rowids

    def commit(self, model: dict, manifest: dict[str, Any], sidecars: dict | None = None) -> None:
        """Derive the generation's files from the rows, write its manifest (``model``: the
        embedder's record; ``manifest``: the caller's own entries, e.g. the pipeline
        version; ``sidecars``: sidecar sha256 by path, kept for indexed files), fsync, and
        make it live."""
        stages = self.writer.stages
        t = time.perf_counter()
        self._mentions()
        self.counts = counts = catalog.counts(self.conn)
        self.reading = catalog.reading_counts(self.conn)
        files = {rel: sha for rel, (_id, sha) in catalog.indexed_files(self.conn).items()}
        stages["catalog"] = round(self._catalog_s + time.perf_counter() - t, 3)
        t = time.perf_counter()
        ann = self._write_ann(int(model["dim"]), counts["vectors"])
        ann_record = ann.describe()
        ann.close()
        t = self._stage("ann", t)
        self._write_lexical()
        t = self._stage("lexical", t)
        abbreviations, vocabulary = self._write_vocabulary(counts["paragraphs"])
        t = self._stage("vocabulary", t)
        prev = self.writer.prev_name
        record = {
            "format_version": mf.FORMAT_VERSION,
            "model": model,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "counts": counts,
            "reading": self.reading,
            "ann": ann_record,
            "analyzer": ANALYZER_VERSION,
            "previous": prev,
            **manifest,
            "files": files,
            "sidecars": {rel: sha for rel, sha in (sidecars or {}).items() if sha and rel in files},
            "abbreviations": abbreviations,
            "vocabulary": vocabulary,
        }
        mf.write_manifest(self.dir, record)
        mf.fsync_tree(self.dir)
        t = self._stage("manifest_fsync", t)
        catalog.set_live_generation(self.conn, self.name)
        catalog.commit(self.conn)  # the switch: catalog rows and generation together
        self.committed = True
        t = self._stage("commit", t)
        index_dir = self.writer.index_dir
        mf.switch_current(index_dir, self.name)
        t = self._stage("current", t)
        catalog.checkpoint(self.conn)
        t = self._stage("checkpoint", t)
        mf.remove_generations(index_dir, {self.name} | ({prev} if prev else set()))
        self._stage("cleanup", t)

    def _stage(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.writer.stages[name] = round(now - since, 3)
        return now

    def abandon(self) -> None:
        """Roll the catalog back and remove the unfinished generation — unless the commit
        went through before the interruption (then it is live and stays)."""
        try:
            catalog.rollback(self.conn)
            committed = catalog.live_generation(self.conn) == self.name
        except Exception:  # the connection is unusable: leave the directory to the next build
            return
        if not committed:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- what is derived from the rows ----------------------------------------------------

    def _mentions(self) -> None:
        extract = self.writer.extract
        if self.remention:
            catalog.clear_mentions(self.conn)
            if extract is not None:
                numbers = catalog.document_numbers(self.conn)
                for rowid, doc_id, text in list(catalog.paragraph_texts(self.conn)):
                    own = _own_keys(numbers.get(doc_id))
                    catalog.insert_mentions(self.conn, rowid, doc_id, extract(text), own)
        catalog.unify_laws(self.conn)

    def _added_rowids(self) -> np.ndarray:
        return np.concatenate(self._added) if self._added else np.empty(0, dtype=np.int64)

    def _write_ann(self, dim: int, total: int) -> ANNIndex:
        """Vector index: the live one patched (same type and settings) or built anew from
        every vector of the catalog."""
        writer = self.writer
        want = ann_type_for(total, self.ann_params)
        prev_ann = (writer.prev or {}).get("ann", {})
        path = self.dir / mf.VECTORS
        same = prev_ann.get("type") == want and prev_ann.get("params") == self.ann_params
        prev_dir = writer.prev_dir
        if not self.full and same and prev_dir is not None:
            try:
                ann = load_ann(prev_dir / mf.VECTORS, prev_ann)
            except (RuntimeError, OSError, ValueError) as exc:
                writer.warn(
                    f"{prev_dir / mf.VECTORS}: damaged ({_short(exc)}); rebuilt from the "
                    "catalog's vectors"
                )
                ann = None
            if ann is not None and ann.remove(np.asarray(self._removed, dtype=np.int64)):
                if self._added:
                    ann.add(self._added_rowids(), np.concatenate(self._vectors))
                ann.save(path)
                return ann
        ann = create_ann(dim, total, self.ann_params)
        for ids, vecs in catalog.iter_vectors(self.conn, dim):
            ann.add(ids, vecs)
        ann.save(path)
        return ann

    def _write_lexical(self) -> None:
        """Lexical index: a copy of the live one patched (same analyzer) or built anew."""
        writer = self.writer
        target = self.dir / mf.LEXICAL
        lexical = None
        prev_dir = writer.prev_dir
        same = (writer.prev or {}).get("analyzer") == ANALYZER_VERSION
        if not self.full and same and prev_dir is not None:
            try:
                shutil.copytree(prev_dir / mf.LEXICAL, target)
                lexical = LexicalWriter(target)
            except (OSError, ValueError) as exc:
                writer.warn(
                    f"{prev_dir / mf.LEXICAL}: damaged or missing ({_short(exc)}); "
                    "rebuilt from the catalog"
                )
                shutil.rmtree(target, ignore_errors=True)
        if lexical is not None:
            lexical.delete(self._removed)
            rows = catalog.segmented_texts(self.conn, [int(r) for r in self._added_rowids()])
        else:
            lexical = LexicalWriter(target)
            rows = catalog.segmented_texts(self.conn)
        for rowid, text_seg in rows:
            lexical.add(rowid, text_seg)
        lexical.commit()

    def _write_vocabulary(self, n_paragraphs: int) -> tuple[list[list], dict[str, int]]:
        """The corpus's own abbreviations (for the manifest) and diacritics table (a file),
        and the record of when they were learnt: ``{"paragraphs": index size then, "changed":
        paragraphs added or removed since}``. They are estimates from a sample, which a few
        changed plans barely move, so the live generation's are kept until VOCABULARY_STALE
        of the index has changed since they were learnt (at 1M paragraphs relearning takes
        ~15 s, more than the rest of adding a plan)."""
        writer, target = self.writer, self.dir / mf.DIACRITICS
        prev = writer.prev or {}
        learnt = prev.get("vocabulary") or {}
        changed = learnt.get("changed", 0) + len(self._removed) + len(self._added_rowids())
        if (
            not self.full
            and writer.prev_dir is not None
            and "abbreviations" in prev
            and learnt.get("paragraphs", 0) > 0
            and changed < VOCABULARY_STALE * learnt["paragraphs"]
        ):
            try:
                shutil.copyfile(writer.prev_dir / mf.DIACRITICS, target)
                return prev["abbreviations"], {
                    "paragraphs": learnt["paragraphs"],
                    "changed": changed,
                }
            except OSError:
                pass  # missing or unreadable: learnt again below
        texts = _vocabulary_sample(catalog.document_texts(self.conn), n_paragraphs)
        abbreviations = [list(a) for a in mine_abbreviations(texts)]
        table = build_diacritics([t for doc in texts for t in doc])
        target.write_text(json.dumps(table, ensure_ascii=False), "utf-8")
        return abbreviations, {"paragraphs": n_paragraphs, "changed": 0}


def _own_keys(number: str | None) -> frozenset[str]:
    """The document's own number as citation keys (not a citation of itself)."""
    try:
        from indexer.references.corpus import own_keys
    except ImportError:  # no reference extractor installed: nothing to filter
        return frozenset()
    return own_keys(number)
