"""The appendix table ("PHỤ LỤC") → one TaskRow per row.

From extracted text the cells come interleaved line by line, the header repeats on each
page and rows run over page breaks. Rows are found by their running number; within a row,
each page's share of lines is split into the columns (in the header's order) by a small
dynamic programme over the column cues in ``columns``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.cleaning import Line, fix_letter_spacing, join_lines, join_pair
from indexer.model import TaskRow
from indexer.structure.assignment import partners_in
from indexer.structure.columns import (
    BUDGET,
    DEFAULT_ORDER,
    INLINE_CELL,
    PARTNERS,
    PRODUCT_START,
    PRODUCTS,
    RESPONSIBLE,
    TASK,
    TIMELINE,
    TIMELINE_ANY,
    TIMELINE_START,
    UNIT_START,
    column_order,
    field_of_header_cell,
    starts_cell,
)
from indexer.structure.markers import ends_sentence, is_caps

_HEADER_START = re.compile(r"^(STT|TT|Số TT)\b")
_URL_TAIL = re.compile(r"https?://\S*[./]$")
_ROW_START = re.compile(r"^(\d{1,3})\.?(?:\s+(.*))?$")


@dataclass(slots=True)
class Appendix:
    title: str | None = None  # "NỘI DUNG, HOẠT ĐỘNG TUYÊN TRUYỀN … NĂM 2025"
    note: str | None = None  # "(Ban hành kèm theo Kế hoạch số /KH-… ngày /8/2025 …)"
    rows: list[TaskRow] = field(default_factory=list)
    body_start: int = 1  # the first line after "PHỤ LỤC", its title and its note


def _clean(text: str) -> str:
    return fix_letter_spacing(text).replace("  ", " ").strip()


def _cell(text: str) -> str:
    """One cell's text; a lone leading bullet is dropped."""
    text = _clean(text)
    if text.startswith("-") and text.count(" - ") == 0 and not text.startswith("--"):
        text = text.lstrip("-. ").strip()
    return text


# ---------------------------------------------------------------- text form (PDF/TXT)


def _split_inline(line: Line) -> list[Line]:
    parts = INLINE_CELL.split(line.text)
    if len(parts) == 1:
        return [line]
    out = [Line(parts[0], line.page_break, line.indented)]
    for part in parts[1:]:
        if starts_cell(part) and not is_caps(part):
            out.append(Line("- " + part))
        else:
            out[-1] = Line(out[-1].text + " - " + part, out[-1].page_break, out[-1].indented)
    return out


def _lower_start(text: str) -> bool:
    core = text.lstrip("-+•. ")
    return core[:1].islower()


def _start_bonus(text: str, col: str, ahead: str = "", open_col: bool | None = None) -> float:
    """How well ``text`` (followed by ``ahead``) opens column ``col``.

    ``open_col`` (continuation pages only): whether that column's text so far stopped
    mid-sentence, so that a lowercase line can carry it on.
    """
    probe = f"{text} {ahead}".strip()
    if _lower_start(text):
        return 3.0 if open_col else -4.0
    if col == PRODUCTS:
        return 3.0 if PRODUCT_START.match(probe) else (0.0 if text.startswith("-") else -1.0)
    if col == TIMELINE:
        return 4.0 if TIMELINE_START.match(probe) else -2.0
    if col == RESPONSIBLE:
        return 4.0 if UNIT_START.match(probe) else -2.0
    return 0.0


def _unary(text: str, col: str) -> float:
    if col == TIMELINE:
        score = -3.0 if len(text) > 24 else 0.0
        return score + (1.0 if TIMELINE_ANY.search(text) else 0.0)
    return 0.0


