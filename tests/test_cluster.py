"""Building over a real Ray cluster (issue 28, item 3).

A local cluster of two nodes — a head and a worker, each a separate raylet process with one
CPU (``ray.cluster_utils.Cluster``, Ray's own way of testing several machines on one) —
builds the two real plans of ``corpus/``:

1. a first build, driven from a child process that is killed with SIGKILL once some batches
   are staged (the machine running the build stops);
2. the build run again on the cluster: it takes the staged work back, and the worker node
   is removed (its raylet and workers killed) while batches are in flight;

the finished index equals the local build of the same corpus (the session index): same
documents, paragraphs and ids, vectors within 1e-5. And without ``--cluster`` Ray is never
imported.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from indexer.build import build_index
from tests.commands import indexer_build
from tests.indexes import assert_same_index

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
ray = pytest.importorskip("ray", reason="the cluster extra is not installed (pip install ray)")


def _staged(index: Path) -> int:
    """Vectors in the index's staging file (0 when there is none)."""
    path = index / "staging.sqlite"
    if not path.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM embedded").fetchone()[0]
    except sqlite3.OperationalError:  # created, not yet its tables
        return 0


def _wait(predicate, what: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture()
def cluster():
    """A head and a worker node, one CPU each; short paths (Unix sockets live under them)."""
    from ray.cluster_utils import Cluster

    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    node = {"num_cpus": 1, "object_store_memory": 100 * 2**20}
    c = Cluster(
        initialize_head=True,
        connect=False,
        head_node_args={**node, "include_dashboard": False, "temp_dir": temp},
    )
    worker = c.add_node(**node)
    c.wait_for_nodes()
    try:
        yield c, worker
    finally:
        c.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def test_a_cluster_build_survives_its_driver_and_a_worker_and_equals_a_local_one(
    cluster, corpus_dir, index_dir, tmp_path
):
    c, worker = cluster
    index = tmp_path / "index"
    env = {**os.environ, "PYTHONPATH": str(REPO), "RAY_ADDRESS": ""}
    driver = subprocess.Popen(
        indexer_build(corpus_dir, index, "--quiet", "--cluster", c.address),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait(lambda: _staged(index) >= 64 or driver.poll() is not None, "a staged batch")
        assert driver.poll() is None, driver.stderr.read() if driver.stderr else ""
        os.kill(driver.pid, signal.SIGKILL)
    finally:
        driver.kill()
        driver.wait(timeout=60)
    staged = _staged(index)
    assert staged >= 64

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = build_index(corpus_dir, index, quiet=True, cluster=c.address)
        except BaseException as exc:  # reported by the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    _wait(lambda: _staged(index) >= staged + 64 or not thread.is_alive(), "a batch more")
    assert thread.is_alive(), outcome
    c.remove_node(worker)  # the worker machine dies with batches in flight
    thread.join(timeout=1800)
    assert "error" not in outcome, outcome
    result = outcome["result"]
    assert result.resumed_vectors >= staged  # the killed driver's batches were not redone
    assert result.resumed_files == 2  # nor its reading
    assert result.cluster == c.address and result.workers == 2
    assert not (index / "staging.sqlite").exists()
    assert_same_index(index, index_dir)


def test_without_cluster_ray_is_never_imported(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    plan = REPO / "corpus" / "2026-truong-cao-dang-y-te-khanh-hoa.txt"
    text = plan.read_text(encoding="utf-8").splitlines()
    (corpus / "trich-doan.txt").write_text("\n".join(text[:40]) + "\n", encoding="utf-8")
    code = (
        "import sys\nfrom pathlib import Path\nfrom indexer.build import build_index\n"
        f"r = build_index(Path({str(corpus)!r}), Path({str(tmp_path / 'index')!r}), quiet=True)\n"
        "print(r.paragraphs, 'ray' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) > 0 and out[1] == "False"
