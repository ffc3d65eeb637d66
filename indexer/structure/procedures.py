"""Procedure lists (danh mục thủ tục hành chính) → one TaskRow of kind "procedure" per row.

A decision that publishes administrative procedures lists them in a table: a number, the
procedure's code, its name, its field, its legal basis, and who performs it ("Cơ quan thực
hiện", "Đơn vị thực hiện", "Cơ quan giải quyết"), or where it is filed ("Địa điểm thực
hiện", "Cách thức, địa điểm thực hiện", receiving points marked X under "Điểm tiếp nhận và
trả kết quả"), sometimes its time limit ("Thời hạn giải quyết"). Each row becomes a task row:
``task`` the name, ``responsible`` the who cell as written, ``timeline`` the time-limit cell.
The table itself stays a table passage in search (its field and legal basis are words staff
search for); ``link_rows`` ties each row to the passage that holds it.

Web copies of these tables drop the cells a row shares with the row above and break a row
in two: a row without a number that starts with a procedure code is a row of its own, a lone
cell that is not a heading is the previous row's missing who cell.
"""

from __future__ import annotations

import re

from indexer.cleaning import fix_letter_spacing
from indexer.model import Paragraph, TaskRow
from indexer.text.vietnamese import fold

KIND = "procedure"
NAME, CODE, WHO, WHEN, NUMBER = "name", "code", "who", "when", "number"

_NUMBER = re.compile(r"^\d{1,3}[.)]?$")
_CODE = re.compile(r"^\d\.\d{6}\b")  # 1.014383.H13, 5.002577, 2.001525.000.00.00.H13
_ROMAN = re.compile(r"^[IVX]{1,5}\.?$")
_LETTER = re.compile(r"^[A-ZĐ]\.?$")
_MARKED = {"x", "✓", "✔", "•", "+"}


def field_of(cell: str) -> tuple[str | None, int]:
    """What a header cell of a procedure list names, and for a who column its rank (the
    body that performs it before the place it is filed at)."""
    low = fold(" ".join(cell.split())).strip(" .:")
    if low in ("stt", "tt", "so tt", "so thu tu"):
        return NUMBER, 0
    if low.startswith("ma") and ("tthc" in low or "thu tuc" in low) or "so ho so" in low:
        return CODE, 0
    if "ten thu tuc" in low or "ten tthc" in low or low in ("thu tuc hanh chinh", "tthc"):
        return NAME, 0
    if "thoi han" in low or "thoi gian giai quyet" in low:
        return WHEN, 0
    if re.search(r"(?:co quan|don vi)\b.*\b(?:thuc hien|giai quyet)", low):
        return WHO, 0
    if "dia diem" in low or "noi tiep nhan" in low or "cach thuc" in low:
        return WHO, 1
    if "diem tiep nhan" in low or "bo phan tiep nhan" in low:
        return WHO, 2
    return None, 0


def _text(cell: str) -> str:
    return fix_letter_spacing(" ".join(cell.split())).strip()


def _columns(table: list[list[str]]) -> tuple[list[str], list[str | None], int]:
    """The columns' header texts and fields (only the best-ranked who columns kept as who)
    and the index of the first body row. A header cell spanning sub-columns (a second header
    row without a number, as wide as the rows below need) is spread over them: "Điểm tiếp
    nhận …: Trung tâm … cấp xã"."""
    header = [_text(c) for c in table[0]]
    body = 1
    if len(table) > 2:
        sub = [_text(c) for c in table[1]]
        width = max((len(r) for r in table[2:]), default=0)
        if sub and not _NUMBER.match(sub[0]) and len(header) - 1 + len(sub) == width > len(header):
            kinds = [field_of(c) for c in header]
            spans = [j for j, (f, _) in enumerate(kinds) if f == WHO] or [len(header) - 1]
            j = spans[0]
            header = header[:j] + [f"{header[j]}: {s}" for s in sub] + header[j + 1 :]
            body = 2
    fields_ranks = [field_of(c) for c in header]
    fields = [f for f, _ in fields_ranks]
    whos = [(rank, j) for j, (f, rank) in enumerate(fields_ranks) if f == WHO]
    best = min(whos)[0] if whos else -1
    for rank, j in whos:
        if rank != best:
            fields[j] = None
    return header, fields, body