def _assign(
    seg: list[str], order: tuple[str, ...], first: bool, open_cols: dict[str, bool]
) -> list[int]:
    """Monotone column index per line maximising cue scores (O(n·k²))."""
    k = len(order)
    neg = float("-inf")
    # best[i][c]: best score for lines[:i+1] with line i in column c
    best = [[neg] * k for _ in seg]
    back = [[-1] * k for _ in seg]
    for c in range(k):
        if first and c != 0:
            continue
        col = order[c]
        score = _unary(seg[0], col)
        if not first and (c > 0 or _lower_start(seg[0])):
            score += _start_bonus(seg[0], col, seg[1] if len(seg) > 1 else "", open_cols.get(col))
        best[0][c] = score
    for i in range(1, len(seg)):
        for c in range(k):
            col = order[c]
            u = _unary(seg[i], col)
            ahead = seg[i + 1] if i + 1 < len(seg) else ""
            opened = None if first else open_cols.get(col)
            start = _start_bonus(seg[i], col, ahead, opened)
            stay = best[i - 1][c]
            if stay > neg and ends_sentence(seg[i - 1]) and _lower_start(seg[i]):
                stay -= 3  # a lowercase line rarely opens a new sentence in the same cell
            cand, arg = (stay + u, c) if stay > neg else (neg, -1)
            for p in range(c):
                if best[i - 1][p] == neg:
                    continue
                skipped = c - p - 1
                s = best[i - 1][p] + u + start - (4 * skipped if first else 0)
                if not ends_sentence(seg[i - 1]):
                    if _lower_start(seg[i]) and not opened:
                        s -= 4
                    elif seg[i - 1].endswith(",") and not seg[i].startswith("-"):
                        s -= 5
                if s > cand:
                    cand, arg = s, p
            best[i][c], back[i][c] = cand, arg
    last = len(seg) - 1
    ends = [best[last][c] - 4 * (k - 1 - c) for c in range(k)] if first else best[last]
    c = max(range(k), key=lambda j: ends[j])
    labels = [0] * len(seg)
    for i in range(last, -1, -1):
        labels[i] = c
        c = back[i][c] if i > 0 else c
    return labels


def _row_from_lines(number: int, lines: list[Line], order: tuple[str, ...]) -> TaskRow:
    pieces: list[Line] = []
    for ln in lines:
        if pieces and _URL_TAIL.search(pieces[-1].text) and re.match(r"[a-z0-9/]", ln.text):
            prev = pieces.pop()  # a link broken over two lines
            ln = Line(join_pair(prev.text, ln.text), prev.page_break, prev.indented)
        pieces.extend(_split_inline(ln))
    segments: list[list[str]] = []
    for ln in pieces:
        if ln.page_break or ln.indented or not segments:
            segments.append([])
        segments[-1].append(ln.text)
    cols: dict[str, list[str]] = {c: [] for c in order}  # joined text per page segment
    for s, seg in enumerate(segments):
        open_cols = {c: bool(cols[c]) and not ends_sentence(cols[c][-1]) for c in order}
        labels = _assign(seg, order, s == 0, open_cols)
        per: dict[str, list[str]] = {}
        for text, lab in zip(seg, labels, strict=True):
            per.setdefault(order[lab], []).append(text)
        for col, texts in per.items():
            cols[col].append(join_lines(texts))
    joined = {c: "" for c in DEFAULT_ORDER}
    for col, parts in cols.items():
        text = ""
        for part in parts:
            text = join_pair(text, part)
        joined[col] = _cell(text)
    row = TaskRow(number, joined[TASK], joined[PRODUCTS], joined[TIMELINE], joined[RESPONSIBLE])
    row.partners = partners_in(row.responsible)  # the text form has no partners column
    return row


def _drop_repeated_header(lines: list[Line], header: list[str]) -> list[Line]:
    out: list[Line] = []
    i, n = 0, len(header)
    pending = False
    while i < len(lines):
        if n and [ln.text for ln in lines[i : i + n]] == header:
            i += n
            pending = True
            continue
        ln = lines[i]
        out.append(Line(ln.text, ln.page_break or pending, ln.indented, ln.cells))
        pending = False
        i += 1
    return out


