"""Bad files through the real build CLI (``python -m indexer build``): each one is skipped with
one clear line, the good files are indexed, and nothing indexed before is lost.

One corpus is taken through three builds (a copy of the session index, so only the few texts
the index has no vector for are embedded):

A. the two real plans, the 2026 one saved as ``Kế hoạch CCHC 2026.txt``;
B. plus an empty file, random bytes named .pdf, a truncated PDF, a password-protected PDF, a
   PDF protected by an owner password only (opens without one: indexed), a PDF with no text
   layer, a DOCX that is not a zip and a .txt over the size limit;
C. the Vietnamese-named plan overwritten with binary garbage.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from indexer.errors import UnreadableFileError
from indexer.readers import MAX_FILE_MB, READERS, read_document
from indexer.store import IndexReader
from tests.commands import indexer_build

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures"
KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
VN_NAME = "Kế hoạch CCHC 2026.txt"
VN_ID = "ke-hoach-cchc-2026"
OPEN_PDF = "2025-kkt-chi-khoa-quyen-sua.pdf"  # owner password only: opens without one
OPEN_ID = "2025-kkt-chi-khoa-quyen-sua"

# bad file name → a word its line must hold
BAD = {
    "2024-rong.txt": "empty",
    "2024-ngau-nhien.pdf": "corrupt",
    "2024-cat-doi.pdf": "truncated",
    "2024-co-mat-khau.pdf": "encrypted",
    "2024-ban-quet.pdf": "no text layer",
    "2024-khong-phai-docx.docx": "not a zip",
    "2024-qua-lon.txt": "too large",
}


def build(corpus: Path, index: Path, *extra: str) -> subprocess.CompletedProcess:
    """The real CLI, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != "CCHC_MAX_FILE_MB"}
    return subprocess.run(
        indexer_build(corpus, index, "--quiet", *extra),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def snapshot(index: Path) -> dict[str, dict]:
    """doc_id → {paragraph id: (text, vector)} for every indexed plan."""
    out: dict[str, dict] = {}
    with IndexReader.open(index) as r:
        for d in r.documents():
            paras = r.paragraphs(d.doc_id)
            vecs = r.vectors([p.rowid for p in paras])
            out[d.doc_id] = {p.id: (p.text, v) for p, v in zip(paras, vecs, strict=True)}
    return out


def same_content(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k][0] == b[k][0] and np.allclose(a[k][1], b[k][1], atol=1e-6) for k in a
    )


