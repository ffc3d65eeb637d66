"""Building at scale: a local build beside the same build on a Ray cluster of one worker,
the embedder alone (one vector per paragraph), a build killed half-way and finished, and the
time projected for 1 M and 5 M paragraphs.

Corpus: the smallest real documents of ``../shared/corpus-real`` (whole, as published). The
cluster is a real one on this machine: a head with no CPU (it only coordinates) and one worker
node with every CPU, each its own raylet process (``ray.cluster_utils.Cluster``). Local and
cluster builds alternate (``rounds`` each, fresh index every time); figures are medians.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus-real"
SIZES = (1_000_000, 5_000_000)
WORKERS = (1, 10, 50, 100)


def _build(corpus: Path, index: Path, cluster: str | None = None) -> dict:
    from indexer.build import build_index

    shutil.rmtree(index, ignore_errors=True)
    t0 = time.perf_counter()
    r = build_index(corpus, index, quiet=True, cluster=cluster)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "paragraphs": r.paragraphs,
        "texts": r.embedded + r.embedded_context,
        "stages": r.stages,
    }


def one_vector_rate(corpus: Path, batch: int = 16) -> dict:
    """Paragraphs/s of the embedder alone, one vector per paragraph (its own text), in the
    build's batch size: what the build's throughput is compared with."""
    from indexer.embeddings import load_embedder
    from indexer.parse import discover, parse_file

    embedder = load_embedder()
    texts = [p.text for f in discover(corpus) for p in parse_file(f, corpus).paragraphs]
    embedder.embed_passages(texts[:batch])  # warm
    t0 = time.perf_counter()
    for at in range(0, len(texts), batch):
        embedder.embed_passages(texts[at : at + batch])
    seconds = time.perf_counter() - t0
    return {"paragraphs": len(texts), "seconds": round(seconds, 2), "per_s": len(texts) / seconds}


def scaleout_figures(work: Path, documents: int = 20, rounds: int = 3) -> dict:
    """See the module docstring; ``documents``: how many of the smallest real documents."""
    from ray.cluster_utils import Cluster

    from bench.resume import killed_then_resumed, real_corpus

    corpus = real_corpus(REAL, work / "scale-corpus", documents)
    alone = one_vector_rate(corpus)
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    cpus = os.cpu_count() or 1
    cluster = Cluster(
        initialize_head=True,
        connect=False,
        head_node_args={"num_cpus": 0, "include_dashboard": False, "temp_dir": temp},
    )
    cluster.add_node(num_cpus=cpus, object_store_memory=200 * 2**20)
    cluster.wait_for_nodes()
    local, remote = [], []
    try:
        for _ in range(rounds):
            local.append(_build(corpus, work / "scale-local"))
            remote.append(_build(corpus, work / "scale-cluster", cluster.address))
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)
    paragraphs = local[0]["paragraphs"]
    local_s = statistics.median(b["seconds"] for b in local)
    cluster_s = statistics.median(b["seconds"] for b in remote)
    writing = statistics.median(
        sum(v for k, v in b["stages"].items() if k not in ("parse", "embed")) for b in local
    )
    worker_rate = paragraphs / (cluster_s - writing)  # reading + embedding, one worker
    resume = killed_then_resumed(corpus, work / "scale-resume", seed=20261206)
    projection = {
        str(n): {
            str(w): round((n / (w * worker_rate) + n * writing / paragraphs) / 3600, 2)
            for w in WORKERS
        }
        for n in SIZES
    }
    return {
        "corpus": f"the {documents} smallest documents of ../shared/corpus-real",
        "documents": documents,
        "paragraphs": paragraphs,
        "texts_embedded": local[0]["texts"],
        "rounds": rounds,
        "cpus": cpus,
        "one_vector_per_s": round(alone["per_s"], 2),
        "local_seconds": [round(b["seconds"], 1) for b in local],
        "cluster_seconds": [round(b["seconds"], 1) for b in remote],
        "local_per_s": round(paragraphs / local_s, 2),
        "cluster_per_s": round(paragraphs / cluster_s, 2),
        "local_vs_one_vector": round(paragraphs / local_s / alone["per_s"], 3),
        "cluster_overhead": round(cluster_s / local_s, 3),
        # each round's cluster build over the local one just before it: robust to a machine
        # that is busier in one part of the run than in another
        "cluster_overhead_paired": round(
            statistics.median(
                c["seconds"] / b["seconds"] for b, c in zip(local, remote, strict=True)
            ),
            3,
        ),
        "writing_seconds": round(writing, 2),
        "worker_per_s": round(worker_rate, 2),
        "resume": resume,
        "resume_per_s": resume["resumed_per_s"],
        "projection_hours": projection,
        "projection_note": "hours = paragraphs / (workers × worker_per_s) + paragraphs × "
        "writing_seconds / paragraph (one writer); a worker = this 2-core machine",
    }
