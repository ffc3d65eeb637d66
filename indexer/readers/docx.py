"""DOCX plans: body paragraphs in order, and tables as rows of cells."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from indexer import limits
from indexer.errors import UnreadableFileError
from indexer.readers.base import RawDocument
from indexer.readers.layout_tables import Block, linearize


def _cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs).strip()


def _check_uncompressed(path: Path, data: bytes) -> None:
    """A zip bomb is refused before anything is inflated: the parts' declared sizes (zipfile
    never inflates a part beyond its declared size) must stay under the limit."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(info.file_size for info in archive.infolist())
    limit = limits.UNCOMPRESSED_MB.value()
    if total > limit * 1024 * 1024:
        raise UnreadableFileError(
            path,
            f"the DOCX unpacks to {total / 1024 / 1024:.0f} MB "
            f"(the {limits.UNCOMPRESSED_MB.what} limit is {limit:g} MB)",
            limits.UNCOMPRESSED_MB.advice(),
        )


def read_docx(path: Path, data: bytes | None = None) -> RawDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    data = path.read_bytes() if data is None else data
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFileError(
            path, "not a DOCX file (not a zip archive)", "open it in Word and save as .docx"
        )
    _check_uncompressed(path, data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken packages
        raise UnreadableFileError(
            path, f"corrupt DOCX ({exc.__class__.__name__})", "open it in Word and save again"
        ) from exc
    blocks: list[Block] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(block, document).text)
        elif tag == "tbl":
            table = Table(block, document)
            rows: list[list[str]] = []
            for row in table.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:  # merged cells repeat: keep each once
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(_cell_text(cell))
                rows.append(cells)
            blocks.append(rows)
    text, tables = linearize(blocks)
    if not text.strip() and not tables:
        raise UnreadableFileError(path, "the DOCX holds no text", "check that it is the right file")
    return RawDocument(text=text, tables=tables, source_format="docx")
