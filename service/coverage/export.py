"""Coverage as files staff pass around: CSV (UTF-8 with BOM, so Excel reads the diacritics)
and an Excel workbook (openpyxl): a "Bao phủ" sheet (requirements × plans, one colour per
status, header row and first column frozen), a "Chi tiết" sheet (one row per cell with the
matched paragraph, its section and a link back to it) and, for citations, "Trích dẫn"."""

from __future__ import annotations

import csv
import io
from typing import Any

from service.coverage.model import CitationMatrix, CoverageMatrix, PlanColumn
from service.exports import ExportTable, paragraph_link, safe_row, to_docx, xml_safe
from service.request.cancel import checkpoint

STATUS_VI = {"covered": "Có", "partial": "Một phần", "missing": "Không có"}
FILL = {"covered": "C6EFCE", "partial": "FFEB9C", "missing": "FFC7CE"}
CSV_BOM = "\ufeff"


def plan_label(p: PlanColumn) -> str:
    """``Trường Cao đẳng Y tế Khánh Hòa — 2026``, as the pages name a plan."""
    return f"{p.unit or p.doc_id} — {p.year}" if p.year else (p.unit or p.doc_id)


def detail_rows(m: CoverageMatrix, base: str = "") -> list[list[Any]]:
    """One row per cell: requirement, plan, status, score, section, paragraph, link."""
    rows = []
    for i, req in enumerate(m.requirements):
        checkpoint()
        for p, c in zip(m.plans, m.cells[i], strict=True):
            rows.append(
                safe_row(
                    [
                        i + 1,
                        req.text,
                        p.doc_id,
                        p.unit or "",
                        p.year or "",
                        STATUS_VI[c.status],
                        c.status,
                        round(c.score, 3),
                        " › ".join(c.section),
                        c.text or "",
                        paragraph_link(base, p.doc_id, c.paragraph_id) if c.paragraph_id else "",
                    ]
                )
            )
    return rows


DETAIL_HEADER = [
    "STT",
    "Yêu cầu",
    "Mã kế hoạch",
    "Đơn vị",
    "Năm",
    "Tình trạng",
    "status",
    "Điểm",
    "Mục",
    "Đoạn tương ứng",
    "Liên kết",
]


def coverage_csv(m: CoverageMatrix, base: str = "") -> str:
    """The detail table as CSV (one row per requirement × plan)."""
    out = io.StringIO()
    out.write(CSV_BOM)
    w = csv.writer(out)
    w.writerow(DETAIL_HEADER)
    w.writerows(detail_rows(m, base))
    return out.getvalue()


CITATION_HEADER = ["Văn bản", "Loại", "Cơ quan ban hành", "Bắt buộc"]


def citation_rows(c: CitationMatrix) -> list[list[Any]]:
    """The header and one row per cited document: its name, kind, issuer, required, and
    the mentions in each plan (spreadsheet-safe)."""
    rows = [safe_row([*CITATION_HEADER, *[plan_label(p) for p in c.plans]])]
    for r in c.rows:
        checkpoint()
        rows.append(
            safe_row(
                [
                    r.number or r.title or r.key,
                    r.kind or "",
                    r.issuer or "",
                    "x" if r.required else "",
                    *[r.per_plan.get(p.doc_id, 0) for p in c.plans],
                ]
            )
        )
    return rows


def citations_csv(c: CitationMatrix) -> str:
    out = io.StringIO()
    out.write(CSV_BOM)
    csv.writer(out).writerows(citation_rows(c))
    return out.getvalue()


def coverage_xlsx(
    m: CoverageMatrix, base: str = "", citations: CitationMatrix | None = None
) -> bytes:
    """The workbook: matrix, detail and (given) citations sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Bao phủ"
    title = (m.reference or {}).get("title") or "Danh mục yêu cầu"
    ws.append(safe_row(["Yêu cầu \\ Kế hoạch", *[plan_label(p) for p in m.plans], "Số KH có"]))
    for i, req in enumerate(m.requirements):
        checkpoint()
        ws.append(safe_row([req.text, *[STATUS_VI[c.status] for c in m.cells[i]], m.covering(i)]))
        for j, c in enumerate(m.cells[i], start=2):
            cell = ws.cell(row=i + 2, column=j)
            cell.fill = PatternFill("solid", fgColor=FILL[c.status])
            if c.paragraph_id:
                cell.hyperlink = paragraph_link(base, m.plans[j - 2].doc_id, c.paragraph_id)
    ws.append(["Tỷ lệ bao phủ", *[round(p.share, 3) for p in m.plans], ""])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 70
    for j in range(2, len(m.plans) + 3):
        ws.column_dimensions[get_column_letter(j)].width = 16
    for row in ws.iter_rows(min_row=2, max_col=1):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    ws.sheet_properties.tabColor = "1F6FB2"
    wd = wb.create_sheet("Chi tiết")
    wd.append(DETAIL_HEADER)
    for row in detail_rows(m, base):  # already safe
        wd.append(row)
    for cell in wd[1]:
        cell.font = Font(bold=True)
    wd.freeze_panes = "A2"
    if citations is not None:
        _citations_sheet(wb.create_sheet("Trích dẫn"), citations)
    wb.properties.title = xml_safe(f"Bao phủ — {title}")[:250]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def citations_xlsx(c: CitationMatrix) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    _citations_sheet(wb.active, c)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _citations_sheet(ws: Any, c: CitationMatrix) -> None:
    from openpyxl.styles import Font, PatternFill

    ws.title = "Trích dẫn"
    for row in citation_rows(c):
        ws.append(row)
    for i, r in enumerate(c.rows, start=2):
        if r.required:
            for j, p in enumerate(c.plans, start=5):
                if p.doc_id not in r.per_plan:
                    ws.cell(row=i, column=j).fill = PatternFill("solid", fgColor=FILL["missing"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "E2"


def coverage_docx(m: CoverageMatrix, base: str = "") -> bytes:
    """The detail table (one row per requirement × plan) as a Word document."""
    title = (m.reference or {}).get("title") or "Danh mục yêu cầu"
    shares = "; ".join(f"{plan_label(p)}: {round(100 * p.share)}%" for p in m.plans)
    return to_docx(
        ExportTable(
            f"Bao phủ — {title}", f"Tỷ lệ bao phủ: {shares}", DETAIL_HEADER, detail_rows(m, base)
        )
    )


def citations_docx(c: CitationMatrix) -> bytes:
    """The citation table (cited documents × plans, mentions counted) as a Word document."""
    header, *rows = citation_rows(c)
    return to_docx(
        ExportTable(
            "Văn bản được trích dẫn", "Số lần mỗi kế hoạch nhắc tới từng văn bản", header, rows
        )
    )
