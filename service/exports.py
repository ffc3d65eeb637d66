"""Answers as the files staff pass around: an Excel workbook (openpyxl) or a Word document
(python-docx) holding one table — the search results or a comparison — with the unit, year,
section and a link back to each paragraph.

Every string that reaches a file passes ``xml_safe`` (what XML 1.0 cannot hold dropped:
control characters, U+FFFE/U+FFFF, lone surrogates — openpyxl and python-docx refuse them):
spreadsheet cells through ``safe_cell`` (which also quotes a leading formula character), Word
text through ``word_text``. ``base`` is the service's address the links start with (the
request's own base URL in the API; empty gives site-relative links).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from service.request.cancel import checkpoint
from service.search.relevance import LEVEL_LABELS

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# a cell a spreadsheet would run as a formula ("=HYPERLINK(…)", "- Phối hợp …" → #NAME?)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what XML 1.0 (so XLSX and DOCX) cannot hold: C0 controls but tab, newline and CR; the
# surrogates (a lone one can come from a file name or a decoded byte string); U+FFFE, U+FFFF
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
STATUS_VI = {
    "same": "Giống nhau",
    "changed": "Có thay đổi",
    "only_a": "Chỉ có ở A",
    "only_b": "Chỉ có ở B",
}


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (see ``_ILLEGAL``): the one
    cleaning every string gets before openpyxl or python-docx sees it."""
    return _ILLEGAL.sub("", text)


def safe_cell(value: Any) -> Any:
    """Document text as a spreadsheet shows it and never runs: what XML cannot hold dropped
    (``xml_safe``), a leading formula character quoted with an apostrophe (the OWASP
    CSV-injection advice). Idempotent; numbers and None unchanged."""
    if not isinstance(value, str):
        return value
    value = xml_safe(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def paragraph_link(base: str, doc_id: str, paragraph_id: str | None) -> str:
    """The plan page's address of a paragraph: ``/doc/{doc_id}#p-<ordinal>``."""
    ordinal = paragraph_id.rsplit(":", 1)[-1] if paragraph_id else ""
    anchor = f"#p-{int(ordinal)}" if ordinal.isascii() and ordinal.isdigit() else ""
    return f"{base.rstrip('/')}/doc/{quote(doc_id, safe='')}{anchor}"


@dataclass(slots=True)
class ExportTable:
    """A titled table; a column whose header starts with "Liên kết" holds links (clickable
    in the workbook)."""

    title: str
    subtitle: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)  # characters, per column (xlsx)


def filters_in_words(filters: Any) -> str:
    """What a search covered: "Lọc theo: đơn vị …, năm …" or "Trong mọi kế hoạch"."""
    named = [
        f"{label} {value}"
        for label, value in (
            ("đơn vị", filters.unit),
            ("năm", filters.year),
            ("tỉnh", filters.province),
            ("loại văn bản", filters.kind),
            ("kế hoạch", filters.doc_id),
            ("mục", filters.section),
            ("từ năm", filters.year_from),
            ("đến năm", filters.year_to),
        )
        if value not in (None, "")
    ]
    return "Lọc theo: " + ", ".join(named) if named else "Trong mọi kế hoạch"


def search_table(result: Any, searched: str, base: str = "") -> ExportTable:
    """Search hits: rank, unit, year, section, the paragraph, how relevant, its link."""
    rows = [
        safe_row(
            [
                i,
                h.unit or h.doc_id,
                h.year or "",
                h.section,
                h.text,
                LEVEL_LABELS.get(h.level or "", ""),
                paragraph_link(base, h.doc_id, h.paragraph_id),
            ]
        )
        for i, h in enumerate(result.hits, start=1)
    ]
    return ExportTable(
        title=f"Kết quả tìm kiếm: «{result.query}»",
        subtitle=searched,
        header=["STT", "Đơn vị", "Năm", "Mục", "Đoạn", "Mức liên quan", "Liên kết"],
        rows=rows,
        widths=[6, 30, 8, 40, 80, 14, 40],
    )


def comparison_table(payload: dict[str, Any], base: str = "") -> ExportTable:
    """A comparison (``service.compare.comparison_payload``): one row per pair or leftover."""
    a, b = payload["a"], payload["b"]

    def label(plan: dict[str, Any]) -> str:
        unit = plan.get("unit") or plan["id"]
        return f"{unit} — {plan['year']}" if plan.get("year") else unit

    rows = []
    for p in payload["pairs"]:
        rows.append(
            safe_row(
                [
                    STATUS_VI.get(p["status"], p["status"]),
                    " › ".join(p.get("a_section") or []),
                    p.get("a_text") or "",
                    " › ".join(p.get("b_section") or []),
                    p.get("b_text") or "",
                    round(p["similarity"], 2) if p.get("similarity") is not None else "",
                    paragraph_link(base, a["id"], p["a_id"]) if p.get("a_id") else "",
                    paragraph_link(base, b["id"], p["b_id"]) if p.get("b_id") else "",
                ]
            )
        )
    counts = payload["summary"]["counts"]
    subtitle = f"A: {label(a)}; B: {label(b)}. " + ", ".join(
        f"{STATUS_VI.get(k, k)}: {n}" for k, n in counts.items()
    )
    return ExportTable(
        title=f"So sánh: {label(a)} và {label(b)}",
        subtitle=subtitle,
        header=[
            "Kết quả",
            "Mục (A)",
            "Đoạn (A)",
            "Mục (B)",
            "Đoạn (B)",
            "Mức giống",
            "Liên kết A",
            "Liên kết B",
        ],
        rows=rows,
        widths=[14, 30, 60, 30, 60, 10, 30, 30],
    )


def to_xlsx(table: ExportTable) -> bytes:
    """One sheet: the title and subtitle, then the table with a frozen, bold header row;
    link cells are clickable."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    ws.append([safe_cell(table.title)])
    ws.append([safe_cell(table.subtitle)])
    ws.append(safe_row(table.header))
    ws["A1"].font = Font(bold=True, size=13)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in table.rows:
        checkpoint()
        ws.append(safe_row(row))  # again: a caller's row may not have been made safe
    link_columns = [j for j, h in enumerate(table.header) if h.startswith("Liên kết")]
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for j in link_columns:
            if row[j].value:
                row[j].hyperlink = str(row[j].value)
    for j, width in enumerate(table.widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A4"
    wb.properties.title = xml_safe(table.title)[:250]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_docx(table: ExportTable) -> bytes:
    """A Word document: the title as a heading, the subtitle, then the table (header row
    repeated on every page), landscape A4."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    document.add_heading(word_text(table.title), level=1)
    if table.subtitle:
        document.add_paragraph(word_text(table.subtitle))
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    head = grid.rows[0]
    for cell, name in zip(head.cells, table.header, strict=True):
        cell.text = word_text(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    flag = OxmlElement("w:tblHeader")  # the header row repeats on each printed page
    flag.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(flag)
    for values in table.rows:
        checkpoint()  # a large table: an abandoned request stops between rows
        cells = grid.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = word_text(value)
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def word_text(value: Any) -> str:
    """A value as Word text: ``xml_safe``, and a cell's formula quote removed (Word runs
    nothing, so the apostrophe ``safe_cell`` added is not needed)."""
    text = xml_safe("" if value is None else str(value))
    return text[1:] if text.startswith("'") and text[1:2] in _FORMULA_START else text


def render(table: ExportTable, fmt: str) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(table)
    if fmt == "docx":
        return to_docx(table)
    raise ValueError(f"unknown export format {fmt!r}")
