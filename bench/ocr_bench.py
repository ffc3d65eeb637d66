"""OCR cost: seconds per scanned page read by Tesseract, and the same file read again
(a rebuild: every page from the cache). The scan is made from a real plan (eval/ocr.py).

Two ways of reading are timed side by side, alternated round by round on the same scan with
an empty cache each time: as served (one Tesseract thread per process, ``ocr.WORKERS``
pages at once) and as before (one page at a time, Tesseract's OpenMP threads on every core).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ocr_figures(pages: int = 4, rounds: int = 2) -> dict:
    from eval.ocr import page_lines, scanned_pdf
    from indexer.readers import ocr, read_document

    lacking = ocr.missing()
    if lacking:
        return {"skipped": f"OCR needs {lacking}"}
    plan = ROOT / "corpus" / "2026-truong-cao-dang-y-te-khanh-hoa.txt"
    drawn = page_lines(read_document(plan).text, pages)
    saved = {k: os.environ.get(k) for k in ("CCHC_OCR_CACHE", "OMP_THREAD_LIMIT")}
    workers = ocr.WORKERS
    timings: dict[str, list[float]] = {"served": [], "before": []}
    texts: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
            pdf = Path(tmp) / "scan.pdf"
            pdf.write_bytes(scanned_pdf(drawn))
            for r in range(rounds):
                for way in ("served", "before"):
                    os.environ["CCHC_OCR_CACHE"] = str(Path(tmp) / f"cache-{way}-{r}")
                    if way == "before":  # OpenMP on every core, one page at a time
                        os.environ["OMP_THREAD_LIMIT"] = str(os.cpu_count() or 1)
                        ocr.WORKERS = 1
                    else:
                        os.environ.pop("OMP_THREAD_LIMIT", None)
                        ocr.WORKERS = workers
                    t0 = time.perf_counter()
                    texts[way] = read_document(pdf).text
                    timings[way].append((time.perf_counter() - t0) / len(drawn))
            ocr.WORKERS = workers
            os.environ.pop("OMP_THREAD_LIMIT", None)
            t0 = time.perf_counter()
            again = read_document(pdf).text  # the last served cache: every page cached
            cached = (time.perf_counter() - t0) / len(drawn)
    finally:
        ocr.WORKERS = workers
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    served, before = statistics.median(timings["served"]), statistics.median(timings["before"])
    return {
        "pages": len(drawn),
        "dpi": ocr.DPI,
        "workers": workers,
        "seconds_per_page": round(served, 2),
        "seconds_per_page_before": round(before, 2),
        "speedup": round(before / served, 2) if served else None,
        "same_text_both_ways": texts["served"] == texts["before"],
        "rebuild_seconds_per_page": round(cached, 3),
        "rebuild_same_text": again == texts["served"],
    }
