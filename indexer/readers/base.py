"""What a reader hands to cleaning: text lines plus any real tables."""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE_BREAK = "\f"  # a line holding only this marks a page boundary


@dataclass(slots=True)
class RawDocument:
    """The text of a plan file before cleaning.

    ``text`` holds the running text (pages separated by form feeds where known);
    ``tables`` holds real tables (DOCX) as rows of cell strings, in document order.
    """

    text: str
    tables: list[list[list[str]]] = field(default_factory=list)
    source_format: str = "txt"
