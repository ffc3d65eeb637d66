"""OCR of scanned PDF pages (indexer/readers/ocr.py) with Debian's Tesseract and its
Vietnamese model. The scans are made here from the real plans (eval/ocr.py draws their
opening pages on A4 at 300 dpi, skewed, speckled and blurred, as images only)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from eval.ocr import cer, page_lines, scanned_pdf
from indexer.errors import UnreadableFileError
from indexer.parse import parse_file
from indexer.readers import ocr, read_document

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "corpus" / "2026-truong-cao-dang-y-te-khanh-hoa.txt"
TEXT_PDF = REPO / "tests" / "fixtures" / "2026-truong-cao-dang-y-te-khanh-hoa.pdf"
pytestmark = [
    pytest.mark.converters,
    pytest.mark.slow,  # Tesseract reads pages: seconds each
    pytest.mark.usefixtures("patient_converters"),
    pytest.mark.skipif(
        ocr.missing() is not None, reason=f"OCR needs {ocr.missing()} (make converters)"
    ),
]


@pytest.fixture(scope="module")
def drawn() -> list[list[str]]:
    return page_lines(read_document(PLAN).text, 2)


@pytest.fixture(scope="module")
def scan(tmp_path_factory, drawn) -> Path:
    path = tmp_path_factory.mktemp("scan") / "ke-hoach-scan.pdf"
    path.write_bytes(scanned_pdf(drawn))
    return path


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CCHC_OCR_CACHE", str(tmp_path / "ocr-cache"))
    return tmp_path / "ocr-cache"


@pytest.fixture
def counted(monkeypatch) -> list[int]:
    """How many pages Tesseract really reads (the real recognizer, counted)."""
    calls: list[int] = []
    real = ocr.recognize

    def counting(image):
        calls.append(1)
        return real(image)

    monkeypatch.setattr(ocr, "recognize", counting)
    return calls


def test_a_scanned_plan_reads_within_3_percent_and_its_header_exactly(
    scan, drawn, fresh_cache, counted, tmp_path
):
    raw = read_document(scan)
    assert raw.source_format == "pdf+ocr" and len(counted) == 2
    reference = " ".join(line for page in drawn for line in page)
    assert cer(reference, raw.text.replace("\f", " ")) <= 0.03
    typed = tmp_path / "same-pages.txt"  # the drawn pages as text: what the scan must give
    typed.write_text("\n".join(line for page in drawn for line in page), "utf-8")
    want, got = parse_file(typed, tmp_path).meta, parse_file(scan, scan.parent).meta
    for field in ("unit", "number", "date", "year"):
        assert getattr(got, field) == getattr(want, field), field
    assert got.unit == "Trường Cao đẳng Y tế Khánh Hòa" and got.year == 2026


def test_a_rebuild_never_reads_a_page_twice(scan, fresh_cache, counted):
    first = read_document(scan).text
    assert len(counted) == 2 and len(list(fresh_cache.rglob("*.json"))) == 2
    again = read_document(scan).text
    assert again == first and len(counted) == 2  # both pages from the cache


def test_a_mixed_pdf_keeps_its_text_pages_and_reads_the_scanned_one(
    scan, fresh_cache, counted, tmp_path
):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(TEXT_PDF).pages[0])  # a page with a text layer
    writer.add_page(PdfReader(io.BytesIO(scan.read_bytes())).pages[1])  # a scanned page
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as fh:
        writer.write(fh)
    raw = read_document(mixed)
    assert raw.source_format == "pdf+ocr" and len(counted) == 1  # only the scanned page
    first, second = raw.text.split("\f", 1)
    assert first.strip() == PdfReader(TEXT_PDF).pages[0].extract_text().strip()
    assert len(second.split()) > 100


def test_ocr_turned_off_skips_a_scan_with_one_line(scan, monkeypatch, counted):
    monkeypatch.setenv("CCHC_OCR", "0")
    with pytest.raises(UnreadableFileError, match="no text layer.*CCHC_OCR=0") as info:
        read_document(scan)
    assert "\n" not in str(info.value) and not counted


def test_more_scanned_pages_than_the_bound_is_one_clear_line(scan, monkeypatch, counted):
    monkeypatch.setenv("CCHC_OCR_MAX_PAGES", "1")
    with pytest.raises(UnreadableFileError, match="2 scanned pages; OCR reads at most 1") as info:
        read_document(scan)
    assert "CCHC_OCR_MAX_PAGES" in str(info.value) and not counted


def test_a_mixed_pdf_says_which_pages_ocr_read(scan, fresh_cache, tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(TEXT_PDF).pages[0])
    writer.add_page(PdfReader(io.BytesIO(scan.read_bytes())).pages[0])
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as fh:
        writer.write(fh)
    reading = read_document(mixed).reading()
    assert (reading.method, reading.pages, reading.ocr_pages) == ("ocr", 2, [2])
    assert reading.ocr_confidence is not None and 60 < reading.ocr_confidence <= 100
    text = read_document(TEXT_PDF).reading()
    assert (text.method, text.ocr_pages, text.ocr_confidence) == ("text", [], None)


def test_the_build_the_api_and_the_plan_view_say_a_plan_was_read_by_ocr(
    scan, fresh_cache, index_dir, tmp_path, capsys
):
    """The scan joins the real corpus (the session index copied: only it is embedded)."""
    import shutil

    from indexer.build import build_index
    from tests.conftest import CORPUS
    from tests.http import app_client

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    shutil.copy2(scan, corpus / "2024-ke-hoach-ban-quet.pdf")
    shutil.copytree(index_dir, tmp_path / "index")
    result = build_index(corpus, tmp_path / "index", warn=lambda line: None)
    # no terminal here: the OCR's progress is one line per scanned file
    assert "2024-ke-hoach-ban-quet.pdf: reading 2 scanned pages by OCR" in capsys.readouterr().err
    assert result.added == 1 and result.reading == {
        "text": 2,
        "ocr": 1,
        "converted": 0,
        "ocr_pages": 2,
    }
    (special,) = result.read_specially
    assert special["path"] == "2024-ke-hoach-ban-quet.pdf" and special["ocr_pages"] == [1, 2]
    summary = result.summary()
    assert "read: 2 as text, 1 by OCR (2 pages), 0 converted" in summary
    sure = f"{special['ocr_confidence']:.0f}%"
    assert f"2024-ke-hoach-ban-quet.pdf: OCR (2 of 2 pages, confidence {sure})" in summary

    with app_client(tmp_path / "index") as c:
        docs = {d["id"]: d for d in c.get("/documents").json()["documents"]}
        scanned = docs["2024-ke-hoach-ban-quet"]["reading"]
        assert scanned["method"] == "ocr" and scanned["source_format"] == "pdf+ocr"
        assert scanned["pages"] == 2 and scanned["ocr_pages"] == [1, 2]
        assert 60 < scanned["ocr_confidence"] <= 100
        others = [d["reading"]["method"] for i, d in docs.items() if i != "2024-ke-hoach-ban-quet"]
        assert others == ["text", "text"]
        page = c.get("/doc/2024-ke-hoach-ban-quet").text
        assert "Nhận dạng chữ (OCR) từ bản quét: trang 1–2 trên 2, độ tin cậy trung bình" in page
        assert 'class="notice warn ocr-note"' in page and 'data-read="ocr"' in page
        plain = c.get("/doc/2026-truong-cao-dang-y-te-khanh-hoa").text
        assert "Cách đọc" not in plain and "ocr-note" not in plain
        found = c.get(
            "/",
            params={
                "q": "Trường Cao đẳng Y tế Khánh Hòa kế hoạch",
                "doc": "2024-ke-hoach-ban-quet",
            },
        ).text
        assert 'class="tag ocr"' in found


def test_pages_are_read_one_tesseract_thread_each_and_the_setting_is_put_back(
    scan, fresh_cache, monkeypatch
):
    """Tesseract's OpenMP threads crowd the cores: each process gets one, and the pages are
    read side by side instead; the process's own environment is as it was afterwards."""
    import threading

    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    seen: list[tuple[str | None, str]] = []
    real = ocr.recognize

    def watching(image):
        seen.append((os.environ.get("OMP_THREAD_LIMIT"), threading.current_thread().name))
        return real(image)

    monkeypatch.setattr(ocr, "recognize", watching)
    heard: list[tuple[int, int]] = []
    with ocr.reporting(lambda name, done, total: heard.append((done, total))):
        raw = read_document(scan)
    assert raw.ocr_pages == [1, 2] and len(seen) == 2
    assert {limit for limit, _ in seen} == {"1"}
    assert all(name.startswith("ocr") for _, name in seen)  # on the reading threads
    assert "OMP_THREAD_LIMIT" not in os.environ
    assert heard[0] == (0, 2) and heard[-1] == (2, 2) and len(heard) == 3
