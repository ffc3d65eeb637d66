"""What a reader hands to cleaning: text lines plus any real tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.model import Reading

PAGE_BREAK = "\f"  # a line holding only this marks a page boundary
CONVERTED_FORMATS = frozenset({"doc", "rtf"})  # read through a converter (legacy_word.py)


@dataclass(slots=True)
class RawDocument:
    """The text of a plan file before cleaning.

    ``text`` holds the running text (pages separated by form feeds where known);
    ``tables`` holds real tables (DOCX) as rows of cell strings, in document order;
    ``pages``, ``ocr_pages`` (1-based) and ``ocr_confidence`` (0–100) say, for a PDF, which
    pages were read by OCR and how sure Tesseract was.
    """

    text: str
    tables: list[list[list[str]]] = field(default_factory=list)
    source_format: str = "txt"
    pages: int | None = None
    ocr_pages: list[int] = field(default_factory=list)
    ocr_confidence: float | None = None

    def reading(self) -> Reading:
        """How this text was obtained, as the catalog keeps it."""
        if self.ocr_pages:
            method = "ocr"
        elif self.source_format in CONVERTED_FORMATS:
            method = "converted"
        else:
            method = "text"
        return Reading(
            method, self.source_format, self.pages, list(self.ocr_pages), self.ocr_confidence
        )
