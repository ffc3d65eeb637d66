"""Read + clean + structure one plan file into a ``Document`` (``indexer.model``)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from indexer import limits
from indexer.errors import UnreadableFileError
from indexer.model import Document
from indexer.readers import READERS, read_bytes, read_document
from indexer.scan import scan
from indexer.sidecar import SIDECAR_SUFFIX, apply_sidecar, sidecar_path
from indexer.structure import build_document
from indexer.structure.document import read_tasks

SUPPORTED_SUFFIXES = set(READERS)
__all__ = [
    "SIDECAR_SUFFIX",
    "SUPPORTED_SUFFIXES",
    "corpus_name",
    "discover",
    "parse_data",
    "parse_file",
    "sidecar_path",
]


def slugify(stem: str) -> str:
    """'2025 Ban Quản lý KKT' → '2025-ban-quan-ly-kkt'."""
    text = unicodedata.normalize("NFD", stem.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "document"


def discover(corpus: Path, follow_links: bool = False) -> list[Path]:
    """Plan files under ``corpus`` (recursive, sorted), without sidecars, hidden files or
    anything refused by ``indexer.scan`` (links leading outside the corpus, FIFOs…)."""
    return scan(Path(corpus), SUPPORTED_SUFFIXES, follow_links).files


def parse_file(path: Path, corpus_root: Path | None = None, data: bytes | None = None) -> Document:
    """Read, clean and structure one plan (from ``data``, its bytes, when already read: the
    hash and the text then come from one read), with its sidecar applied;
    UnreadableFileError if it cannot be read, SidecarError for a bad sidecar."""
    path = Path(path)
    data = read_bytes(path) if data is None else data
    doc = parse_data(path, corpus_name(path, corpus_root), data)
    year = doc.meta.year
    doc.meta = apply_sidecar(doc.meta, path)
    if doc.meta.year != year:  # the deadlines' missing years are the plan's
        read_tasks(doc.tasks, doc.meta.year)
    return doc


def corpus_name(path: Path, corpus_root: Path | None) -> str:
    """The file's name in the corpus (a link keeps its own name); its file name alone when
    it is not under ``corpus_root``."""
    if corpus_root is not None:
        try:
            return path.relative_to(corpus_root).as_posix()
        except ValueError:
            try:
                return path.resolve().relative_to(Path(corpus_root).resolve()).as_posix()
            except ValueError:
                pass
    return path.name


def parse_data(path: Path, rel: str, data: bytes) -> Document:
    """A plan's bytes → its Document, without its sidecar: touches no file (``path`` names
    the file in messages and gives its suffix and id), so a worker of another machine can
    run it on bytes it was sent; UnreadableFileError if it cannot be read."""
    path = Path(path)
    raw = read_document(path, data)
    doc_id = slugify(path.stem)
    doc = build_document(raw, doc_id, rel, hashlib.sha256(data).hexdigest())
    if not doc.paragraphs:
        raise UnreadableFileError(path, "no text found after cleaning", "check the file's content")
    cap = limits.PARAGRAPHS.value()
    if len(doc.paragraphs) > cap:
        raise UnreadableFileError(
            path,
            f"{len(doc.paragraphs)} paragraphs (the {limits.PARAGRAPHS.what} limit is {cap:g})",
            limits.PARAGRAPHS.advice(),
        )
    return doc
