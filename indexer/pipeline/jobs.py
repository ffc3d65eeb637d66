"""The units of a build's work, and what every executor runs for them.

``parse_job``: one file's bytes → its Document (before its sidecar) and the segmented text
of each paragraph (what the lexical index reads), or the one line that says why it cannot be
read. ``embed_job``: texts → vectors with the index's model, loaded once per process.
Neither reads a file of the corpus nor writes anything: they run wherever their input is
sent, and the build (one writer) keeps their results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from indexer.errors import UnreadableFileError

if TYPE_CHECKING:
    from indexer.embeddings import Embedder
    from indexer.model import Document


@dataclass(slots=True)
class FileJob:
    """One file to read: its name in the corpus, its path as the build sees it (for
    messages and its suffix), its bytes and their sha256."""

    rel: str
    path: str
    data: bytes
    sha256: str


@dataclass(slots=True)
class Parsed:
    """What became of one file: its document and segmented paragraphs, or the lines that
    say why it was not read (``unexpected``: a bug or an OS error, not the file's fault)."""

    rel: str
    sha256: str
    document: Document | None = None
    segmented: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    unexpected: bool = False


class Executor(Protocol):
    """Runs a build's work; results come back in any order."""

    workers: int  # how many run at once (for messages and the bench)

    def parse(self, jobs: Iterable[FileJob]) -> Iterator[Parsed]: ...
    def embed(self, batches: Iterable[list[str]]) -> Iterator[tuple[list[str], np.ndarray]]: ...
    def close(self) -> None: ...


def _shown(rel: str) -> str:
    """A relative path printable as it is (a name that is not UTF-8 shown escaped)."""
    return rel.encode("utf-8", "backslashreplace").decode("utf-8")


def parse_job(job: FileJob) -> Parsed:
    """Read, clean, structure and segment one file; never raises for the file's sake."""
    from indexer.parse import parse_data
    from indexer.text import segment
    from indexer.text.analyze import lexical_text

    try:
        doc = parse_data(Path(job.path), job.rel, job.data)
        segmented = [segment(lexical_text(p.text, p.section, p.kind)) for p in doc.paragraphs]
        return Parsed(job.rel, job.sha256, doc, segmented)
    except UnreadableFileError as exc:
        return Parsed(job.rel, job.sha256, lines=[str(exc)])
    except MemoryError:
        return out_of_memory(job)
    except Exception as exc:  # a bug or an OS error on one file is not a failed build
        detail = " ".join(str(exc).split())[:160]
        line = (
            f"{_shown(job.rel)}: unexpected error while reading it ({type(exc).__name__}: "
            f"{detail}) — check the file; report it if it opens normally"
        )
        return Parsed(job.rel, job.sha256, lines=[line], unexpected=True)


def out_of_memory(job: FileJob, memory_mb: float | None = None) -> Parsed:
    """A file whose reader failed for memory (libraries say so in many ways: a MemoryError,
    an "unknown error" of the XML parser, an abort); ``memory_mb``: the limit it ran under
    (None: the setting's value)."""
    from indexer import limits

    limit = limits.FILE_MEMORY_MB
    mb = limit.value() if memory_mb is None else memory_mb
    line = (
        f"{_shown(job.rel)}: reading it needed more than {mb:g} MB of memory (the limit per "
        f"file) and was stopped — check the file; raise the limit with {limit.env}={mb * 2:g} "
        "if it is genuine"
    )
    return Parsed(job.rel, job.sha256, lines=[line], unexpected=True)


_MODELS: dict[str, Embedder] = {}  # one per process and model: a worker loads it once


def embed_job(model: dict, texts: list[str]) -> np.ndarray:
    """(n, dim) float32 passage vectors of ``texts`` with the model ``model`` records (its
    manifest entry), loaded on the first call in this process."""
    import json

    from indexer.embeddings import embedder_for_index

    key = json.dumps(model, sort_keys=True)
    if key not in _MODELS:
        _MODELS[key] = embedder_for_index({"model": model})
    return np.asarray(_MODELS[key].embed_passages(texts), dtype=np.float32)
