"""Line-level cleaning of extracted text: what is noise on its own line.

Produces ``Line`` records (NFC, stripped) with page boundaries marked instead of page
numbers, and without rule lines or stray URL lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PAGE_BREAK = "\f"

_RULE = re.compile(r"^[-_=.*~—–]{3,}$")
_URL_ONLY = re.compile(r"^\(?https?://\S+\)?$")
_PAGE_NO = re.compile(r"^(?:-\s*)?\d{1,3}(?:\s*-)?$|^Trang\s+\d{1,3}(?:\s*/\s*\d{1,3})?$")
_APPENDIX = re.compile(r"^PHỤ\s+LỤC\b")
_WIDE_GAP = re.compile(r"\s{5,}(?=[^\s/])")
_INTRO = (":", "(", "địa chỉ", "tại")  # a line that a URL on the next line completes
_CTRL = re.compile(r"[\u0000-\u0008\u000b\u000e-\u001f\u200b\ufeff]")


@dataclass(slots=True)
class Line:
    text: str
    page_break: bool = False  # a page boundary comes right before this line
    indented: bool = False  # the raw line started with whitespace (often a new text chunk)
    cells: list[str] | None = None  # a table row copied as "a | b | c"


def is_rule(text: str) -> bool:
    return bool(_RULE.match(text.replace(" ", "")))


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NO.match(text))


def _split_cells(text: str) -> list[str]:
    """Header tables copied from the web or laid out in two columns: one cell per line."""
    if "|" in text:
        return [c.strip() for c in text.split("|") if c.strip()]
    return [c.strip() for c in _WIDE_GAP.split(text) if c.strip()]


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\r", "")
    return _CTRL.sub("", text)


def split_lines(raw: str) -> list[Line]:
    """Raw text → non-empty ``Line`` records; noise lines removed, page breaks marked."""
    out: list[Line] = []
    pending_break = False
    in_appendix = False
    for raw_line in normalize(raw).split("\n"):
        if PAGE_BREAK in raw_line:
            pending_break = True
            raw_line = raw_line.replace(PAGE_BREAK, "")
        text = raw_line.strip()
        if not text:
            continue
        if _APPENDIX.match(text):
            in_appendix = True
        if is_rule(text):
            continue
        if is_page_number(text) and not in_appendix:
            pending_break = True
            continue
        if _URL_ONLY.match(text) and not (out and out[-1].text.rstrip().endswith(_INTRO)):
            continue  # a link repeated on its own line (page footer / pasted link)
        indented = raw_line[:1].isspace()
        if text.count("|") >= 3:
            out.append(Line(text, pending_break, indented, _split_cells(text)))
            pending_break = False
            continue
        for k, cell in enumerate(_split_cells(text)):
            out.append(Line(cell, pending_break and k == 0, indented and k == 0))
        pending_break = False
    return out
