"""OCR for PDF pages without a text layer (scanned, signed and stamped plans).

Each such page is rendered by PDFium (``pypdfium2``) at ``DPI`` — enough to keep the
diacritics — and read by Tesseract with its Vietnamese model (``pytesseract`` driving the
Debian ``tesseract-ocr`` and ``tesseract-ocr-vie`` packages; ``make converters``). The text
then goes through the same cleaning, header reading and structure as any other text.

A page costs seconds, so results are cached per file content and page (``cache_dir()``:
``$CCHC_OCR_CACHE``, else ``~/.cache/cchc-search/ocr``): a rebuild never reads a page twice.
``CCHC_OCR=0`` turns OCR off (such pages are then skipped as before). A caller that shows
progress (the build) passes a callback through ``reporting``: it hears of each page read.

Bounded: at most ``CCHC_OCR_MAX_PAGES`` scanned pages a file, ``CCHC_OCR_PAGE_SECONDS`` a page,
``CCHC_OCR_FILE_SECONDS`` seconds for all of a file's pages (``OcrTooLongError`` beyond: the
pages read so far stay cached), a page rendered at no more than ``MAX_PIXELS``; a page whose
words Tesseract rates below ``NOISE_CONFIDENCE`` on average is noise (strokes, a photo, a
pattern), not text, and gives no text.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer import limits

DPI = 300
LANG = "vie"
OFF_VALUES = ("0", "false", "off", "no")
MAX_PAGES = 100  # scanned pages read in one file (CCHC_OCR_MAX_PAGES): seconds each
MAX_PIXELS = 40_000_000  # a page rendered larger (an oversized MediaBox) is scaled down
PAGE_TIMEOUT = limits.OCR_PAGE_SECONDS.default  # seconds a page (tests lengthen it)
WORKERS = max(1, min(4, os.cpu_count() or 1))  # pages read at once, one Tesseract each
NOISE_CONFIDENCE = 30.0  # a page's mean word confidence below which its "text" is noise


class OcrTooLongError(RuntimeError):
    """A file's scanned pages took longer than ``CCHC_OCR_FILE_SECONDS`` to read."""


# (file name, pages read so far, pages to read): called before the first page and after each
Progress = Callable[[str, int, int], None]
_progress: ContextVar[Progress | None] = ContextVar("ocr_progress", default=None)


