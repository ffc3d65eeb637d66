"""Readers: one per file format, dispatched by suffix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indexer.errors import UnreadableFileError
from indexer.readers.base import PAGE_BREAK, RawDocument
from indexer.readers.docx import read_docx
from indexer.readers.pdf import read_pdf
from indexer.readers.txt import read_txt

READERS: dict[str, Callable[[Path], RawDocument]] = {
    ".txt": read_txt,
    ".pdf": read_pdf,
    ".docx": read_docx,
}

__all__ = ["PAGE_BREAK", "READERS", "RawDocument", "read_document"]


def read_document(path: Path) -> RawDocument:
    """Read a plan file into raw text (+ tables); UnreadableFileError if we cannot."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFileError(
            path,
            f"unsupported format {path.suffix or '(no suffix)'!r}",
            f"convert it to one of {', '.join(sorted(READERS))}",
        )
    if not path.is_file():
        raise UnreadableFileError(path, "file not found", "check the path")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFileError(
            path, f"cannot open ({exc.strerror})", "check permissions"
        ) from exc
    if size == 0:
        raise UnreadableFileError(path, "the file is empty", "check that it is the right file")
    return reader(path)
