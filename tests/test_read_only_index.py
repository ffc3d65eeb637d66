"""A read-only index is served (issue 13, item 5): the index directory is bind-mounted
read-only (a real read-only mount, in a private mount namespace of the server's own: root
ignores file permissions, so ``chmod -R a-w`` proves nothing here) and ``python -m service
serve`` answers searches, documents and comparisons from it.

Before: SQLite could not open the WAL catalog (no ``-shm`` beside it) and tantivy wanted its
lock file: a 53-line traceback.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import httpx
import pytest

from indexer.store import manifest as mf
from tests.http import ServeProcess

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
# sh -c SCRIPT SOURCE TARGET ARGV…: mount SOURCE read-only on TARGET, prove it, run ARGV
READ_ONLY = 'mount --bind -o ro "$0" "$1" && ! touch "$1/.probe" 2>/dev/null && shift && exec "$@"'


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "mount", "-t", "tmpfs", "x", "/mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


pytestmark = [
    pytest.mark.slow,  # the session index, served by a real server
    pytest.mark.skipif(
        not _can_mount(), reason="needs a private mount namespace (root, or CAP_SYS_ADMIN)"
    ),
]


@pytest.fixture(scope="module")
def shipped(index_dir, tmp_path_factory):
    """A copy of the session index as it is shipped: checkpointed, no -wal/-shm beside it,
    and an empty mount point for it."""
    root = tmp_path_factory.mktemp("read-only")
    source, target = root / "index", root / "mnt"
    shutil.copytree(index_dir, source)
    conn = sqlite3.connect(source / mf.CATALOG)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for extra in ("-wal", "-shm"):
        (source / f"{mf.CATALOG}{extra}").unlink(missing_ok=True)
    target.mkdir()
    return source, target


def test_a_read_only_index_is_served(shipped):
    source, target = shipped
    before = sorted(p.relative_to(source) for p in source.rglob("*"))

    def in_read_only_mount(argv: list[str]) -> list[str]:
        wrapper = ["unshare", "--mount", "--propagation", "private", "sh", "-c", READ_ONLY]
        return [*wrapper, str(source), str(target), *argv]

    with ServeProcess(target, wrap=in_read_only_mount) as srv:
        health = httpx.get(srv.base + "/health").json()
        search = httpx.get(srv.base + "/search", params={"q": "trí tuệ nhân tạo", "k": 3})
        document = httpx.get(f"{srv.base}/documents/{KKT}")
        compare = httpx.get(srv.base + "/compare", params={"a": KKT, "b": YTE}, timeout=60)
        log = srv.stderr()
    assert health["status"] == "ok" and health["counts"]["documents"] == 2
    assert search.status_code == 200 and search.json()["total"] == 3
    assert document.status_code == 200 and document.json()["paragraphs"]
    assert compare.status_code == 200
    assert "Traceback" not in log
    assert sorted(p.relative_to(source) for p in source.rglob("*")) == before  # nothing written
    assert not any(target.iterdir())  # the mount was private to the server's namespace
