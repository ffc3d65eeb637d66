"""Readers: one per file format, dispatched by suffix."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from indexer import limits
from indexer.errors import UnreadableFileError
from indexer.readers.base import PAGE_BREAK, RawDocument
from indexer.readers.docx import read_docx
from indexer.readers.html import read_html
from indexer.readers.legacy_word import read_doc, read_rtf
from indexer.readers.markdown import read_markdown
from indexer.readers.pdf import read_pdf
from indexer.readers.txt import read_txt

READERS: dict[str, Callable[[Path, bytes | None], RawDocument]] = {
    ".txt": read_txt,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".doc": read_doc,  # Word 97–2003, through LibreOffice (legacy_word.py)
    ".rtf": read_rtf,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
}

MAX_FILE_MB = limits.FILE_MB.default  # CCHC_MAX_FILE_MB overrides it
MAX_FILE_MB_ENV = limits.FILE_MB.env

__all__ = [
    "MAX_FILE_MB",
    "PAGE_BREAK",
    "READERS",
    "RawDocument",
    "max_file_mb",
    "read_bytes",
    "read_document",
]


def max_file_mb() -> float:
    """The size limit in MB: $CCHC_MAX_FILE_MB if it is a positive number, else MAX_FILE_MB."""
    return limits.FILE_MB.value()


def read_bytes(path: Path) -> bytes:
    """A plan file's bytes, read once (hash and parse use the same bytes), within the size
    limit; UnreadableFileError for a missing, empty, unreadable or too large file."""
    path = Path(path)
    try:
        # O_NONBLOCK: a FIFO put in place of a plan does not hang the build
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise UnreadableFileError(
                    path, "not a regular file (a FIFO, device or socket)", "put the file here"
                )
            size = st.st_size
            limit = max_file_mb()
            if size > limit * 1024 * 1024:
                raise UnreadableFileError(
                    path,
                    f"the file is too large ({size / 1024 / 1024:.1f} MB; the limit is "
                    f"{limit:g} MB)",
                    f"split it into smaller files, or raise the limit with {MAX_FILE_MB_ENV}",
                )
            data = fh.read(int(limit * 1024 * 1024) + 1)
    except FileNotFoundError:
        raise UnreadableFileError(path, "file not found", "check the path") from None
    except PermissionError:
        raise UnreadableFileError(
            path, "permission denied", "let the indexing user read it (chmod/chown)"
        ) from None
    except IsADirectoryError:
        raise UnreadableFileError(path, "a directory, not a file", "rename it") from None
    except OSError as exc:
        raise UnreadableFileError(
            path, f"cannot open ({exc.strerror or exc})", "check the file and its name"
        ) from None
    if len(data) > limit * 1024 * 1024:  # it grew while being read
        raise UnreadableFileError(path, "the file changed while being read", "index it again")
    if not data:
        raise UnreadableFileError(path, "the file is empty", "check that it is the right file")
    return data


def read_document(path: Path, data: bytes | None = None) -> RawDocument:
    """Read a plan file (or its bytes, already read) into raw text (+ tables);
    UnreadableFileError if we cannot."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFileError(
            path,
            f"unsupported format {path.suffix or '(no suffix)'!r}",
            f"convert it to one of {', '.join(sorted(READERS))}",
        )
    if data is None:
        data = read_bytes(path)
    try:
        return reader(path, data)
    except UnreadableFileError:
        raise
    except Exception as exc:  # a library failing on a malformed file: one line, not a trace
        detail = " ".join(str(exc).split())[:120]
        raise UnreadableFileError(
            path,
            f"cannot read the file ({exc.__class__.__name__}{': ' + detail if detail else ''})",
            "check that it opens normally, then export or save it again",
        ) from exc