def _rows_from_text(lines: list[Line]) -> tuple[list[TaskRow], tuple[str, ...]]:
    start = next((i for i, ln in enumerate(lines) if _HEADER_START.match(ln.text)), None)
    if start is None:
        return [], DEFAULT_ORDER
    end = start + 1
    while end < len(lines):
        m = _ROW_START.match(lines[end].text)
        if m and int(m.group(1)) == 1:
            break
        end += 1
    header = [ln.text for ln in lines[start:end]]
    if not _names_a_task_table(" ".join(header)):
        return [], DEFAULT_ORDER  # a table of figures, a list of areas…: not of tasks
    order = column_order(" ".join(header))
    body = _drop_repeated_header(lines[end:], header)
    rows: list[tuple[int, list[Line]]] = []
    for ln in body:
        m = _ROW_START.match(ln.text)
        expected = rows[-1][0] + 1 if rows else 1
        if m and int(m.group(1)) == expected:
            rest = m.group(2)
            rows.append((expected, [Line(rest)] if rest else []))
            continue
        if rows:
            rows[-1][1].append(ln)
    return [_row_from_lines(num, lns, order) for num, lns in rows if lns], order


_TASK_HEAD = re.compile(r"nhiệm vụ|nội dung|hoạt động|công việc", re.I)
_WHO_WHEN_HEAD = re.compile(
    r"tiến độ|thời gian|thời hạn|phân công|chủ trì|trách nhiệm|thực hiện|triển khai", re.I
)


def _names_a_task_table(header: str) -> bool:
    """Whether a header read from text names a task column and a who or when column (as a
    table's header cells must, ``rows_from_table``)."""
    return bool(_TASK_HEAD.search(header) and _WHO_WHEN_HEAD.search(header))


# ---------------------------------------------------------------- table form (DOCX/web)


_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?|\d{1,2}\s*=\s*[\d\s()x×*+/-]+")
_GROUP = re.compile(r"^(?:[IVXLC]{1,6}|[A-ZĐ])\.?$")


def _row_number(text: str) -> int | None:
    m = re.match(r"^(\d{1,3})(?:[.)]|\.\d+\.?)?$", text.strip())
    return int(m.group(1)) if m else None


_STEP = re.compile(r"^(?:Bước|Giai đoạn)\s+\d", re.I)
_DURATION = re.compile(r"^\d+(?:[/,.]\d+)?\s*(?:ngày|giờ|tháng)\b|^Giờ hành chính", re.I)
_PERSON = re.compile(r"^(?:[-+•]\s*)?(?:Lãnh đạo|Chuyên viên|Cán bộ|Trưởng|Phó|Bộ phận|Cơ quan)\b")


def _fits(text: str, field: str | None) -> int:
    """1 when a cell's text looks like what the column holds (0 when it tells nothing)."""
    text = text.strip()
    if field == TIMELINE:
        return int(bool(TIMELINE_START.match(text) or _DURATION.match(text)))
    if field == RESPONSIBLE:
        return int(bool(UNIT_START.match(text) or _PERSON.match(text)))
    if field in ("number", None) and text:
        return int(_row_number(text) is not None or bool(_STEP.match(text)))
    return 0


def _aligned(cells: list[str], fields: list[str | None]) -> list[str | None]:
    """A row's cells under the header's columns. A row with fewer cells than the header
    lost the cells merged with the row above (a web copy drops a cell that spans rows; Word
    repeats it): the cells it has are placed where their texts fit the columns best (a
    person's title under who, "1 ngày" under when), the missing ones are None."""
    n, k = len(fields), len(cells)
    if k == 0 or k >= n:
        return list(cells)
    best = max(
        range(n - k + 1),
        key=lambda o: (sum(_fits(c, fields[o + i]) for i, c in enumerate(cells)), -o),
    )
    return [None] * best + list(cells) + [None] * (n - k - best)


