"""``cchc backup INDEX DEST`` and ``cchc restore BACKUP INDEX`` (issue 31, item 6).

A backup is taken while builds commit new generations on the same index: the catalog is
copied through SQLite's online backup API (one committed state), then the generation that
state names; when two builds commit during that copy (the copied generation may then be
deleted), the backup notices and takes a new snapshot. Every backup restores to an index
that opens and answers a search; a restore into an index a service holds open is picked up
by its next swap.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indexer.build import build_index
from indexer.errors import IndexLockedError, IndexNotFoundError
from indexer.store import IndexReader
from indexer.store import manifest as mf
from indexer.store.backup import BackupError, backup_index, restore_index
from service.console import app as cchc
from service.live.holder import IndexHolder
from service.search import SearchFilters
from service.settings import Settings
from tests.conftest import CORPUS

PLAN = "2026-truong-cao-dang-y-te-khanh-hoa.txt"
QUERY = "số hóa hồ sơ thủ tục hành chính"


def change_plan(corpus: Path, n: int) -> None:
    """A new paragraph in one plan: the next build embeds it and commits a new generation."""
    with (corpus / PLAN).open("a", encoding="utf-8") as fh:
        fh.write(f"\n\n- Thí điểm số hóa hồ sơ lưu trữ của phòng đào tạo, đợt {n}.\n")


@pytest.fixture
def live(index_dir, tmp_path) -> tuple[Path, Path]:
    """(corpus, index): copies of the real corpus and of the session index."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in CORPUS.glob("*.txt"):
        shutil.copy(f, corpus / f.name)
    index = tmp_path / "live"
    shutil.copytree(index_dir, index)
    return corpus, index


def assert_servable(index: Path) -> str:
    """The index opens (IndexReader) and a search through the service's holder answers."""
    with IndexReader.open(index) as reader:
        assert len(reader.documents()) == 2
        generation = reader.generation
    assert mf.current_generation(index) == generation
    holder = IndexHolder(Settings(index_dir=index)).open()
    try:
        result = holder.snapshot.searcher.search(QUERY, 3, SearchFilters())
        assert result.hits and result.answered is True
    finally:
        holder.close()
    return generation


def test_backup_needs_an_index_and_a_new_folder(tmp_path):
    with pytest.raises(IndexNotFoundError):
        backup_index(tmp_path / "none", tmp_path / "dest")
    (tmp_path / "idx").mkdir()
    with pytest.raises(IndexNotFoundError):
        backup_index(tmp_path / "idx", tmp_path / "dest")
    with pytest.raises(BackupError, match="not a backup"):
        restore_index(tmp_path / "idx", tmp_path / "other")
    assert BackupError("x").exit_code == 13


@pytest.mark.slow
def test_backup_taken_while_a_build_swaps_generations_restores(live, tmp_path):
    corpus, index = live
    before = mf.current_generation(index)
    change_plan(corpus, 1)
    failed: list[BaseException] = []

    def build() -> None:
        try:
            build_index(corpus, index, quiet=True)
        except BaseException as exc:  # reported by the test, not lost in the thread
            failed.append(exc)

    builder = threading.Thread(target=build)
    builder.start()
    backups = []
    while builder.is_alive() or not backups:
        backups.append(backup_index(index, tmp_path / f"backup-{len(backups)}"))
    builder.join()
    # a backup begun before the commit copies the generation before it, even if the build
    # ends while it runs: the one taken after the build is the one that must see the new one
    backups.append(backup_index(index, tmp_path / f"backup-{len(backups)}"))
    assert not failed, failed
    after = mf.current_generation(index)
    assert after != before
    taken = [b.generation for b in backups]
    assert taken[0] == before and taken[-1] == after  # one during the build, one after it
    for b in backups:
        dest = Path(b.dest)
        assert sorted(p.name for p in dest.iterdir()) == sorted(
            [mf.CATALOG, mf.CURRENT, b.generation]
        )  # no staging file, no lock, no other generation
        restored = tmp_path / f"restored-{dest.name}"
        result = restore_index(dest, restored)
        assert result.generation == b.generation
        assert assert_servable(restored) == b.generation
    assert not list(tmp_path.glob(".*partial*"))


@pytest.mark.slow
def test_two_commits_during_the_copy_make_the_backup_take_a_new_snapshot(live, tmp_path):
    """The worst moment: the catalog is copied, then two builds commit before the generation
    is copied (the second removes the copied generation). The backup sees that the snapshot
    it copied is gone and takes the next one."""
    corpus, index = live
    first = mf.current_generation(index)
    calls = []

    def two_builds() -> None:
        calls.append(1)
        if len(calls) == 1:
            for n in (1, 2):
                change_plan(corpus, n)
                build_index(corpus, index, quiet=True)
            assert not (index / first).exists()  # the copied snapshot's generation is gone

    result = backup_index(index, tmp_path / "b", after_snapshot=two_builds)
    assert result.attempts == 2
    assert result.generation == mf.current_generation(index) != first
    assert assert_servable(tmp_path / "b") == result.generation
    with pytest.raises(BackupError, match="not an empty folder"):
        backup_index(index, tmp_path / "b")


@pytest.mark.slow
def test_restore_into_a_served_index_is_swapped_to(live, tmp_path):
    corpus, index = live
    old = backup_index(index, tmp_path / "old")
    change_plan(corpus, 1)
    build_index(corpus, index, quiet=True)
    holder = IndexHolder(Settings(index_dir=index, reload_interval=0)).open()
    try:
        newer = holder.snapshot.generation
        assert newer != old.generation
        restore_index(tmp_path / "old", index)
        assert mf.current_generation(index) == old.generation
        assert holder.maybe_reload(force=True)
        assert holder.snapshot.generation == old.generation
        result = holder.snapshot.searcher.search(QUERY, 3, SearchFilters())
        assert result.answered is True
        assert (index / newer).is_dir()  # kept for requests still on it, as after a build
    finally:
        holder.close()
    assert_servable(index)
    build_index(corpus, index, quiet=True)  # a build goes on from the restored state
    assert assert_servable(index) != old.generation
    # refused while a build holds the lock
    from filelock import FileLock

    with FileLock(str(index / mf.LOCK)), pytest.raises(IndexLockedError):
        restore_index(tmp_path / "old", index)


@pytest.mark.slow
def test_cchc_backup_and_restore_commands(index_dir, tmp_path):
    runner = CliRunner()
    got = runner.invoke(cchc, ["backup", str(index_dir), str(tmp_path / "b"), "--json"])
    assert got.exit_code == 0, got.output
    record = json.loads(got.stdout)
    assert record["generation"] == mf.current_generation(index_dir)
    assert record["documents"] == 2 and record["bytes"] > 0
    again = runner.invoke(cchc, ["backup", str(index_dir), str(tmp_path / "b")])
    assert again.exit_code == 13
    assert "error:" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    restored = runner.invoke(cchc, ["restore", str(tmp_path / "b"), str(tmp_path / "r")])
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith("restored generation ")
    assert_servable(tmp_path / "r")
