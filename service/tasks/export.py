"""The task table as the files staff pass around: CSV (UTF-8 with BOM, so Excel reads the
diacritics), an Excel workbook or a Word document (``service.exports``), one row per task
row with its plan and a link back to its paragraph."""

from __future__ import annotations

import csv
import io
from typing import Any

from service.exports import ExportTable, paragraph_link, render, safe_row
from service.tasks.model import KINDS, TaskLine, TaskTable

HEADER = [
    "STT",
    "Đơn vị",
    "Năm",
    "Kế hoạch",
    "Số TT",
    "Nhóm",
    "Nhiệm vụ",
    "Sản phẩm",
    "Thời gian",
    "Chủ trì",
    "Phối hợp",
    "Kinh phí",
    "Liên kết",
    "Loại",
]
WIDTHS = [6, 28, 7, 30, 6, 24, 60, 36, 18, 26, 26, 14, 40, 16]


def deadline_text(line: TaskLine) -> str:
    """The time cell as written (its period is in the JSON)."""
    return " ".join(line.timeline.split())


def row(i: int, line: TaskLine, base: str) -> list[Any]:
    return safe_row(
        [
            i,
            line.unit or line.doc_id,
            line.year or "",
            line.title or line.doc_id,
            line.number,
            line.group,
            line.task,
            line.products,
            deadline_text(line),
            line.lead or line.responsible,
            line.partners,
            line.budget,
            paragraph_link(base, line.doc_id, line.paragraph_id),
            KINDS.get(line.kind, line.kind),
        ]
    )


def tasks_table(table: TaskTable, base: str = "") -> ExportTable:
    shown = len(table.tasks)
    more = f" (tệp có {shown} dòng đầu trên {table.total})" if shown < table.total else ""
    return ExportTable(
        title="Nhiệm vụ của các kế hoạch",
        subtitle=f"{table.query.in_words()}: {table.total} nhiệm vụ{more}.",
        header=list(HEADER),
        rows=[row(i, line, base) for i, line in enumerate(table.tasks, start=1)],
        widths=list(WIDTHS),
    )


def tasks_csv(table: TaskTable, base: str = "") -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(tasks_table(table, base).rows)
    return out.getvalue()


def tasks_file(table: TaskTable, fmt: str, base: str = "") -> str | bytes:
    """The table as ``fmt``: "csv" (text), "xlsx" or "docx" (bytes)."""
    if fmt == "csv":
        return tasks_csv(table, base)
    return render(tasks_table(table, base), fmt)
