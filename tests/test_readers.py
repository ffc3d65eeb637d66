"""Readers: each format on real-plan fixtures, and every way a file can be unreadable."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.errors import UnreadableFileError
from indexer.readers import PAGE_BREAK, read_document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FIX = ROOT / "tests" / "fixtures"
PLAN_2026 = "2026-truong-cao-dang-y-te-khanh-hoa"


def test_txt_reads_real_plan_as_nfc():
    raw = read_document(CORPUS / "2025-ban-quan-ly-kkt-kcn-khanh-hoa.txt")
    assert raw.source_format == "txt"
    assert "Ban Quản lý Khu kinh tế và Khu công nghiệp" in raw.text
    # the file holds decomposed "và Sở Nội vụ" at one place; reading normalises it
    assert "Lãnh đạo Ban Quản lý và Sở" in raw.text


def test_txt_with_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "KẾ HOẠCH\nTuyên truyền".encode())
    assert read_document(path).text.startswith("KẾ HOẠCH")


def test_pdf_fixture_has_text_and_page_breaks():
    raw = read_document(FIX / f"{PLAN_2026}.pdf")
    assert raw.source_format == "pdf"
    assert raw.text.count(PAGE_BREAK) >= 5
    assert "Trường Cao đẳng Y tế Khánh Hòa" in raw.text


def test_docx_reads_paragraphs_and_the_appendix_table():
    raw = read_document(FIX / f"{PLAN_2026}.docx")
    assert "Căn cứ Quyết định số 383/QĐ-UBND" in raw.text
    assert len(raw.tables) == 1
    table = raw.tables[0]
    assert table[0][:2] == ["TT", "Nhiệm vụ, hoạt động tuyên truyền"]
    assert len(table) == 23  # header + 22 rows
    assert table[7][0] == "7" and table[7][1] == "Đối thoại với học sinh, sinh viên"


def _scanned_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # an "image" page: no text layer
    pdf.output(str(path))


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "no text"),
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj <<", "corrupt"),
        ("notzip.docx", "KẾ HOẠCH tuyên truyền".encode(), "not a zip"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 40, "DOCX"),
        ("plan.odt", b"whatever", "unsupported format"),
    ],
)
def test_unreadable_files_raise_one_clear_error(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError) as err:
        read_document(path)
    msg = str(err.value)
    assert name in msg and reason in msg and "\n" not in msg
    assert err.value.hint  # says what to do


def test_scanned_pdf_without_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    _scanned_pdf(path)
    with pytest.raises(UnreadableFileError, match="no text layer"):
        read_document(path)


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableFileError, match="not found"):
        read_document(tmp_path / "nope.txt")
