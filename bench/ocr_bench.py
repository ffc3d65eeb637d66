"""OCR cost: seconds per scanned page read by Tesseract, and the same file read again
(a rebuild: every page from the cache). The scan is made from a real plan (eval/ocr.py)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ocr_figures(pages: int = 2) -> dict:
    from eval.ocr import page_lines, scanned_pdf
    from indexer.readers import ocr, read_document

    lacking = ocr.missing()
    if lacking:
        return {"skipped": f"OCR needs {lacking}"}
    plan = ROOT / "corpus" / "2026-truong-cao-dang-y-te-khanh-hoa.txt"
    drawn = page_lines(read_document(plan).text, pages)
    before = os.environ.get("CCHC_OCR_CACHE")
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        os.environ["CCHC_OCR_CACHE"] = str(Path(tmp) / "cache")
        try:
            pdf = Path(tmp) / "scan.pdf"
            pdf.write_bytes(scanned_pdf(drawn))
            t0 = time.perf_counter()
            first = read_document(pdf).text
            cold = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = read_document(pdf).text
            cached = time.perf_counter() - t0
        finally:
            if before is None:
                os.environ.pop("CCHC_OCR_CACHE", None)
            else:
                os.environ["CCHC_OCR_CACHE"] = before
    return {
        "pages": len(drawn),
        "dpi": ocr.DPI,
        "seconds_per_page": round(cold / len(drawn), 2),
        "rebuild_seconds_per_page": round(cached / len(drawn), 3),
        "rebuild_same_text": again == first,
    }
