"""The shared catalog (index format 2): builds change one catalog in place, in one
transaction, and readers keep the snapshot they opened.

Copies of the session index (both real plans) only: the builds here add a copy of the 2025
plan under another name (every text already has a vector: nothing is embedded) or drop the
2026 plan, so no test waits for the embedder.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer.build import build_index
from indexer.embeddings import Embedder
from indexer.errors import IndexFormatError
from indexer.store import IndexReader, catalog
from indexer.store import manifest as mf

pytestmark = pytest.mark.slow  # every test needs the session index or the model

REPO = Path(__file__).resolve().parents[1]
KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
COPY = "2025-ban-sao-kkt"  # the 2025 plan under another file name: a new document, no embedding
IVF = {"approximate_threshold": 1}  # IVF + exact re-rank even at a few hundred paragraphs


def copy_setup(index_dir: Path, corpus_dir: Path, dst: Path) -> tuple[Path, Path]:
    shutil.copytree(index_dir, dst / "index")
    shutil.copytree(corpus_dir, dst / "corpus")
    return dst / "corpus", dst / "index"


def copy_plan(src: Path, dst: Path) -> None:
    """The plan under another name, one blank line added: the same text (nothing to embed)
    in a file of its own (a byte-identical copy is skipped as a duplicate)."""
    dst.write_bytes(src.read_bytes() + b"\n")


class FailingEmbedder(Embedder):
    """Stands for the real model and raises KeyboardInterrupt when asked to embed (Ctrl-C)."""

    def __init__(self, inner: Embedder):
        self.name, self.backend, self.dim = inner.name, inner.backend, inner.dim
        self._options = inner.options

    @property
    def options(self) -> dict:
        return self._options

    def embed_queries(self, texts):
        raise KeyboardInterrupt

    def embed_passages(self, texts):
        raise KeyboardInterrupt


@pytest.fixture(scope="module")
def story(index_dir, corpus_dir, tmp_path_factory):
    """IVF index of both plans; a reader opened on it; then one build that drops the 2026
    plan and adds a copy of the 2025 one. Records what the old and a new reader see."""
    corpus, index = copy_setup(index_dir, corpus_dir, tmp_path_factory.mktemp("snapshot"))
    s: dict = {"index": index}
    first = build_index(corpus, index, ann_params=IVF, quiet=True)  # ANN settings changed
    s["first"] = first
    s["inode_before"] = os.stat(index / mf.CATALOG).st_ino
    old = IndexReader.open(index)
    kkt_texts = {p.text for p in old.paragraphs(KKT)}
    own = next(p for p in old.paragraphs(YTE) if "ứng dụng AI" in p.text)
    assert own.text not in kkt_texts
    s["own_rowid"] = own.rowid
    s["q"] = q = old.vectors([own.rowid])[0]  # a 2026-only paragraph's own vector
    s["old_yte_rowids"] = {p.rowid for p in old.paragraphs(YTE)}
    s["old_hits_before"] = old.dense_search(q, 5)

    shutil.move(corpus / f"{YTE}.txt", corpus.parent / f"{YTE}.txt")
    copy_plan(corpus / f"{KKT}.txt", corpus / f"{COPY}.txt")
    s["second"] = build_index(corpus, index, quiet=True)
    s["inode_after"] = os.stat(index / mf.CATALOG).st_ino
    try:
        s["old_generation"] = old.generation
        s["old_docs"] = sorted(d.doc_id for d in old.documents())
        s["old_copy_paragraphs"] = old.paragraphs(COPY)
        s["old_yte_paragraphs"] = len(old.paragraphs(YTE))
        s["old_hits_after"] = old.dense_search(q, 5)
        s["old_hit_vectors"] = old.vectors([r for r, _ in s["old_hits_after"]])
        s["old_ann_type"] = old.manifest["ann"]["type"]
    finally:
        old.close()
    with IndexReader.open(index) as new:
        s["new_generation"] = new.generation
        s["new_docs"] = sorted(d.doc_id for d in new.documents())
        s["new_hits"] = new.dense_search(q, 5)
        s["new_counts"] = (new._ann.count, new._lexical.num_docs, len(new.filter_rowids(year=2025)))
    return s


def test_old_reader_keeps_its_snapshot_after_a_build_commits(story):
    assert story["second"].new_generation
    assert (story["second"].added, story["second"].removed, story["second"].embedded) == (1, 1, 0)
    assert story["old_ann_type"] == "ivf_sq8"
    assert story["old_generation"] == story["first"].generation != story["new_generation"]
    assert story["old_docs"] == sorted([KKT, YTE])  # not the committed state: its own
    assert story["old_copy_paragraphs"] == [] and story["old_yte_paragraphs"] > 50
    # the IVF re-rank reads the removed plan's vectors through the old snapshot
    hits = story["old_hits_after"]
    assert hits == story["old_hits_before"]
    assert hits[0][0] == story["own_rowid"] and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(story["old_hit_vectors"] @ story["q"], [s for _, s in hits], 1e-5)


def test_new_reader_sees_the_committed_build(story):
    assert story["new_generation"] == mf.current_generation(story["index"])
    assert story["new_docs"] == sorted([COPY, KKT])
    assert not {r for r, _ in story["new_hits"]} & story["old_yte_rowids"]
    ann, lexical, paragraphs_2025 = story["new_counts"]
    assert ann == lexical == paragraphs_2025  # the copy is a 2025 plan too


def test_catalog_is_updated_in_place_not_copied(story):
    index = story["index"]
    assert story["inode_after"] == story["inode_before"]
    for gen in mf.generations(index):
        names = {p.name for p in (index / gen).iterdir()}
        assert names == {mf.MANIFEST, mf.VECTORS, mf.LEXICAL, mf.DIACRITICS}, names
    conn, live = catalog.open_snapshot(index / mf.CATALOG)
    conn.close()
    assert live == story["new_generation"]
    manifest = mf.read_manifest(index / live)
    assert manifest["format_version"] == mf.FORMAT_VERSION == 2
    assert manifest["previous"] == story["old_generation"]


def test_interrupted_rebuild_loses_nothing(index_dir, corpus_dir, embedder, tmp_path):
    """--rebuild deletes every row inside the build's transaction: Ctrl-C rolls it back."""
    corpus, index = copy_setup(index_dir, corpus_dir, tmp_path)
    with IndexReader.open(index) as r:
        before = (r.generation, len(r.documents()), r.manifest["counts"])
    gens = mf.generations(index)
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, index, rebuild=True, embedder=FailingEmbedder(embedder), quiet=True)
    assert mf.generations(index) == gens  # the unfinished generation is gone
    with IndexReader.open(index) as r:
        assert (r.generation, len(r.documents()), r.manifest["counts"]) == before
        assert len(r.lexical_search("cải cách hành chính", 3)) == 3


