"""A damaged index (a file truncated, overwritten or missing) as one line, never a traceback.

The reader (``indexer.store``) names the damaged part when it opens a generation (its
``IndexDamagedError`` carries ``part``); SQLite may also find a damaged page only when a
request reads it. Either way the service answers 503 with ``DamagedIndexError``: which part
cannot be read and the command that repairs it, without server paths (the log line has them).
"""

from __future__ import annotations

import sqlite3

from indexer.errors import IndexNotFoundError

REPAIR = "python -m indexer build --corpus CORPUS --index INDEX --rebuild"
CATALOG = "catalog.sqlite"


class DamagedIndexError(IndexNotFoundError):
    """The index cannot be read: one of its files is damaged (503 until it is repaired)."""

    exit_code = 10


def damaged_part(exc: BaseException) -> str | None:
    """The index file a failure says is damaged, or None when the failure is not damage."""
    part = getattr(exc, "part", None)  # indexer.errors.IndexDamagedError
    if isinstance(exc, IndexNotFoundError) and part:
        return str(part).split("/", 1)[-1] if str(part).startswith("gen-") else str(part)
    if isinstance(exc, sqlite3.DatabaseError):
        return CATALOG
    return None


def for_clients(part: str) -> DamagedIndexError:
    """The 503 clients see: the part and the repair, no server path."""
    return DamagedIndexError(
        f"the index is damaged ({part} of the live index cannot be read) — repair it with: "
        f"{REPAIR}; the service picks the repaired index up without restart"
    )


def with_path(index_dir: object, exc: BaseException) -> DamagedIndexError:
    """The one line for the log and the CLI: the index directory, the part, the repair."""
    if isinstance(exc, IndexNotFoundError) and getattr(exc, "part", None):
        return DamagedIndexError(str(exc))  # the reader's own line already says all that
    detail = " ".join(str(exc).split())[:160]
    return DamagedIndexError(
        f"index at {index_dir}: {damaged_part(exc)} is damaged ({detail}) — repair it with: "
        f"python -m indexer build --corpus CORPUS --index {index_dir} --rebuild"
    )
