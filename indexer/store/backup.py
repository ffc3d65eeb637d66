"""Backup and restore of an index directory, safe while a service reads it and builds commit.

**Backup** (``backup_index``) copies one consistent snapshot:

1. the catalog through SQLite's online backup API, in one step: one read transaction, so the
   copy is one committed state, whatever a build writes meanwhile (WAL: readers and the
   writer do not block each other);
2. the generation directory that snapshot names (``meta.generation``): a committed
   generation is never written again, only deleted once two newer ones have committed, so
   the copy is checked afterwards — the live generation must still be the one copied, or
   the next one with the copied one as its ``previous`` — and taken again otherwise;
3. ``CURRENT`` last; everything is written in a hidden sibling folder, fsynced, then renamed
   to the destination, so a destination that exists is a whole backup.

Build state (``staging.sqlite``, ``build.lock``) is not copied. A backup is itself an index
directory: ``IndexReader`` and ``serve`` open it as it is.

**Restore** (``restore_index``) takes the build lock (a build running meanwhile: refused),
checks that the backup opens, copies its generation into the index directory, then writes
the backup's catalog into the index's through the backup API — one write transaction, so a
running service keeps answering from its open snapshot — and rewrites ``CURRENT``: the
service swaps to the restored generation by itself. The generation served before is kept for
requests still on it (as after a build).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from indexer.errors import IndexerError, IndexLockedError
from indexer.store import catalog
from indexer.store import manifest as mf

ATTEMPTS = 5  # snapshots tried before giving up (each lost to two commits during one copy)


class BackupError(IndexerError):
    """A backup or restore that cannot be made (destination not empty, index changing too
    fast, no index): one line saying what to do."""

    exit_code = 13


@dataclass
class BackupResult:
    source: str
    dest: str
    generation: str
    built_at: str | None
    documents: int | None
    paragraphs: int | None
    bytes: int
    attempts: int
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self, verb: str = "backed up") -> str:
        size = f"{self.bytes / 1e6:.1f} MB"
        what = f"{self.documents} documents, built {self.built_at}"
        return (
            f"{verb} generation {self.generation} ({what}) from {self.source} to "
            f"{self.dest}: {size} in {self.seconds:.1f}s"
        )


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _copy_catalog(source: Path, target: Path) -> str | None:
    """The committed state of ``source`` written to ``target`` (online backup API, one step);
    returns the generation it names."""
    src = catalog.connect_readonly(source)
    try:
        dst = sqlite3.connect(str(target), isolation_level=None)
        try:
            src.backup(dst)  # pages=-1: the whole database in one step, one read transaction
            return catalog.live_generation(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _live(index_dir: Path) -> str | None:
    conn = catalog.connect_readonly(index_dir / mf.CATALOG)
    try:
        return catalog.live_generation(conn)
    finally:
        conn.close()


def _still_whole(index_dir: Path, name: str) -> bool:
    """Whether generation ``name`` cannot have been deleted while it was copied: it is still
    live, or the live one is the next, which keeps its ``previous`` (a generation goes only
    when a second newer one commits)."""
    live = _live(index_dir)
    if live == name:
        return True
    try:
        return live is not None and mf.read_manifest(index_dir / live).get("previous") == name
    except (OSError, ValueError):
        return False


def _no_index(index_dir: Path) -> IndexerError:
    if mf.legacy_generation(index_dir) is not None:
        return mf.old_format(index_dir)
    return mf.not_found(index_dir)


def _result(source: Path, dest: Path, name: str, attempts: int, started: float) -> BackupResult:
    manifest = mf.read_manifest(dest / name)
    counts = manifest.get("counts") or {}
    return BackupResult(
        str(source),
        str(dest),
        name,
        manifest.get("built_at"),
        counts.get("documents"),
        counts.get("paragraphs"),
        _size(dest),
        attempts,
        time.perf_counter() - started,
    )


def backup_index(
    index_dir: Path,
    dest: Path,
    *,
    attempts: int = ATTEMPTS,
    after_snapshot: Callable[[], None] | None = None,
) -> BackupResult:
    """Copy a consistent snapshot of ``index_dir`` to ``dest`` (a new or empty folder).

    ``after_snapshot``: called between the catalog's copy and the generation's (tests use it
    to commit builds at the worst moment)."""
    started = time.perf_counter()
    index_dir, dest = Path(index_dir), Path(dest)
    if not (index_dir / mf.CATALOG).is_file():
        raise _no_index(index_dir)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder — give a new folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, attempts + 1):
        work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
        try:
            try:
                name = _copy_catalog(index_dir / mf.CATALOG, work / mf.CATALOG)
            except sqlite3.DatabaseError as exc:
                raise BackupError(
                    f"cannot read the catalog of {index_dir} ({exc}) — repair it with a "
                    "rebuild, or restore an earlier backup"
                ) from None
            if name is None:
                raise _no_index(index_dir)
            if after_snapshot is not None:
                after_snapshot()
            try:
                shutil.copytree(index_dir / name, work / name)
                whole = (work / name / mf.MANIFEST).is_file() and _still_whole(index_dir, name)
            except (FileNotFoundError, shutil.Error):  # deleted under the copy
                whole = False
            if not whole:
                shutil.rmtree(work, ignore_errors=True)
                continue
            mf.fsync_tree(work)
            mf.switch_current(work, name)  # CURRENT last (atomic, fsynced)
            os.rename(work, dest)  # onto a missing or empty folder
            mf.fsync_dir(dest.parent)
            return _result(index_dir, dest, name, attempt, started)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    raise BackupError(
        f"the index at {index_dir} moved on by two generations during each of {attempts} "
        "copies — run the backup again when builds are less frequent"
    )


def restore_index(backup: Path, index_dir: Path) -> BackupResult:
    """Make the generation of ``backup`` the live one of ``index_dir`` (created if missing);
    a service on ``index_dir`` swaps to it by itself."""
    from indexer.store.reader import IndexReader

    started = time.perf_counter()
    backup, index_dir = Path(backup), Path(index_dir)
    if not (backup / mf.CATALOG).is_file():
        raise BackupError(f"{backup}: not a backup (no {mf.CATALOG}) — give a backup's folder")
    with IndexReader.open(backup) as reader:  # the backup opens: format, manifest, files
        name = reader.generation
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / mf.LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise IndexLockedError(
            f"a build is running on {index_dir} (it holds {index_dir / mf.LOCK}) — restore "
            "when it has finished"
        ) from None
    try:
        previous = _live(index_dir) if (index_dir / mf.CATALOG).is_file() else None
        target = index_dir / name
        if not (target / mf.MANIFEST).is_file():
            shutil.rmtree(target, ignore_errors=True)
            work = index_dir / f".restore-{name}"  # not gen-*: no build removes it meanwhile
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(backup / name, work)
            mf.fsync_tree(work)
            os.rename(work, target)
            mf.fsync_dir(index_dir)
        src = catalog.connect_readonly(backup / mf.CATALOG)
        try:
            dst = sqlite3.connect(str(index_dir / mf.CATALOG), isolation_level=None, timeout=60)
            try:
                src.backup(dst)  # one write transaction: readers keep their snapshot
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
        finally:
            src.close()
        mf.switch_current(index_dir, name)
        mf.remove_generations(index_dir, {name} | ({previous} if previous else set()))
    finally:
        lock.release()
    return _result(backup, index_dir, name, 1, started)
