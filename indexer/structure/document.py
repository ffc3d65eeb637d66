"""Assemble a Document from raw text: clean → regions → metadata, paragraphs, tasks."""

from __future__ import annotations

import re

from indexer import limits
from indexer.cleaning import Line, split_lines
from indexer.model import Document, Paragraph, TaskRow
from indexer.readers.base import RawDocument
from indexer.structure.appendix import parse_appendix, task_tables
from indexer.structure.assignment import lead_of
from indexer.structure.blocks import Block, reflow
from indexer.structure.columns import RESPONSIBLE, TASK, TIMELINE, field_of_header_cell
from indexer.structure.deadlines import parse_deadline
from indexer.structure.header import strip_motto
from indexer.structure.layout import split_layout
from indexer.structure.metadata import extract_meta
from indexer.structure.procedures import link_rows, procedure_tables
from indexer.structure.sections import to_paragraphs

APPENDIX_LABEL = "PHỤ LỤC"


def task_text(row: TaskRow) -> str:
    """An appendix row as one readable paragraph."""
    parts = [row.task]
    for label, value in (
        ("Sản phẩm", row.products),
        ("Tiến độ", row.timeline),
        ("Thực hiện", row.responsible),
        ("Phối hợp", row.partners),
        ("Kinh phí", row.budget),
    ):
        if value and not (label == "Phối hợp" and value in row.responsible):  # said already
            parts.append(f"{label}: {value}")
    return " — ".join(p for p in parts if p)


def read_tasks(rows: list[TaskRow], year: int | None) -> None:
    """Fill in what each row's cells say beyond their text: the lead (``lead_of`` the
    responsible cell) and the period of its time cell (``parse_deadline``, the plan's
    ``year`` for a date without one) as ISO dates."""
    for row in rows:
        row.lead = lead_of(row.responsible)
        due = parse_deadline(row.timeline, year)
        row.due_start = due.start.isoformat() if due.start else None
        row.due_end = due.end.isoformat() if due.end else None
        row.recurring = due.recurring


# a row's first cell: a row number, a procedure code, a step ("Bước 7")
_DATA_ROW = re.compile(r"^(?:\d{1,3}[.)]?|\d\.\d{6}\S*|(?:Bước|Giai đoạn)\s+\d{1,3}\.?)$", re.I)
_HEADER_GAP = 3  # plain lines (group rows "A. …", "II. …") a table's header is carried over


def table_passages(lines: list[Line]) -> list[Line]:
    """Rows of a table in the text (``| a | b |`` lines) → one line per row, each value with
    its column's name ("Nội dung: …; Năm 2026: …"); the header row is left out, and so are
    the rows of a task table (a task column and a who or when column, as
    ``appendix.rows_from_table`` reads them: they become task paragraphs). A group row
    ("A. Thủ tục hành chính cấp trung ương") breaks the ``|`` lines in two: the rows after it,
    which open with a row number, keep the header above it."""
    out: list[Line] = []
    header: list[str] | None = None
    gap = 0
    k = 0
    while k < len(lines):
        if not lines[k].cells:
            out.append(lines[k])
            gap += 1
            k += 1
            continue
        run = []
        while k < len(lines) and lines[k].cells:
            run.append(lines[k])
            k += 1
        first = run[0].cells or []
        named = True  # each value with its column's name
        if first and _DATA_ROW.match(first[0].strip()) and header and gap <= _HEADER_GAP:
            rows = run  # rows of the table whose header came before the group row
        elif len(run) == 1:
            header, rows, named = first, run, False  # a lone row: no header to name it by
        else:
            header, rows = first, run[1:]
        gap = 0
        fields = {field_of_header_cell(c) for c in header}
        if TASK in fields and fields & {RESPONSIBLE, TIMELINE}:
            continue
        for row in rows:
            cells = [strip_motto(c).replace("|", " ").strip(" -–") for c in row.cells or []]
            if named and len(header) == len(cells):
                parts = [f"{h}: {c}" if h and c else c for h, c in zip(header, cells, strict=True)]
            else:
                parts = cells
            text = "; ".join(p for p in parts if p.strip())
            if text:
                out.append(Line(text, row.page_break, row.indented))
    return out


_BREAK = re.compile(r"(?<=[.;:!?…])\s+|\n")  # where a long paragraph is best cut


