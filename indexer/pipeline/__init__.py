"""Where a build's heavy work runs: reading and parsing files, and embedding texts.

The build (``indexer.build``) decides what to do and writes the index alone; an executor does
the work and hands results back in any order:

- ``LocalExecutor`` (``local``): in this process — the default.
- ``RayExecutor`` (``ray_cluster``): on the workers of a Ray cluster (``--cluster ADDRESS``);
  imported, and Ray with it, only when a cluster is asked for.

The work itself (``jobs``: one file read + parsed + segmented; one batch of texts embedded)
is the same function on either, so a cluster build writes the same index as a local one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from indexer.pipeline.jobs import Executor, FileJob, Parsed
from indexer.pipeline.local import LocalExecutor

if TYPE_CHECKING:
    from indexer.embeddings import Embedder

__all__ = ["Executor", "FileJob", "LocalExecutor", "Parsed", "executor_for"]


def executor_for(
    cluster: str | None, embedder: Callable[[], Embedder], model: dict, *, quiet: bool = True
) -> Executor:
    """The local executor (``cluster`` None; ``embedder`` gives the model when there is
    something to embed), or one over the Ray cluster at ``cluster`` (whose workers load the
    model ``model`` records)."""
    if cluster is None:
        return LocalExecutor(embedder, quiet=quiet)
    from indexer.pipeline.ray_cluster import RayExecutor

    return RayExecutor(cluster, model)
