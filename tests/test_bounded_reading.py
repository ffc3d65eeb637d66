"""One file, one bounded worker (issue 29, item 1; review findings N1, N6, N8).

Hostile files are made here, small, from the review's recipes (``../shared/security-review.md``);
the text around them is real (an excerpt of a plan of ``corpus/``). Limits are set small in
each test so it ends quickly whatever the machine's load; what is asserted is the outcome
(the file skipped with one line naming its limit, the rest indexed, no process left), never
a duration.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from eval.ocr import page_lines, scanned_pdf
from indexer.errors import UnreadableFileError
from indexer.parse import parse_file
from indexer.pipeline.bounded import BoundedReader
from indexer.pipeline.jobs import FileJob
from indexer.readers import ocr, read_document

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "corpus" / "2026-truong-cao-dang-y-te-khanh-hoa.txt"
needs_ocr = pytest.mark.skipif(
    ocr.missing() is not None, reason=f"OCR needs {ocr.missing()} (make converters)"
)


# -- tiny PDFs from the review (N1, N8) ---------------------------------------------------------
def _pdf(objs: dict[int, bytes]) -> bytes:
    out, offs = bytearray(b"%PDF-1.7\n"), {}
    for n in sorted(objs):
        offs[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objs[n])
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (max(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % offs[n] for n in range(1, max(objs) + 1))
    tail = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (max(objs) + 1, x)
    return bytes(out + tail)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def _page(box: bytes, resources: bytes) -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s] /Contents 4 0 R /Resources %s >>"
        % (box, resources),
    }


def two_forms_pdf() -> bytes:
    """845 bytes: two forms that draw each other twice (PDFium's memory grows ~250 MB/s)."""
    form = (
        b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
        b"/Resources << /XObject << /%s %d 0 R >> >>"
    )
    o = _page(b"595 842", b"<< /XObject << /X0 5 0 R >> >>")
    o[4] = _stream(b"/X0 Do")
    o[5] = _stream(b"0 0 m 10 10 l S /X1 Do /X1 Do", form % (b"X1", 6))
    o[6] = _stream(b"5 5 m 20 20 l S /X0 Do /X0 Do", form % (b"X0", 5))
    return _pdf(o)


def pattern_pdf(box: bytes, scale: bytes) -> bytes:
    """A page filled with a tiling pattern of strokes: with tiles of 0.06 pt (scale 0.001)
    PDFium renders for ever; with larger ones Tesseract reads the strokes as 'letters'."""
    o = _page(box, b"<< /Pattern << /P0 5 0 R >> >>")
    o[4] = _stream(b"/Pattern cs /P0 scn 0 0 14400 14400 re f")
    o[5] = _stream(
        b"0 0 m 30 10 l 50 0 l S",
        b"/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 60 12] "
        b"/XStep 60 /YStep 19.2 /Resources << >> /Matrix [%s 0 0 %s 0 0]" % (scale, scale),
    )
    return _pdf(o)


def _excerpt(lines: int = 40) -> str:
    return "\n".join(PLAN.read_text(encoding="utf-8").splitlines()[:lines]) + "\n"


def _children_since(start: float) -> list[psutil.Process]:
    """Processes this test process started since ``start`` that are still running (but
    multiprocessing's resource tracker, which lives as long as this process, by design)."""
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if (
                child.create_time() >= start - 1
                and child.status() != psutil.STATUS_ZOMBIE
                and "resource_tracker" not in " ".join(child.cmdline())
            ):
                alive.append(child)
        except psutil.NoSuchProcess:
            pass
    return alive


# -- N1: a render without end, a render without bound ------------------------------------------
@pytest.mark.slow
@pytest.mark.converters
@needs_ocr
def test_pdfs_that_render_without_end_are_stopped_and_the_build_goes_on(tmp_path, monkeypatch):
    from indexer.build import build_index

    monkeypatch.setenv("CCHC_FILE_SECONDS", "20")
    monkeypatch.setenv("CCHC_FILE_MEMORY_MB", "1024")
    monkeypatch.setenv("CCHC_OCR_CACHE", str(tmp_path / "ocr"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "2026-trich-doan.txt").write_text(_excerpt(), encoding="utf-8")
    (corpus / "2025-hai-form.pdf").write_bytes(two_forms_pdf())
    (corpus / "2025-o-nho.pdf").write_bytes(pattern_pdf(b"14400 14400", b"0.001"))
    lines: list[str] = []
    start = time.time()
    result = build_index(corpus, tmp_path / "index", quiet=True, warn=lines.append)
    assert sorted(result.skipped_files) == ["2025-hai-form.pdf", "2025-o-nho.pdf"]
    assert result.documents == 1 and result.paragraphs > 0
    forms = [ln for ln in lines if "hai-form" in ln]
    endless = [ln for ln in lines if "o-nho" in ln]
    # memory grows until the limit stops it — or, on a busy machine, the clock does first
    assert len(forms) == 1 and re.search("CCHC_FILE_(MEMORY_MB|SECONDS)", forms[0]), lines
    assert len(endless) == 1 and "CCHC_FILE_SECONDS" in endless[0], lines
    assert _children_since(start) == []  # the reader, PDFium, Tesseract: all gone


def docx_bomb(megabytes: int) -> bytes:
    """A DOCX of half a megabyte whose document.xml unpacks to ``megabytes`` MB of paragraphs
    of a plan's first line: under the unpacked-size limit (CCHC_MAX_UNCOMPRESSED_MB, 200),
    and a few gigabytes once the XML is parsed into a tree."""
    import io
    import zipfile

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        f'ContentType="application/xml"/><Override PartName="/word/document.xml" '
        f'ContentType="{main}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        "schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
        '" Target="word/document.xml"/></Relationships>'
    )
    first = PLAN.read_text(encoding="utf-8").splitlines()[0].strip() or "KẾ HOẠCH"
    para = f"<w:p><w:r><w:t>{first}</w:t></w:r></w:p>"
    body = para * (megabytes * 2**20 // len(para.encode()))
    doc = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}"><w:body>{body}'
    doc += "</w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", doc)
    return out.getvalue()


