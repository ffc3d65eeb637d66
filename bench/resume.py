"""A build killed at a random point, then run again: how much embedding work it costs.

``killed_then_resumed`` builds a corpus three ways with the real embedder: once without
interruption (the reference), once in a child process killed with SIGKILL at a random point
of its embedding (after a random number of batches, plus a random part of a batch), and
once more to finish. The child counts every text it *starts* to embed, so the batch in
flight when it died counts as work done. ``ratio`` = (texts embedded by the killed build +
by the finishing build) / texts embedded by the uninterrupted build; the finished index is
compared with the uninterrupted one. Used by ``make bench`` and by tests/test_resume.py.

Corpus: real documents of ``../shared/corpus-real`` (``real_corpus``), optionally cut to
their first lines (still real text, fewer paragraphs) so a test stays short.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys
from pathlib import Path
from indexer.build import build_index
from indexer.embeddings import load_embedder

log = open(sys.argv[3], "a", encoding="utf-8")
embedder = load_embedder()
real = embedder.embed_passages

def counted(texts):
    log.write(f"{len(texts)}\\n")  # before the work: a batch in flight counts as done
    log.flush()
    return real(texts)

embedder.embed_passages = counted
build_index(Path(sys.argv[1]), Path(sys.argv[2]), embedder=embedder, quiet=True)
print("DONE", flush=True)
"""


def real_corpus(src: Path, dst: Path, documents: int, lines: int | None = None) -> Path:
    """The ``documents`` smallest documents of ``src`` (by size) copied into ``dst``, each
    cut to its first ``lines`` lines when given."""
    dst.mkdir(parents=True, exist_ok=True)
    files = sorted(
        (p for p in src.glob("*.md") if p.name != "README.md"), key=lambda p: p.stat().st_size
    )
    for path in files[:documents]:
        text = path.read_text(encoding="utf-8")
        if lines:
            text = "\n".join(text.splitlines()[:lines]) + "\n"
        (dst / path.name).write_text(text, encoding="utf-8")
    return dst


def _started(log: Path) -> list[int]:
    try:
        return [int(x) for x in log.read_text(encoding="utf-8").split()]
    except FileNotFoundError:
        return []


def killed_then_resumed(corpus: Path, work: Path, seed: int, timeout: float = 1800) -> dict:
    """The three builds (see the module docstring) in ``work``; figures and the two
    indexes' paths."""
    from indexer.build import build_index
    from indexer.embeddings import load_embedder

    rng = random.Random(seed)
    embedder = load_embedder()
    reference = work / "uninterrupted"
    t0 = time.perf_counter()
    full = build_index(corpus, reference, embedder=embedder, quiet=True)
    full_s = time.perf_counter() - t0
    full_texts = full.embedded + full.embedded_context
    batches = -(-full_texts // 16)  # indexer.build.EMBED_BATCH
    # batches started before the kill (never the last: the kill must land mid-embedding),
    # then a random part of a batch (a batch takes about a second here)
    kill_after = rng.randrange(1, max(2, batches - 1))
    extra = rng.uniform(0.0, 1.0)

    index, log = work / "resumed", work / "started.log"
    shutil.rmtree(index, ignore_errors=True)
    log.unlink(missing_ok=True)
    script = work / "child_build.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    spawned = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(script), str(corpus), str(index), str(log)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + timeout
    try:
        while len(_started(log)) < kill_after and proc.poll() is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the build to be killed did not reach its kill point")
            time.sleep(0.05)
        time.sleep(extra)
        finished_first = proc.poll() is not None
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        finished_first = True
    finally:
        proc.kill()
        proc.wait(timeout=60)
    killed_s = time.perf_counter() - spawned
    killed_texts = sum(_started(log))
    t0 = time.perf_counter()
    rest = build_index(corpus, index, embedder=embedder, quiet=True)
    rest_s = time.perf_counter() - t0
    rest_texts = rest.embedded + rest.embedded_context
    return {
        "seed": seed,
        "documents": full.documents,
        "paragraphs": full.paragraphs,
        "uninterrupted_texts": full_texts,
        "uninterrupted_seconds": round(full_s, 2),
        "killed_after_batches": kill_after,
        "killed_extra_seconds": round(extra, 2),
        "killed_before_finishing": not finished_first,
        "killed_build_texts": killed_texts,
        "killed_seconds": round(killed_s, 2),
        "resumed_texts": rest_texts,
        "resumed_from_staging": rest.resumed_vectors,
        "resumed_files": rest.resumed_files,
        "resumed_seconds": round(rest_s, 2),
        "ratio": round((killed_texts + rest_texts) / full_texts, 4) if full_texts else 1.0,
        "resumed_per_s": round(full.paragraphs / (killed_s + rest_s), 2),
        "reference_index": str(reference),
        "resumed_index": str(index),
    }
