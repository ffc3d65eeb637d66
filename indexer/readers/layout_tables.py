"""Tables in a text stream: which are layout (the header's two columns, the signature block)
and which hold data (a task table), and how each goes into the running text.

Every reader that sees real tables (DOCX, web copies) hands its blocks here, so the header
reader and the task-table reader see the same thing whatever the file's form:

- a layout table (at most two columns) is read cell by cell, each cell's lines on their own
  lines, as a person reads the header: issuing body, motto, number, place and date;
- a data table (three columns or more) becomes one ``| a | b | c |`` line per row, and is also
  returned as rows of cells for the task-table reader.
"""

from __future__ import annotations

Table = list[list[str]]  # rows of cells; a cell's own line breaks kept as "\n"
Block = str | list[list[str]]

DATA_TABLE_MIN_COLUMNS = 3


def is_data_table(table: Table) -> bool:
    widths = sorted(len([c for c in row if c.strip()]) for row in table)
    if not widths:
        return False
    # the widest rows decide: a task table has a few 2-cell group rows ("I. | Tuyên truyền")
    return widths[-1] >= DATA_TABLE_MIN_COLUMNS and widths[len(widths) // 2] >= 2


def row_line(cells: list[str]) -> str:
    """One table row as a text line the cleaner keeps as cells: ``| a | b | c |``."""
    return "| " + " | ".join(" ".join(c.split()) or " " for c in cells) + " |"


def linearize(blocks: list[Block]) -> tuple[str, list[Table]]:
    """Blocks in document order → running text and the data tables."""
    lines: list[str] = []
    tables: list[Table] = []
    for block in blocks:
        if isinstance(block, str):
            lines.append(block)
            continue
        table = [[c.strip() for c in row] for row in block if any(c.strip() for c in row)]
        if not table:
            continue
        if is_data_table(table):
            tables.append(table)
            lines.extend(row_line(row) for row in table)
        else:
            for row in table:
                for cell in row:
                    lines.extend(ln for ln in cell.split("\n") if ln.strip())
    return "\n".join(lines), tables