def rows_from_table(table: list[list[str]]) -> list[TaskRow]:
    """Rows of cells with a header row (DOCX, web tables, ``a | b | c`` lines) → task rows.

    Columns are mapped by their header words (``columns.field_of_header_cell``); a table is a
    task table when it has a task column and a column for who does it or when. Group rows
    ("I. | Tuyên truyền …") are carried down to the rows under them; a row without a number
    continues the row above (a row broken over a page).
    """
    if not table:
        return []
    fields = [field_of_header_cell(c) for c in table[0]]
    if TASK not in fields or not ({RESPONSIBLE, TIMELINE} & set(fields)):
        return []
    rows: list[TaskRow] = []
    group = ""
    numbered = "number" in fields
    merged: dict[str, str] = {}  # the last row's cells, for the cells a row shares with it
    for cells in table[1:]:
        if [c.strip() for c in cells] == [c.strip() for c in table[0]]:
            continue  # header repeated on a new page
        if all(_COLUMN_NUMBER.fullmatch(c.strip()) for c in cells if c.strip()):
            continue  # a row of column numbers "(1) (2) (3)", "8=6x7"
        filled = [c for c in cells if c.strip()]
        if not numbered and len(filled) == 1 and len(fields) >= 3 and cells[0].strip():
            group = _clean(" ".join(filled[0].split()))  # one cell across: a heading row
            continue
        placed = _aligned(cells, fields)
        values = {
            f: _clean(" ".join(c.split())) for f, c in zip(fields, placed, strict=False) if f and c
        }
        for f in (PRODUCTS, TIMELINE, RESPONSIBLE, PARTNERS, BUDGET):
            if f in fields and placed[fields.index(f)] is None and f in merged:
                values[f] = merged[f]  # a cell merged with the row above
        num = values.get("number", "")
        if _GROUP.match(num.strip()) or (len(filled) <= 2 and num and _row_number(num) is None):
            group = " ".join(_clean(" ".join(c.split())) for c in filled)
            continue
        number = _row_number(num) if num else None
        if number is None:
            if rows and (not num.strip(" .") or "number" not in fields):
                if "number" not in fields and values.get(TASK):
                    number = len(rows) + 1
                else:
                    prev = rows[-1]
                    for f in (TASK, PRODUCTS, TIMELINE, RESPONSIBLE, PARTNERS, BUDGET):
                        if values.get(f):
                            setattr(prev, f, join_pair(getattr(prev, f), values[f]))
                    continue
            elif "number" not in fields and values.get(TASK):
                number = len(rows) + 1
            else:
                continue
        merged = values
        rows.append(
            TaskRow(
                number,
                _cell(values.get(TASK, "")),
                _cell(values.get(PRODUCTS, "")),
                _cell(values.get(TIMELINE, "")),
                _cell(values.get(RESPONSIBLE, "")),
                _cell(values.get(PARTNERS, "")),
                _cell(values.get(BUDGET, "")),
                group,
            )
        )
    if PARTNERS not in fields:  # one assignment column: the partners are in it
        for row in rows:
            row.partners = partners_in(row.responsible)
    return rows


def task_tables(tables: list[list[list[str]]]) -> list[TaskRow]:
    """Task rows of every task table of a document, numbered as printed."""
    out: list[TaskRow] = []
    for table in tables:
        out.extend(rows_from_table(table))
    return out


def parse_appendix(lines: list[Line], tables: list[list[list[str]]] | None = None) -> Appendix:
    """Title, note and rows of the appendix region (lines from "PHỤ LỤC" on)."""
    app = Appendix()
    i = 1
    title: list[str] = []
    while i < len(lines) and is_caps(lines[i].text) and not _HEADER_START.match(lines[i].text):
        title.append(lines[i].text)
        i += 1
    app.title = _clean(join_lines(title)) or None
    if i < len(lines) and lines[i].text.startswith("("):
        note = [lines[i].text]
        while not note[-1].rstrip().endswith(")") and i + 1 < len(lines):
            i += 1
            note.append(lines[i].text)
        app.note = " ".join(" ".join(note).split())
        i += 1
    app.body_start = i
    app.rows = task_tables(tables or [])  # every task table (a decision may have several)
    if app.rows:
        return app
    cell_rows = [ln.cells for ln in lines if ln.cells]
    if cell_rows:
        app.rows = rows_from_table(cell_rows)
        if app.rows:
            return app
    app.rows, _ = _rows_from_text(lines[i:])
    return app