def split_long(paragraphs: list[Paragraph], cap: int | None = None) -> list[Paragraph]:
    """Paragraphs of at most ``cap`` characters (``CCHC_MAX_PARAGRAPH_CHARS``): a longer one
    is cut into consecutive paragraphs of the same section and kind — at the last sentence
    end before the cap, else the last space, else the cap itself — and the ordinals and ids
    are numbered again. Nothing is dropped; what a paragraph costs to embed, snippet and send
    stays bounded whatever a file holds (a 47 MB one-line text was one 34M-character
    paragraph)."""
    cap = int(cap or limits.PARAGRAPH_CHARS.value())
    if all(len(p.text) <= cap for p in paragraphs):
        return paragraphs
    out: list[Paragraph] = []
    for p in paragraphs:
        for piece in _pieces(p.text, cap):
            ordinal = len(out)
            out.append(
                Paragraph(f"{p.doc_id}:{ordinal:04d}", p.doc_id, ordinal, p.section, p.kind, piece)
            )
    return out


def _pieces(text: str, cap: int) -> list[str]:
    pieces = []
    while len(text) > cap:
        window = text[: cap + 1]
        cut = max((m.end() for m in _BREAK.finditer(window) if m.end() <= cap), default=0)
        if cut < cap // 2:  # no sentence end in the second half: the last space will do
            cut = window.rfind(" ") + 1
        if cut < cap // 2:
            cut = cap
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    if text or not pieces:
        pieces.append(text)
    return [piece for piece in pieces if piece] or [text]


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
    opening = reflow(table_passages(layout.opening), opening=True)
    paragraphs += to_paragraphs(opening, doc_id, start=len(paragraphs))
    paragraphs += to_paragraphs(reflow(table_passages(layout.body)), doc_id, start=len(paragraphs))
    if layout.annex:  # a regulation or plan attached after the signature
        paragraphs += to_paragraphs(
            reflow(table_passages(layout.annex)), doc_id, start=len(paragraphs)
        )
    tasks: list[TaskRow] = []
    if appendix and appendix.rows:
        tasks = appendix.rows
    elif raw.tables:
        tasks = task_tables(raw.tables)
    # the appendix's own text, but for a task table read from its text lines (PDF, TXT: the
    # lines are the table's cells interleaved); a file with tables (DOCX, HTML, Markdown) has
    # its task tables' rows left out by ``table_passages`` and keeps everything else
    from_lines = bool(appendix and appendix.rows and appendix.rows is tasks and not raw.tables)
    if layout.appendix and not from_lines:
        # what follows the title and note when they head the task rows' section already
        start = appendix.body_start if appendix and appendix.rows is tasks else 0
        body = table_passages(layout.appendix[start:])
        label = [APPENDIX_LABEL] + ([appendix.title] if appendix and appendix.title else [])
        paragraphs += to_paragraphs(reflow(body), doc_id, start=len(paragraphs), base=label[:1])
    task_paragraphs: list[Paragraph] = []
    if tasks:
        title = appendix.title if appendix and appendix.rows is tasks else None
        section = [APPENDIX_LABEL] + ([title] if title else [])
        for row in tasks:
            ordinal = len(paragraphs)
            sec = section + ([row.group] if row.group else [])
            paragraphs.append(
                Paragraph(f"{doc_id}:{ordinal:04d}", doc_id, ordinal, sec, "task", task_text(row))
            )
            task_paragraphs.append(paragraphs[-1])
    paragraphs = split_long(paragraphs)
    _link_tasks(tasks, task_paragraphs, paragraphs)
    procedures = procedure_tables(raw.tables) if raw.tables else []
    link_rows(procedures, [p for p in paragraphs if p.kind != "task"])
    rows = tasks + procedures
    read_tasks(rows, meta.year)
    return Document(doc_id, path, sha256, meta, paragraphs, rows, raw.reading())


def _link_tasks(tasks: list[TaskRow], own: list[Paragraph], paragraphs: list[Paragraph]) -> None:
    """Each row's ``paragraph_id``: the paragraph that starts its text (``split_long`` may
    have cut a long one; task paragraphs stay in order, each opening with its text)."""
    pieces = iter(p for p in paragraphs if p.kind == "task")
    for row, para in zip(tasks, own, strict=True):
        for piece in pieces:
            if para.text.startswith(piece.text):
                row.paragraph_id = piece.id
                break