@contextmanager
def reporting(callback: Progress) -> Iterator[None]:
    """Within this block, ``read_pages`` reports each page it reads to ``callback``."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


@dataclass(slots=True)
class PageText:
    text: str
    confidence: float  # Tesseract's mean word confidence, 0–100


def enabled() -> bool:
    """OCR is on unless ``CCHC_OCR`` says otherwise."""
    return os.environ.get("CCHC_OCR", "1").strip().lower() not in OFF_VALUES


def page_seconds() -> float:
    """Seconds Tesseract may spend on one page: $CCHC_OCR_PAGE_SECONDS, else PAGE_TIMEOUT."""
    if os.environ.get(limits.OCR_PAGE_SECONDS.env):
        return limits.OCR_PAGE_SECONDS.value()
    return PAGE_TIMEOUT


def max_pages() -> int:
    try:
        value = int(os.environ.get("CCHC_OCR_MAX_PAGES", MAX_PAGES))
    except ValueError:
        return MAX_PAGES
    return value if value > 0 else MAX_PAGES


@lru_cache(maxsize=1)
def missing() -> str | None:
    """What is missing for OCR here (None when it can run); asked once per process."""
    try:
        import pypdfium2  # noqa: F401
        import pytesseract
    except ImportError:
        return "the Python packages pytesseract and pypdfium2"
    if shutil.which("tesseract") is None:
        return "Tesseract (apt-get install tesseract-ocr tesseract-ocr-vie)"
    try:
        langs = pytesseract.get_languages(config="")
    except Exception:  # noqa: BLE001 - a broken install reads as missing
        return "a working Tesseract"
    if LANG not in langs:
        return "Tesseract's Vietnamese model (apt-get install tesseract-ocr-vie)"
    return None


def cache_dir() -> Path:
    given = os.environ.get("CCHC_OCR_CACHE")
    return Path(given) if given else Path.home() / ".cache" / "cchc-search" / "ocr"


def read_pages(data: bytes, pages: list[int], name: str = "") -> list[PageText]:
    """The text of the given pages (0-based) of the PDF ``data``, from the cache or by OCR
    (each page read is reported to the ``reporting`` callback, if any, under ``name``)."""
    digest = hashlib.sha256(data).hexdigest()
    out: list[PageText] = []
    todo = []
    cached: dict[int, PageText] = {}
    for page in pages:
        hit = _cached(digest, page)
        if hit is None:
            todo.append(page)
        else:
            cached[page] = hit
    if todo:
        cached |= _read_missing(data, digest, todo, name)
    for page in pages:
        out.append(cached[page])
    return out


def _read_missing(data: bytes, digest: str, todo: list[int], name: str) -> dict[int, PageText]:
    """OCR of the pages ``todo``, ``WORKERS`` at a time: each page is rendered here (PDFium
    is not thread-safe) and read by its own Tesseract process on a worker thread; at most
    ``WORKERS`` rendered pages are held at once. Each page is cached as soon as it is read."""
    import pypdfium2

    report = _progress.get() or (lambda _name, _done, _total: None)

    def finish(futures: set[Future]) -> None:
        for future in futures:
            page = pending.pop(future)
            read[page] = future.result()
            _store(digest, page, read[page])
            report(name, len(read), len(todo))

    report(name, 0, len(todo))
    read: dict[int, PageText] = {}
    pending: dict[Future, int] = {}
    budget = limits.OCR_FILE_SECONDS.value()
    deadline = time.monotonic() + budget

    def left() -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            for future in pending:
                future.cancel()
            raise OcrTooLongError(
                f"reading {len(todo)} scanned pages took longer than {budget:g} s "
                f"({len(read)} read, kept for the next try)"
            )
        return remaining

    pdf = pypdfium2.PdfDocument(data)
    try:
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="ocr") as pool, _one_thread_each():
            for page in todo:
                while len(pending) >= WORKERS:
                    done = wait(pending, timeout=left(), return_when=FIRST_COMPLETED).done
                    finish(done)
                left()
                width, height = pdf[page].get_size()  # points
                scale = min(DPI / 72, (MAX_PIXELS / max(1.0, width * height)) ** 0.5)
                image = pdf[page].render(scale=scale, grayscale=True).to_pil()
                pending[pool.submit(recognize, image)] = page
            while pending:
                finish(wait(pending, timeout=left(), return_when=FIRST_COMPLETED).done)
    finally:
        pdf.close()
    return read


@contextmanager
def _one_thread_each() -> Iterator[None]:
    """Tesseract's own OpenMP threads crowd two cores: one thread each, and one page per
    core instead (measured here: 7.5 s a page → 1.8 s, the same text). pytesseract hands its
    processes this process's environment, so the limit is set around the reading only (one
    the user set is kept); OpenMP in this process read its environment when it loaded."""
    if "OMP_THREAD_LIMIT" in os.environ:
        yield
        return
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        yield
    finally:
        os.environ.pop("OMP_THREAD_LIMIT", None)


def recognize(image) -> PageText:
    """Tesseract's text of one page image, lines kept, and its mean word confidence."""
    import pytesseract

    found = pytesseract.image_to_data(
        image, lang=LANG, output_type=pytesseract.Output.DICT, timeout=page_seconds()
    )
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences = []
    for i, word in enumerate(found["text"]):
        conf = float(found["conf"][i])
        if not word.strip() or conf < 0:
            continue
        key = (found["block_num"][i], found["par_num"][i], found["line_num"][i])
        lines.setdefault(key, []).append(word)
        confidences.append(conf)
    text = "\n".join(" ".join(words) for _, words in sorted(lines.items()))
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    if mean < NOISE_CONFIDENCE:
        text = ""  # strokes, a photo or a pattern read as letters: not the plan's text
    return PageText(text, round(mean, 1))


def _key(digest: str, page: int) -> Path:
    return cache_dir() / digest[:2] / f"{digest}-p{page}-{DPI}-{LANG}.json"


def _cached(digest: str, page: int) -> PageText | None:
    try:
        got = json.loads(_key(digest, page).read_text("utf-8"))
        return PageText(str(got["text"]), float(got["confidence"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(digest: str, page: int, result: PageText) -> None:
    path = _key(digest, page)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"text": result.text, "confidence": result.confidence}), "utf-8")
        tmp.replace(path)
    except OSError:  # a cache that cannot be written only costs time
        pass
