"""Readers: one per file format, dispatched by suffix."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from indexer.errors import UnreadableFileError
from indexer.readers.base import PAGE_BREAK, RawDocument
from indexer.readers.docx import read_docx
from indexer.readers.html import read_html
from indexer.readers.markdown import read_markdown
from indexer.readers.pdf import read_pdf
from indexer.readers.txt import read_txt

READERS: dict[str, Callable[[Path], RawDocument]] = {
    ".txt": read_txt,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
}

MAX_FILE_MB = 50.0  # default size limit; CCHC_MAX_FILE_MB overrides it
MAX_FILE_MB_ENV = "CCHC_MAX_FILE_MB"

__all__ = ["MAX_FILE_MB", "PAGE_BREAK", "READERS", "RawDocument", "max_file_mb", "read_document"]


def max_file_mb() -> float:
    """The size limit in MB: $CCHC_MAX_FILE_MB if it is a positive number, else MAX_FILE_MB."""
    try:
        value = float(os.environ.get(MAX_FILE_MB_ENV, ""))
    except ValueError:
        return MAX_FILE_MB
    return value if value > 0 else MAX_FILE_MB


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
    limit = max_file_mb()
    if size > limit * 1024 * 1024:
        raise UnreadableFileError(
            path,
            f"the file is too large ({size / 1024 / 1024:.1f} MB; the limit is {limit:g} MB)",
            f"split it into smaller files, or raise the limit with {MAX_FILE_MB_ENV}",
        )
    try:
        return reader(path)
    except UnreadableFileError:
        raise
    except Exception as exc:  # a library failing on a malformed file: one line, not a trace
        detail = " ".join(str(exc).split())[:120]
        raise UnreadableFileError(
            path,
            f"cannot read the file ({exc.__class__.__name__}{': ' + detail if detail else ''})",
            "check that it opens normally, then export or save it again",
        ) from exc
