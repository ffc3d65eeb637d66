"""Web copies saved as Markdown (``.md``), as legal portals hand them out.

A portal copy is not clean Markdown, so it goes through a normalising pass rather than a
Markdown parser (markdown-it reads ``** **``, ``*(GRDP) *`` and a ``|`` alone on a line as
literal text):

- tables come in three forms: a ``|`` alone on a line between cells, two in a row ending a
  row ("lone-pipe" form, each cell's text wrapped over several lines); whole rows on one line
  ``a | b |`` with the cells' lines glued; and GitHub tables ``| a | b |`` with a ``|---|``
  rule. All three become rows of cells;
- emphasis marks are removed wherever they stand (``**1**. **Mục đích**``, ``**Điều 1.****``),
  a ``*`` between spaces (``b/a * 100%``) is kept;
- a portal's banners and notices are dropped (``portal_noise``).
"""

from __future__ import annotations

import re
from pathlib import Path

from indexer.cleaning import join_lines
from indexer.errors import UnreadableFileError
from indexer.readers.base import RawDocument
from indexer.readers.encoding import decode_bytes
from indexer.readers.layout_tables import Block, linearize
from indexer.readers.portal_noise import is_portal_noise

_EMPHASIS = re.compile(r"(?<!\s)\*+|\*+(?!\s)|\*{2,}")
_LIST_STAR = re.compile(r"^\s*\*\s+(?=\S)")  # "+ " is a Vietnamese sub-item: kept as written
_GFM_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^#{1,6}\s+")
_RULE_TAIL = re.compile(r"-{3,}")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ITEM_START = re.compile(r"^[-+•]\s")  # a list item starts a new paragraph


def strip_inline(text: str) -> str:
    """Remove Markdown emphasis, links and escapes from one line of text."""
    text = _LINK.sub(r"\1", text)
    text = _LIST_STAR.sub("- ", text)
    text = _EMPHASIS.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _HEADING.sub("", text)
    return text.rstrip()


def _cell_lines(text: str) -> str:
    """A cell of a one-line row: rule marks split what was on separate lines."""
    parts = [p.strip() for p in _RULE_TAIL.split(strip_inline(text))]
    return "\n".join(p for p in parts if p)


def _lone_pipe_table(lines: list[str], i: int) -> tuple[list[list[str]], int]:
    """Parse a lone-pipe table starting at ``lines[i] == '|'``; (rows, next index)."""
    rows: list[list[str]] = [[]]
    cell: list[str] = []
    j = i + 1
    n = len(lines)
    while j < n:
        s = lines[j].strip()
        if s == "|":
            if cell:
                rows[-1].append("\n".join(cell))
                cell = []
                if j + 1 < n and lines[j + 1].strip() == "|":  # "|" "|": the row ends
                    rows.append([])
                    j += 1
            elif rows[-1]:  # "|" right after a closed cell: next row
                rows.append([])
            j += 1
            # a blank line after a closing "|" ends the table unless another row follows
            if j < n and not lines[j].strip():
                k = j
                while k < n and not lines[k].strip():
                    k += 1
                if k < n and lines[k].strip() == "|":
                    j = k
                    continue
                break
            continue
        if s:
            stripped = strip_inline(s).strip()
            if stripped:
                cell.append(stripped)
        j += 1
    if cell:
        rows[-1].append("\n".join(cell))
    return [r for r in rows if r], j


def _inline_row(line: str) -> list[str] | None:
    """``a | b |`` or ``| a | b |`` → cells, or None for an ordinary line."""
    s = line.strip()
    if "|" not in s or s == "|":
        return None
    if not (s.endswith("|") or s.startswith("|") or " | " in s):
        return None
    cells = [c for c in (c.strip() for c in s.strip("|").split("|"))]
    if len(cells) < 2 and not s.endswith("|"):
        return None
    return [_cell_lines(c) for c in cells]


def markdown_blocks(text: str) -> list[Block]:
    """Portal Markdown → text lines and tables (rows of cells), in document order."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    i = 0
    n = len(lines)
    pending: list[list[str]] = []  # consecutive one-line rows form one table
    para: list[str] = []  # lines of one Markdown paragraph (wrapped mid-sentence)

    def flush() -> None:
        if para:
            blocks.append(join_lines(para))
            para.clear()
        if pending:
            blocks.append(list(pending))
            pending.clear()

    while i < n:
        line = lines[i]
        s = line.strip()
        if s == "|":
            flush()
            rows, i = _lone_pipe_table(lines, i)
            if rows:
                blocks.append(rows)
            continue
        if _GFM_RULE.match(s) and "|" in s:
            i += 1
            continue
        cells = _inline_row(s)
        if cells is not None:
            if para:
                flush()
            pending.append(cells)
            i += 1
            continue
        if pending:
            flush()
        plain = strip_inline(line).strip()
        if not plain:
            flush()  # a blank line (or one of bare marks) ends a paragraph
        elif not is_portal_noise(plain):
            if _ITEM_START.match(plain):
                flush()
            para.append(plain)
        i += 1
    flush()
    return blocks


def read_markdown(path: Path, data: bytes | None = None) -> RawDocument:
    text = decode_bytes(path.read_bytes() if data is None else data, str(path))
    if not text.strip():
        raise UnreadableFileError(path, "the file holds no text", "check that it is the right file")
    body, tables = linearize(markdown_blocks(text))
    if not body.strip():
        raise UnreadableFileError(path, "no text found in the Markdown", "check the file")
    return RawDocument(text=body, tables=tables, source_format="md")
