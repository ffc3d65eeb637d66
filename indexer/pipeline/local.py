"""The build's work in this process, one file and one batch after the other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from indexer import progress
from indexer.pipeline.bounded import BoundedReader
from indexer.pipeline.jobs import FileJob, Parsed

if TYPE_CHECKING:
    from indexer.embeddings import Embedder


class LocalExecutor:
    """Reads each file in a bounded worker process (``bounded``: a time and a memory limit
    per file) and embeds in the calling process; OCR pages get their own progress bar."""

    workers = 1

    def __init__(self, embedder: Callable[[], Embedder], *, quiet: bool = True):
        self._embedder = embedder  # called once there is something to embed
        self.quiet = quiet

    def parse(self, jobs: Iterable[FileJob]) -> Iterator[Parsed]:
        pages = progress.OcrPages(self.quiet)
        try:
            with BoundedReader() as read:
                for job in jobs:
                    yield read(job, pages)
        finally:
            pages.close()

    def embed(self, batches: Iterable[list[str]]) -> Iterator[tuple[list[str], np.ndarray]]:
        for texts in batches:
            vectors = self._embedder().embed_passages(texts)
            yield texts, np.asarray(vectors, dtype=np.float32)

    def close(self) -> None:
        pass