@pytest.mark.slow  # a worker parses half a gigabyte of XML
def test_a_reader_that_runs_out_of_memory_costs_one_file(tmp_path):
    bomb = tmp_path / "2025-bom.docx"
    bomb.write_bytes(docx_bomb(150))
    good = tmp_path / "2026-trich-doan.txt"
    good.write_text(_excerpt(), encoding="utf-8")
    start = time.time()
    with BoundedReader(seconds=600, memory_mb=1024) as read:
        failed = read(_job(bomb))
        ok = read(_job(good))
    assert failed.document is None and len(failed.lines) == 1
    assert "CCHC_FILE_MEMORY_MB" in failed.lines[0] and bomb.name in failed.lines[0]
    assert ok.document is not None and ok.document.paragraphs
    assert _children_since(start) == []


@pytest.mark.slow  # a worker parses half a gigabyte of XML
def test_a_reader_killed_under_a_file_costs_that_file_only(tmp_path):
    bomb = tmp_path / "2025-bom.docx"
    bomb.write_bytes(docx_bomb(150))  # seconds of parsing, under a generous limit
    good = tmp_path / "2026-trich-doan.txt"
    good.write_text(_excerpt(), encoding="utf-8")
    start = time.time()
    with BoundedReader(seconds=600, memory_mb=16384) as read:
        read(_job(good))  # the worker is up

        def kill_the_worker() -> None:
            time.sleep(0.5)
            os.kill(read.pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_the_worker)
        killer.start()
        failed = read(_job(bomb))
        killer.join()
        ok = read(_job(good))
    assert failed.document is None and "killed" in failed.lines[0]
    assert ok.document is not None
    assert _children_since(start) == []


def _job(path: Path) -> FileJob:
    data = path.read_bytes()
    return FileJob(path.name, str(path), data, hashlib.sha256(data).hexdigest())


# -- N8: OCR bounded in time per file, and noise is not text ------------------------------------
@pytest.mark.slow
@pytest.mark.converters
@needs_ocr
def test_ocr_stops_at_its_time_limit_per_file_and_keeps_what_it_read(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_OCR_CACHE", str(tmp_path / "ocr"))
    monkeypatch.setenv("CCHC_OCR_FILE_SECONDS", "0.5")
    scan = tmp_path / "2026-ke-hoach-quet.pdf"
    scan.write_bytes(scanned_pdf(page_lines(read_document(PLAN).text, 3)))
    with pytest.raises(UnreadableFileError) as err:
        parse_file(scan)
    message = str(err.value)
    assert "CCHC_OCR_FILE_SECONDS" in message and "OCR stopped" in message
    assert len(message.splitlines()) == 1


@pytest.mark.slow
@pytest.mark.converters
@needs_ocr
def test_a_page_of_strokes_is_not_read_as_text(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_OCR_CACHE", str(tmp_path / "ocr"))
    noise = tmp_path / "2025-hoa-van.pdf"
    noise.write_bytes(pattern_pdf(b"595 842", b"0.2"))  # Tesseract rates its 'words' ≈ 5/100
    with pytest.raises(UnreadableFileError, match="OCR found no text"):
        parse_file(noise)


# -- N6: a paragraph has a maximum length ------------------------------------------------------
def test_a_paragraph_longer_than_the_limit_is_split_not_dropped(tmp_path):
    """Real sentences of a plan joined into one 60,000-character line (review N6: a one-line
    file was one paragraph of millions of characters)."""
    sentences = [s for s in re.split(r"(?<=[.;])\s+", " ".join(_excerpt(200).split())) if s]
    line = ""
    while len(line) < 60_000:
        line += " ".join(sentences) + " "
    path = tmp_path / "2026-mot-dong.txt"
    path.write_text("KẾ HOẠCH\n\n" + line + "\n", encoding="utf-8")
    doc = parse_file(path)
    assert max(len(p.text) for p in doc.paragraphs) <= 4000
    assert len(doc.paragraphs) >= 15
    assert [p.ordinal for p in doc.paragraphs] == list(range(len(doc.paragraphs)))
    assert len({p.id for p in doc.paragraphs}) == len(doc.paragraphs)
    joined = "".join("".join(p.text.split()) for p in doc.paragraphs)
    assert "".join(line.split()) in joined  # nothing dropped


def test_the_paragraph_limit_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_MAX_PARAGRAPH_CHARS", "500")
    path = tmp_path / "2026-trich-doan.txt"
    path.write_text(_excerpt(200), encoding="utf-8")
    doc = parse_file(path)
    assert max(len(p.text) for p in doc.paragraphs) <= 500
