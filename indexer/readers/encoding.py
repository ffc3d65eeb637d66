"""Bytes → text for plan files (minimal version; the encoding helper extends it)."""

from __future__ import annotations

import unicodedata

from indexer.errors import UnreadableFileError


def decode_bytes(data: bytes, source: str) -> str:
    """Decode UTF-8 (with or without BOM) into NFC text."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            source, f"not valid UTF-8 (byte {exc.start})", "save the file as UTF-8 and retry"
        ) from exc
    return unicodedata.normalize("NFC", text)