def procedure_rows(table: list[list[str]]) -> list[TaskRow]:
    """The rows of one procedure list ([] when the table is not one: it needs a name column
    and a column of who performs it or its time limit)."""
    if len(table) < 2:
        return []
    header, fields, body = _columns(table)
    if NAME not in fields or not ({WHO, WHEN} & set(fields)):
        return []
    name_at = fields.index(NAME)
    code_at = fields.index(CODE) if CODE in fields else None
    who_at = [j for j, f in enumerate(fields) if f == WHO]
    when_at = fields.index(WHEN) if WHEN in fields else None
    rows: list[TaskRow] = []
    groups: list[tuple[int, str]] = []  # (level, text): A. … › I. …
    for raw in table[body:]:
        cells = [_text(c) for c in raw]
        filled = [c for c in cells if c]
        if not filled or cells == header[: len(cells)]:
            continue
        first = cells[0]
        if len(filled) <= 2 and _heading(filled):
            groups = _nest(groups, filled)
            continue
        if _NUMBER.match(first):
            number = int(first.rstrip(".)"))
            placed = cells
        elif code_at is not None and _CODE.match(first):  # a row whose number cell is gone
            number = rows[-1].number if rows else 1
            placed = [""] * code_at + cells
        elif len(filled) == 1 and rows and who_at and not rows[-1].responsible:
            rows[-1].responsible = filled[0]  # the previous row's who cell, broken off
            continue
        else:
            continue
        cell = dict(enumerate(placed))
        rows.append(
            TaskRow(
                number,
                cell.get(name_at, ""),
                "",
                cell.get(when_at, "") if when_at is not None else "",
                _who(cell, who_at, header),
                group=" › ".join(text for _, text in groups),
                kind=KIND,
            )
        )
    return [r for r in rows if r.task]


def _heading(filled: list[str]) -> bool:
    """A group row: "A. THỦ TỤC HÀNH CHÍNH CẤP TRUNG ƯƠNG", "I | LĨNH VỰC TRỒNG TRỌT"."""
    head = filled[0]
    marker = head.split(" ", 1)[0]
    if len(filled) == 2:
        return bool(_ROMAN.match(marker) or _LETTER.match(marker))
    return bool(_ROMAN.match(marker) or _LETTER.match(marker) or head.isupper())


def _nest(groups: list[tuple[int, str]], filled: list[str]) -> list[tuple[int, str]]:
    text = " ".join(filled)
    marker = filled[0].split(" ", 1)[0]
    level = 1 if _ROMAN.match(marker) else 0 if _LETTER.match(marker) else 2
    return [g for g in groups if g[0] < level] + [(level, text)]


def _who(cell: dict[int, str], who_at: list[int], header: list[str]) -> str:
    """The who cell as written; for receiving points marked X, the points marked."""
    values = [(j, cell.get(j, "")) for j in who_at]
    if len(values) > 1 and all(fold(v).strip() in _MARKED | {""} for _, v in values):
        return "; ".join(header[j].split(": ", 1)[-1] for j, v in values if v)
    return "; ".join(v for _, v in values if v)


def procedure_tables(tables: list[list[list[str]]]) -> list[TaskRow]:
    """Rows of every procedure list of a document, in order."""
    out: list[TaskRow] = []
    for table in tables:
        out.extend(procedure_rows(table))
    return out


LINK_WINDOW = 200  # paragraphs after the previous row's that a row's passage is looked for in
FULL_SCANS = 5  # rows looked for in the whole document before one is found


def link_rows(rows: list[TaskRow], paragraphs: list[Paragraph]) -> None:
    """Each row's ``paragraph_id``: the first paragraph that holds the start of the
    procedure's name — for the first row found, anywhere (at most ``FULL_SCANS`` rows are
    looked for so); for the others, from the previous row's on within ``LINK_WINDOW`` (a
    table's passages follow each other, and the work stays linear in the document). None
    where none does."""
    texts = [fold(" ".join(p.text.split())) for p in paragraphs]
    at: int | None = None
    scans = 0
    for row in rows:
        probe = fold(" ".join(row.task.split()))[:60]
        if not probe:
            continue
        if at is not None:
            window = range(at, min(len(texts), at + LINK_WINDOW))
        elif scans < FULL_SCANS:
            window, scans = range(len(texts)), scans + 1
        else:
            continue
        hit = next((i for i in window if probe in texts[i]), None)
        if hit is not None:
            row.paragraph_id = paragraphs[hit].id
            at = hit
