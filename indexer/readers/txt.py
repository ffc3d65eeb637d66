"""Plain-text plans (extracted or copied text)."""

from __future__ import annotations

from pathlib import Path

from indexer.errors import UnreadableFileError
from indexer.readers.base import RawDocument
from indexer.readers.encoding import decode_bytes


def read_txt(path: Path, data: bytes | None = None) -> RawDocument:
    data = path.read_bytes() if data is None else data
    text = decode_bytes(data, str(path))
    if not text.strip():
        raise UnreadableFileError(path, "the file holds no text", "check that it is the right file")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if "\x00" in text or controls > 0.02 * len(text):
        raise UnreadableFileError(
            path,
            "binary data, not text (wrong encoding or not a text file)",
            "save it as UTF-8 text",
        )
    return RawDocument(text=text, source_format="txt")
