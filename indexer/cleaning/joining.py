"""Joining lines broken by extraction: where a space goes back, and where it must not."""

from __future__ import annotations

import re

# "Quyết định số 72-" + "QĐ/TU" and "giai đoạn 2022-" + "2027”": a hyphen glued to the
# preceding number continues the same token. "kinh tế -" + "xã hội" keeps its spaces.
_GLUED_HYPHEN = re.compile(r"(?<=[0-9A-Za-zĐđ])[-–]$")
_URL_TAIL = re.compile(r"https?://\S*[./]$")
_ROMAN_RANGE = re.compile(r"(?:^|\s)[IVX]{1,4}[-–]$")  # "Quý III-" + "IV/2025"


def join_pair(left: str, right: str) -> str:
    """Join two consecutive pieces of one sentence with the right separator."""
    left = left.rstrip()
    right = right.lstrip()
    if not left:
        return right
    if not right:
        return left
    # number-hyphen continuations: 72-QĐ/TU, 2022-2027, 2021-2025
    if (
        _GLUED_HYPHEN.search(left)
        and re.match(r"[0-9A-ZĐ“\"(]", right)
        and (re.search(r"\d[-–]$", left) or re.match(r"\d", right))
    ):
        return left + right
    if _ROMAN_RANGE.search(left) and re.match(r"[IVX]{1,4}\b", right):
        return left + right
    last = left.rsplit(None, 1)[-1]
    if _URL_TAIL.search(last) and re.match(r"[a-z0-9/]", right):
        return left + right
    return f"{left} {right}"


def join_lines(lines: list[str]) -> str:
    """Join broken lines of one paragraph into one string with single spaces."""
    text = ""
    for line in lines:
        text = join_pair(text, line)
    return collapse_spaces(text)


def collapse_spaces(text: str) -> str:
    """Single spaces, but keep wide gaps inside letter-spaced runs for the spacing fixer."""
    return re.sub(r"[ \t\u00a0]+", lambda m: " " if len(m.group()) < 2 else m.group()[:2], text)
