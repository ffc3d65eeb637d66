"""PDF plans through pypdf's text layer."""

from __future__ import annotations

import io
import logging
from pathlib import Path

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
    if not any(p.strip() for p in pages):
        raise UnreadableFileError(
            path,
            "the PDF has no text layer (scanned image?)",
            "run OCR on it or use the original DOCX/text",
        )
    text = f"\n{PAGE_BREAK}\n".join(pages)
    return RawDocument(text=text, source_format="pdf")
