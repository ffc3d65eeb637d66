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

SUPPORTED_SUFFIXES = set(READERS)
__all__ = ["SIDECAR_SUFFIX", "SUPPORTED_SUFFIXES", "discover", "parse_file", "sidecar_path"]


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
    hash and the text then come from one read); UnreadableFileError if it cannot be read."""
    path = Path(path)
    data = read_bytes(path) if data is None else data
    raw = read_document(path, data)
    rel = path.name
    if corpus_root is not None:
        try:  # the name in the corpus (a link keeps its own name)
            rel = path.relative_to(corpus_root).as_posix()
        except ValueError:
            try:
                rel = path.resolve().relative_to(Path(corpus_root).resolve()).as_posix()
            except ValueError:
                rel = path.name
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
    doc.meta = apply_sidecar(doc.meta, path)
    return doc
