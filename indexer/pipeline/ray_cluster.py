"""The build's work on the workers of a Ray cluster (``--cluster ADDRESS``).

Reading (with OCR and conversion), segmentation and embedding run as Ray tasks, one CPU
each, wherever the cluster has a free CPU (a file is read in a bounded process there too,
``bounded``: the same limits per file as a local build); the build that started them stays
the one writer of the index (catalog, FAISS, tantivy), so a cluster build writes the same
index as a local one. A file's bytes travel with its task (the workers need no access to the
corpus); each worker process loads the model once (``jobs.embed_job``) and keeps it.

Failures: a task whose worker process or machine dies is run again elsewhere (Ray's
``max_retries``), so a lost worker costs only the files and batches it had in flight; a file
that keeps killing its worker (``RETRIES`` times) is skipped with one line. Results are kept
by the build as they arrive (the staging file), so a build stopped with its cluster resumes
like a local one. Every machine must run the same version of the indexer: checked on each
node before any work is sent.

Only ``indexer.pipeline.executor_for`` imports this module: without ``--cluster`` Ray is
never imported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from indexer.errors import IndexerError
from indexer.pipeline.bounded import read_bounded
from indexer.pipeline.jobs import FileJob, Parsed, embed_job

RETRIES = 3  # times a task is run again after its worker or its machine died
IN_FLIGHT = 2  # tasks sent per CPU of the cluster before waiting for one to finish


class ClusterError(IndexerError):
    """The cluster cannot be reached or cannot do the work (one line, what to do)."""

    exit_code = 11


def _versions() -> dict[str, Any]:
    """What a worker runs: the parsing code's version and the Python it runs on."""
    import sys

    from indexer.build import pipeline_version

    return {"pipeline": pipeline_version(), "python": sys.version.split()[0]}


class RayExecutor:
    """Sends the build's files and batches to the Ray cluster at ``address`` (``host:port``
    of a cluster this machine is part of, or ``ray://host:10001`` through Ray Client)."""

    def __init__(self, address: str, model: dict):
        try:
            import ray
        except ImportError:
            raise ClusterError(
                "--cluster needs Ray: pip install 'cchc-search[cluster]' (or ray) on this "
                "machine and on every worker"
            ) from None
        self._ray = ray
        self.address = address
        self.model = model
        try:
            ray.init(
                address=address,
                logging_level=logging.ERROR,
                log_to_driver=False,
                configure_logging=False,
            )
        except Exception as exc:
            detail = " ".join(str(exc).split())[:200]
            raise ClusterError(
                f"cannot reach the Ray cluster at {address} ({detail}) — start its head with "
                "`ray start --head` and pass the address it prints"
            ) from None
        try:
            self.workers = max(1, int(ray.cluster_resources().get("CPU", 0)))
            self._parse = ray.remote(num_cpus=1, max_retries=RETRIES)(read_bounded)
            self._embed = ray.remote(num_cpus=1, max_retries=RETRIES)(embed_job)
            self._check_workers()
        except BaseException:
            ray.shutdown()
            raise

    def _check_workers(self) -> None:
        """Every node with a CPU runs the same indexer (same parsing code) as this one."""
        ray = self._ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = _versions()
        nodes = [n for n in ray.nodes() if n.get("Alive") and n["Resources"].get("CPU", 0) > 0]
        if not nodes:
            raise ClusterError(
                f"the Ray cluster at {self.address} has no worker with a CPU — start one "
                "with `ray start --address ADDRESS`"
            )
        check = ray.remote(num_cpus=1, max_retries=RETRIES)(_versions)
        refs = {
            n["NodeManagerAddress"]: check.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)
            ).remote()
            for n in nodes
        }
        for where, ref in refs.items():
            theirs = ray.get(ref)
            if theirs["pipeline"] != here["pipeline"]:
                raise ClusterError(
                    f"the worker at {where} runs another version of the indexer (parsing code "
                    f"{theirs['pipeline']}, here {here['pipeline']}) — install the same version "
                    "on every machine of the cluster"
                )

    # -- the work ---------------------------------------------------------------------------

    def _run(self, submit: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple]:
        """(item, result or the exception that ended it) for every item, as tasks finish,
        with at most ``IN_FLIGHT`` tasks per CPU sent at a time (the rest wait here, so a
        large corpus is never all in the cluster's memory at once)."""
        ray = self._ray
        window = IN_FLIGHT * self.workers
        pending: dict[Any, Any] = {}
        source = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                item = next(source, None)
                if item is None:
                    exhausted = True
                else:
                    pending[submit(item)] = item
            if not pending:
                return
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                item = pending.pop(ref)
                try:
                    yield item, ray.get(ref)
                except (ray.exceptions.RayError, OSError) as exc:
                    yield item, exc

    def parse(self, jobs: Iterable[FileJob]) -> Iterator[Parsed]:
        for job, outcome in self._run(lambda j: self._parse.remote(j), jobs):
            if isinstance(outcome, Parsed):
                yield outcome
                continue
            detail = " ".join(str(outcome).split())[:160]
            line = (
                f"{job.rel}: its worker stopped {RETRIES + 1} times while reading it "
                f"({type(outcome).__name__}: {detail}) — check the file (too large, or a scan "
                "that exhausts memory?)"
            )
            yield Parsed(job.rel, job.sha256, lines=[line], unexpected=True)

    def embed(self, batches: Iterable[list[str]]) -> Iterator[tuple[list[str], np.ndarray]]:
        for texts, outcome in self._run(lambda t: self._embed.remote(self.model, t), batches):
            if isinstance(outcome, BaseException):
                detail = " ".join(str(outcome).split())[:200]
                raise ClusterError(
                    f"embedding failed on the Ray cluster at {self.address} "
                    f"({type(outcome).__name__}: {detail}) — run the build again: the "
                    "batches already embedded are kept"
                )
            yield texts, np.asarray(outcome, dtype=np.float32)

    def close(self) -> None:
        self._ray.shutdown()