def write_bad_files(corpus: Path) -> None:
    from fpdf import FPDF
    from pypdf import PdfWriter

    real_pdf = FIX / f"{KKT}.pdf"
    data = real_pdf.read_bytes()
    (corpus / "2024-rong.txt").write_bytes(b"")
    (corpus / "2024-ngau-nhien.pdf").write_bytes(random.Random(9).randbytes(20_000))
    (corpus / "2024-cat-doi.pdf").write_bytes(data[: len(data) // 2])
    for name, user in (("2024-co-mat-khau.pdf", "mat-khau"), (OPEN_PDF, "")):
        writer = PdfWriter(clone_from=str(real_pdf))
        writer.encrypt(user_password=user, owner_password="chu-so-huu")
        writer.write(str(corpus / name))
    scan = FPDF()
    scan.add_page()
    scan.rect(20, 20, 170, 250, style="F")  # a page that is only a picture: no text layer
    scan.output(str(corpus / "2024-ban-quet.pdf"))
    (corpus / "2024-khong-phai-docx.docx").write_text("KẾ HOẠCH cải cách hành chính")
    plan = (corpus / f"{KKT}.txt").read_bytes()
    with open(corpus / "2024-qua-lon.txt", "wb") as fh:
        for _ in range(int(MAX_FILE_MB * 1024 * 1024) // len(plan) + 2):
            fh.write(plan)


@pytest.fixture(scope="module")
def runs(index_dir, corpus_dir, tmp_path_factory):
    base = tmp_path_factory.mktemp("bad-files")
    corpus, index = base / "corpus", base / "index"
    corpus.mkdir()
    shutil.copytree(index_dir, index)
    shutil.copy(corpus_dir / f"{KKT}.txt", corpus)
    shutil.copy(corpus_dir / f"{YTE}.txt", corpus / VN_NAME)
    out: dict = {"corpus": corpus, "index": index}

    out["a"] = build(corpus, index, "--json")
    out["snap_a"] = snapshot(index)

    write_bad_files(corpus)
    out["b"] = build(corpus, index)
    out["snap_b"] = snapshot(index)

    (corpus / VN_NAME).write_bytes(random.Random(3).randbytes(30_000))
    out["c"] = build(corpus, index, "--json")
    out["snap_c"] = snapshot(index)
    return out


@pytest.mark.slow
def test_good_build_indexes_the_vietnamese_file_name(runs, reader, embedder):
    a = runs["a"]
    assert a.returncode == 0, a.stderr
    result = json.loads(a.stdout)
    assert result["skipped"] == [] and result["documents"] == 2
    assert set(runs["snap_a"]) == {KKT, VN_ID}
    with IndexReader.open(runs["index"]) as r:
        assert r.document(VN_ID).path == VN_NAME
        # the same plan as the session's 2026 one, under its new name and id
        assert len(r.paragraphs(VN_ID)) == len(reader.paragraphs(YTE))
        lex = r.paragraphs_by_rowid([rid for rid, _ in r.lexical_search("cau lac bo tieng anh", 3)])
        assert any(p.doc_id == VN_ID and "Câu lạc bộ tiếng Anh" in p.text for p in lex.values())
        q = embedder.embed_queries(["câu lạc bộ tiếng Anh cho học sinh"])[0]
        dense = r.paragraphs_by_rowid([rid for rid, _ in r.dense_search(q, 3)])
        assert any(p.doc_id == VN_ID for p in dense.values())


@pytest.mark.slow
def test_each_bad_file_gets_one_clear_line(runs):
    b = runs["b"]
    assert b.returncode == 0, b.stderr
    assert "Traceback" not in b.stderr
    for name, reason in BAD.items():
        lines = [ln for ln in b.stderr.splitlines() if name in ln]
        assert len(lines) == 1, (name, b.stderr)
        line = lines[0]
        assert reason in line, line
        assert " — " in line and line.endswith("(skipped)"), line  # what to do; what happened
    big = next(ln for ln in b.stderr.splitlines() if "2024-qua-lon.txt" in ln)
    assert f"limit is {MAX_FILE_MB:g} MB" in big and "CCHC_MAX_FILE_MB" in big


@pytest.mark.slow
def test_summary_lists_every_skipped_file(runs):
    summary = runs["b"].stdout.strip().splitlines()
    assert len(summary) == 1
    line = summary[0]
    assert f"{len(BAD)} skipped" in line and "1 added" in line
    listed = line.split("(skipped: ", 1)[1].rstrip(")").split(", ")
    assert sorted(listed) == sorted(BAD)


@pytest.mark.slow
def test_good_files_beside_bad_ones_are_indexed_and_nothing_is_lost(runs):
    snap_a, snap_b = runs["snap_a"], runs["snap_b"]
    assert set(snap_b) == {KKT, VN_ID, OPEN_ID}
    for doc_id in (KKT, VN_ID):
        assert same_content(snap_a[doc_id], snap_b[doc_id]), doc_id
    # the owner-password PDF opened without a password: the 2025 plan's text, read from PDF
    texts = [t for t, _ in snap_b[OPEN_ID].values()]
    assert len(texts) > 50
    assert any("Ban Quản lý Khu kinh tế và Khu công nghiệp" in t for t in texts)


@pytest.mark.slow
def test_corrupted_plan_keeps_its_previous_version(runs):
    c = runs["c"]
    assert c.returncode == 0, c.stderr
    result = json.loads(c.stdout)
    lines = [ln for ln in c.stderr.splitlines() if VN_NAME in ln]
    assert len(lines) == 1
    assert "binary" in lines[0] and "previously indexed version is kept" in lines[0]
    assert sorted(result["skipped_files"]) == sorted([*BAD, VN_NAME])
    assert result["removed"] == 0
    assert set(runs["snap_c"]) == {KKT, VN_ID, OPEN_ID}
    for doc_id in (KKT, VN_ID, OPEN_ID):
        assert same_content(runs["snap_b"][doc_id], runs["snap_c"][doc_id]), doc_id


def test_size_limit_is_configurable(tmp_path, monkeypatch):
    path = tmp_path / "plan.txt"
    shutil.copy(REPO / "corpus" / f"{KKT}.txt", path)
    assert read_document(path).text
    monkeypatch.setenv("CCHC_MAX_FILE_MB", "0.01")
    with pytest.raises(UnreadableFileError, match=r"too large .*limit is 0\.01 MB"):
        read_document(path)
    monkeypatch.setenv("CCHC_MAX_FILE_MB", "not a number")  # falls back to the default
    assert read_document(path).text


def test_a_reader_crash_becomes_one_line(tmp_path, monkeypatch):
    """A library failing in an unforeseen way on a malformed file (pypdf raised
    NotImplementedError on a mangled filter name) is still one line, not a traceback."""

    def crash(path, data=None):
        raise NotImplementedError("Unsupported filter /FlateDeco\n\x00")

    monkeypatch.setitem(READERS, ".pdf", crash)
    path = tmp_path / "mangled.pdf"
    path.write_bytes(b"%PDF-1.4 whatever")
    with pytest.raises(UnreadableFileError) as err:
        read_document(path)
    msg = str(err.value)
    assert "mangled.pdf" in msg and "NotImplementedError" in msg and "\n" not in msg
    assert err.value.hint
