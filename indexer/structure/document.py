"""Assemble a Document from raw text: clean → regions → metadata, paragraphs, tasks."""

from __future__ import annotations

from indexer.cleaning import split_lines
from indexer.model import Document, Paragraph, TaskRow
from indexer.readers.base import RawDocument
from indexer.structure.appendix import parse_appendix
from indexer.structure.blocks import Block, reflow
from indexer.structure.layout import split_layout
from indexer.structure.metadata import extract_meta
from indexer.structure.sections import to_paragraphs

APPENDIX_LABEL = "PHỤ LỤC"


def task_text(row: TaskRow) -> str:
    """An appendix row as one readable paragraph."""
    parts = [row.task]
    for label, value in (
        ("Sản phẩm", row.products),
        ("Tiến độ", row.timeline),
        ("Thực hiện", row.responsible),
    ):
        if value:
            parts.append(f"{label}: {value}")
    return " — ".join(p for p in parts if p)


def build_document(raw: RawDocument, doc_id: str, path: str, sha256: str) -> Document:
    lines = split_lines(raw.text)
    layout = split_layout(lines)
    appendix = parse_appendix(layout.appendix, raw.tables) if layout.appendix else None
    if appendix is None and raw.tables:
        appendix = parse_appendix([], raw.tables)
    full_text = "\n".join(ln.text for ln in lines)
    meta = extract_meta(layout, appendix.note if appendix else None, full_text)

    paragraphs: list[Paragraph] = []
    head = [ln.text for ln in layout.title]
    if layout.kind or head:
        title_block = Block(None, [layout.kind.upper()] if layout.kind else [])
        title_block.lines.extend(head)
        paragraphs.append(Paragraph(f"{doc_id}:0000", doc_id, 0, [], "heading", title_block.text))
    opening = reflow(layout.opening, opening=True)
    paragraphs += to_paragraphs(opening, doc_id, start=len(paragraphs))
    paragraphs += to_paragraphs(reflow(layout.body), doc_id, start=len(paragraphs))
    tasks: list[TaskRow] = []
    if appendix and appendix.rows:
        tasks = appendix.rows
        section = [APPENDIX_LABEL] + ([appendix.title] if appendix.title else [])
        for row in tasks:
            ordinal = len(paragraphs)
            paragraphs.append(
                Paragraph(
                    f"{doc_id}:{ordinal:04d}", doc_id, ordinal, section, "task", task_text(row)
                )
            )
    return Document(doc_id, path, sha256, meta, paragraphs, tasks)
