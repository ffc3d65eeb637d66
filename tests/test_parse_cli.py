"""parse_file/discover across formats (generated PDF/DOCX/web-copy fixtures) and the CLI."""

from __future__ import annotations

import difflib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indexer.cli import app
from indexer.model import TaskRow
from indexer.parse import SUPPORTED_SUFFIXES, discover, parse_file

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FIX = ROOT / "tests" / "fixtures"
S25 = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
S26 = "2026-truong-cao-dang-y-te-khanh-hoa"
META = ("unit", "province", "year", "kind", "title", "number", "date", "legal_bases", "signer",
        "signer_title")  # fmt: skip


@pytest.fixture(scope="module")
def txt():
    return {s: parse_file(CORPUS / f"{s}.txt") for s in (S25, S26)}


def _meta(doc) -> dict:
    d = doc.meta.to_dict()
    return {k: d[k] for k in META}


def _similar(a, b) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


@pytest.mark.parametrize(
    ("stem", "fixture"),
    [(S25, f"{S25}.pdf"), (S26, f"{S26}.pdf"), (S26, f"{S26}.docx"), (S26, f"{S26}-web.txt")],
)
def test_other_forms_give_same_metadata_and_nearly_same_paragraphs(txt, stem, fixture):
    base = txt[stem]
    doc = parse_file(FIX / fixture)
    assert _meta(doc) == _meta(base)
    assert len(doc.tasks) == len(base.tasks)
    assert [t.number for t in doc.tasks] == [t.number for t in base.tasks]
    body = [p for p in base.paragraphs if p.kind != "task"]
    other = [p for p in doc.paragraphs if p.kind != "task"]
    assert [(p.kind, p.section) for p in other] == [(p.kind, p.section) for p in body]
    ratios = [_similar(a.text, b.text) for a, b in zip(body, other, strict=True)]
    assert min(ratios) > 0.97
    # appendix rows: each row's task starts the same; texts nearly the same
    for a, b in zip(base.tasks, doc.tasks, strict=True):
        assert _similar(a.task[:30], b.task[:30]) > 0.9, (a, b)
    task_ratio = [
        _similar(a.text, b.text)
        for a, b in zip(
            [p for p in base.paragraphs if p.kind == "task"],
            [p for p in doc.paragraphs if p.kind == "task"],
            strict=True,
        )
    ]
    assert sum(task_ratio) / len(task_ratio) > 0.85


def test_docx_and_web_rows_equal_the_txt_rows(txt):
    for fixture in (f"{S26}.docx", f"{S26}-web.txt"):
        doc = parse_file(FIX / fixture)
        assert [_same_ordinal(t) for t in doc.tasks] == [_same_ordinal(t) for t in txt[S26].tasks]


def _same_ordinal(row: TaskRow) -> TaskRow:
    """The row with its paragraph named by ordinal only (the id holds the file's own name)."""
    return replace(row, paragraph_id=(row.paragraph_id or "").rsplit(":", 1)[-1])


def test_pdf_fixture_keeps_noise_that_cleaning_removes():
    from indexer.readers import read_document

    raw = read_document(FIX / f"{S25}.pdf").text
    assert "N â n g c a o" in raw and "STT Nhiệm vụ" in raw and "thuvienphapluat" in raw
    doc = parse_file(FIX / f"{S25}.pdf")
    assert any(
        p.text.startswith("Nâng cao hiệu quả Cổng Thông tin điện tử Cải cách hành chính tỉnh")
        for p in doc.paragraphs
    )


def test_discover_skips_sidecars_hidden_and_other_files(tmp_path):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text("{}", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.PDF").write_bytes(b"%PDF")
    (tmp_path / "sub" / "c.docx").write_bytes(b"PK")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.txt").write_text("x", encoding="utf-8")
    (tmp_path / ".e.txt").write_text("x", encoding="utf-8")
    (tmp_path / "notes.odt").write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a.txt", "sub/b.PDF", "sub/c.docx"]
    assert {
        ".txt",
        ".pdf",
        ".docx",
        ".doc",
        ".rtf",
        ".md",
        ".markdown",
        ".html",
        ".htm",
    } == SUPPORTED_SUFFIXES


def test_doc_id_and_relative_path(tmp_path):
    sub = tmp_path / "khanh-hoa"
    sub.mkdir()
    target = sub / "Kế hoạch 2026 Trường CĐ Y tế.txt"
    target.write_bytes((CORPUS / f"{S26}.txt").read_bytes())
    doc = parse_file(target, tmp_path)
    assert doc.doc_id == "ke-hoach-2026-truong-cd-y-te"
    assert doc.path == "khanh-hoa/Kế hoạch 2026 Trường CĐ Y tế.txt"
    assert doc.paragraphs[5].id == "ke-hoach-2026-truong-cd-y-te:0005"


runner = CliRunner()


def test_cli_parse_json():
    result = runner.invoke(app, ["parse", str(CORPUS / f"{S25}.txt"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["unit"], data["province"], data["year"]) == (
        "Ban Quản lý Khu kinh tế và Khu công nghiệp",
        "Khánh Hòa",
        2025,
    )
    assert data["title"] == "Tuyên truyền cải cách hành chính năm 2025"
    first = data["paragraphs"][0]
    assert {"id", "section", "text"} <= set(first)
    assert len(data["tasks"]) == 24


def test_cli_parse_summary():
    result = runner.invoke(app, ["parse", str(FIX / f"{S26}.docx")])
    assert result.exit_code == 0, result.output
    assert "Trường Cao đẳng Y tế Khánh Hòa" in result.stdout
    assert "22 nhiệm vụ" in result.stdout


def test_cli_bad_files_one_line_each_and_good_ones_still_parsed(tmp_path):
    bad_pdf = tmp_path / "hong.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4 broken")
    empty = tmp_path / "rong.txt"
    empty.write_bytes(b"")
    good = CORPUS / f"{S26}.txt"
    result = runner.invoke(app, ["parse", str(bad_pdf), str(good), str(empty), "--json"])
    assert result.exit_code == 2
    err_lines = result.stderr.strip().splitlines()
    assert len(err_lines) == 2
    assert "hong.pdf" in err_lines[0] and "corrupt" in err_lines[0] and "—" in err_lines[0]
    assert "rong.txt" in err_lines[1] and "empty" in err_lines[1]
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    assert data[0]["unit"] == "Trường Cao đẳng Y tế Khánh Hòa"