KILL_AFTER_COMMIT = """
import os, signal, sys
from pathlib import Path
from indexer.store import manifest as mf
from indexer.build import build_index

def killed(*args):  # the commit is done; die before CURRENT is written
    os.kill(os.getpid(), signal.SIGKILL)

mf.switch_current = killed
build_index(Path(sys.argv[1]), Path(sys.argv[2]), quiet=True)
"""


def test_kill_between_commit_and_current_leaves_a_consistent_index(index_dir, corpus_dir, tmp_path):
    corpus, index = copy_setup(index_dir, corpus_dir, tmp_path)
    old = mf.current_generation(index)
    copy_plan(corpus / f"{KKT}.txt", corpus / f"{COPY}.txt")
    script = tmp_path / "kill_after_commit.py"
    script.write_text(KILL_AFTER_COMMIT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(corpus), str(index)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == -9, proc.stderr
    assert mf.current_generation(index) == old  # the hint is stale …
    with IndexReader.open(index) as r:  # … the catalog is not: the new generation is live
        live = r.generation
        assert live != old
        assert sorted(d.doc_id for d in r.documents()) == sorted([COPY, KKT, YTE])
        counts = r.manifest["counts"]
        assert r._ann.count == r._lexical.num_docs == counts["paragraphs"]
        assert len(r.paragraphs(COPY)) == len(r.paragraphs(KKT))
    again = build_index(corpus, index, quiet=True)  # nothing changed: CURRENT is repaired
    assert not again.new_generation and again.generation == live
    assert mf.current_generation(index) == live
    assert set(mf.generations(index)) == {old, live}


def make_format_1(index: Path) -> Path:
    """Turn a format-2 index into the format-1 layout: the catalog inside the generation."""
    gen = index / mf.current_generation(index)
    src = sqlite3.connect(index / mf.CATALOG)
    dst = sqlite3.connect(gen / mf.CATALOG)
    src.backup(dst)
    dst.execute("PRAGMA journal_mode=DELETE")
    dst.execute("DROP TABLE meta")
    dst.commit()
    dst.close()
    src.close()
    for p in index.glob(mf.CATALOG + "*"):
        p.unlink()
    manifest = mf.read_manifest(gen)
    manifest["format_version"] = 1
    (gen / mf.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return gen


def test_format_1_index_is_refused_by_readers_and_converted_by_a_build(
    index_dir, corpus_dir, reader, tmp_path
):
    corpus, index = copy_setup(index_dir, corpus_dir, tmp_path)
    legacy = make_format_1(index)
    with pytest.raises(IndexFormatError) as info:
        IndexReader.open(index)
    msg = str(info.value)
    assert "\n" not in msg and "format 1" in msg and "make index" in msg and str(index) in msg

    warnings: list[str] = []
    r = build_index(corpus, index, quiet=True, warn=warnings.append)
    assert len(warnings) == 1 and "format 1" in warnings[0] and "reusing" in warnings[0]
    assert r.new_generation and r.added == 2 and r.embedded == 0  # vectors reused
    assert not (index / r.generation / mf.CATALOG).exists()
    assert set(mf.generations(index)) == {legacy.name, r.generation}  # kept as the previous
    with IndexReader.open(index) as new:
        assert new.generation == r.generation == mf.current_generation(index)
        assert sorted(d.doc_id for d in new.documents()) == [KKT, YTE]
        paras = new.paragraphs(YTE)
        assert [p.text for p in paras] == [p.text for p in reader.paragraphs(YTE)]
        np.testing.assert_allclose(
            new.vectors([p.rowid for p in paras]),
            reader.vectors([p.rowid for p in reader.paragraphs(YTE)]),
            atol=1e-6,
        )


def test_a_catalog_from_before_reading_was_kept_still_serves_and_is_migrated(
    index_dir, corpus_dir, tmp_path
):
    """An index built before documents said how they were read: a reader sees "text" (the
    only way then), the next build adds the column and fills it by re-parsing."""
    shutil.copytree(index_dir, tmp_path / "index")
    with sqlite3.connect(tmp_path / "index" / mf.CATALOG) as conn:
        conn.execute("ALTER TABLE documents DROP COLUMN reading_json")
    with IndexReader.open(tmp_path / "index") as reader:
        docs = reader.documents()
        assert [d.reading.method for d in docs] == ["text", "text"]
        assert reader.document(YTE).reading.source_format == "txt"  # the default
    live = tmp_path / "index" / str(mf.current_generation(tmp_path / "index"))
    manifest = mf.read_manifest(live)
    assert manifest["reading"]["text"] == 2  # what this version's build wrote
    mf.write_manifest(live, {**manifest, "pipeline": "older"})  # as a code update does
    result = build_index(corpus_dir, tmp_path / "index", quiet=True)
    assert result.reading == {"text": 2, "ocr": 0, "converted": 0, "ocr_pages": 0}
    with sqlite3.connect(tmp_path / "index" / mf.CATALOG) as conn:
        stored = [json.loads(r[0]) for r in conn.execute("SELECT reading_json FROM documents")]
    assert sorted(r["source_format"] for r in stored) == ["txt", "txt"]
