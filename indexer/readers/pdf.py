"""PDF plans through pypdf's text layer."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from indexer import limits
from indexer.errors import UnreadableFileError
from indexer.readers.base import PAGE_BREAK, RawDocument


def _decrypt_without_password(reader) -> bool:
    """True if an encrypted PDF opens with the empty user password (owner-only protection)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 — e.g. AES without the cryptography package
        return False


def read_pdf(path: Path, data: bytes | None = None) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)  # pypdf warns on stderr about what we report ourselves
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes() if data is None else data))
        if reader.is_encrypted and not _decrypt_without_password(reader):
            raise UnreadableFileError(
                path,
                "the PDF is encrypted (it needs a password to open)",
                "remove the password and export it again",
            )
        pages = [(page.extract_text() or "") for page in reader.pages]
    except UnreadableFileError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableFileError(
            path, f"corrupt or truncated PDF ({exc.__class__.__name__})", "export the PDF again"
        ) from exc
    finally:
        log.setLevel(level)
    if not pages:
        raise UnreadableFileError(path, "the PDF has no pages", "export the PDF again")
    scanned = [i for i, p in enumerate(pages) if not p.strip()]
    raw = RawDocument(text="", source_format="pdf", pages=len(pages))
    if scanned:
        pages = _with_ocr(path, data, pages, scanned, raw)
    raw.text = f"\n{PAGE_BREAK}\n".join(pages)
    return raw


def _with_ocr(
    path: Path, data: bytes | None, pages: list[str], scanned: list[int], raw: RawDocument
) -> list[str]:
    """The pages with each page that has no text layer read by OCR (``ocr.py``), when OCR is
    on and installed — noted in ``raw`` (its pages and Tesseract's mean confidence);
    otherwise the scanned pages stay empty (all scanned: one clear error)."""
    from indexer.readers import ocr

    lacking = None if ocr.enabled() else "OCR is turned off (CCHC_OCR=0)"
    lacking = lacking or (f"OCR needs {m}" if (m := ocr.missing()) else None)
    if lacking is not None:
        if len(scanned) == len(pages):
            raise UnreadableFileError(
                path,
                f"the PDF has no text layer (scanned image?) and {lacking}",
                "turn OCR on / install it (make converters), or use the original DOCX/text",
            )
        return pages
    if len(scanned) > ocr.max_pages():
        raise UnreadableFileError(
            path,
            f"the PDF has {len(scanned)} scanned pages; OCR reads at most {ocr.max_pages()} "
            "in one file (seconds each)",
            "split it, or raise CCHC_OCR_MAX_PAGES",
        )
    try:
        read = ocr.read_pages(path.read_bytes() if data is None else data, scanned, name=path.name)
    except ocr.OcrTooLongError as exc:
        raise UnreadableFileError(
            path,
            f"OCR stopped: {exc} (the OCR limit per file)",
            f"check the scan; {limits.OCR_FILE_SECONDS.advice()}",
        ) from None
    except RuntimeError as exc:  # pytesseract's timeout and Tesseract's own failures
        raise UnreadableFileError(
            path, f"OCR failed ({' '.join(str(exc).split())[:100]})", "check the scan"
        ) from exc
    pages = list(pages)
    for i, page in zip(scanned, read, strict=True):
        pages[i] = page.text
    if not any(p.strip() for p in pages):
        raise UnreadableFileError(
            path,
            "the PDF has no text layer and OCR found no text in it (a blank or unreadable scan)",
            "scan it again at 300 dpi, or use the original DOCX/text",
        )
    raw.source_format = "pdf+ocr"
    raw.ocr_pages = [i + 1 for i in scanned]
    sure = [p.confidence for p in read if p.text.strip()]  # a blank page has no words to rate
    raw.ocr_confidence = round(sum(sure) / len(sure), 1) if sure else None
    return pages
