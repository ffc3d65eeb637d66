"""Read + clean + structure one plan file (the contract in CONTRACTS.md)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from pathlib import Path

from indexer.errors import UnreadableFileError
from indexer.model import Document, DocumentMeta
from indexer.readers import READERS, read_document
from indexer.structure import build_document

SUPPORTED_SUFFIXES = set(READERS)
SIDECAR_SUFFIX = ".meta.json"


def slugify(stem: str) -> str:
    """'2025 Ban Quản lý KKT' → '2025-ban-quan-ly-kkt'."""
    text = unicodedata.normalize("NFD", stem.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "document"


def discover(corpus: Path) -> list[Path]:
    """Plan files under ``corpus`` (recursive, sorted), without sidecars or hidden files."""
    corpus = Path(corpus)
    out = []
    for path in sorted(corpus.rglob("*")):
        rel = path.relative_to(corpus)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.name.endswith(SIDECAR_SUFFIX):
            continue
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            out.append(path)
    return out


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def apply_sidecar(meta: DocumentMeta, path: Path) -> DocumentMeta:
    """Override fields from ``<stem>.meta.json`` if it exists."""
    side = sidecar_path(path)
    if not side.is_file():
        return meta
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFileError(
            side, f"invalid JSON sidecar ({exc})", "fix or remove it"
        ) from exc
    if not isinstance(data, dict):
        raise UnreadableFileError(side, "sidecar must hold a JSON object", "fix or remove it")
    known = {f.name for f in dataclasses.fields(DocumentMeta)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise UnreadableFileError(
            side, f"unknown field(s) {', '.join(unknown)}", f"use only {', '.join(sorted(known))}"
        )
    if "year" in data and data["year"] is not None:
        try:
            data["year"] = int(data["year"])
        except (TypeError, ValueError) as exc:
            raise UnreadableFileError(side, "year must be a number", "fix the sidecar") from exc
    return dataclasses.replace(meta, **data)


def parse_file(path: Path, corpus_root: Path | None = None) -> Document:
    """Read, clean and structure one plan; UnreadableFileError if it cannot be read."""
    path = Path(path)
    raw = read_document(path)
    data = path.read_bytes()
    rel = path.name
    if corpus_root is not None:
        try:
            rel = path.resolve().relative_to(Path(corpus_root).resolve()).as_posix()
        except ValueError:
            rel = path.name
    doc_id = slugify(path.stem)
    doc = build_document(raw, doc_id, rel, hashlib.sha256(data).hexdigest())
    if not doc.paragraphs:
        raise UnreadableFileError(path, "no text found after cleaning", "check the file's content")
    doc.meta = apply_sidecar(doc.meta, path)
    return doc
