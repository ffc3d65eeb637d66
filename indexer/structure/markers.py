"""What starts a heading, a numbered point or a bullet at the head of a line."""

from __future__ import annotations

import re

ROMAN = re.compile(r"^(?P<num>[IVXL]{1,5})\.\s*(?=\S)")
NUMBER = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)\.\s+(?=\S)")
LETTER = re.compile(r"^(?P<num>[a-zđ])\)\s+(?=\S)")
BULLET = re.compile(r"^(?P<mark>[-+•*])\.?\s*(?=\S)")
# Divisions of a legal document (Nghị định 30/2020 and the drafting rules of legal texts):
# "Phần thứ nhất"/"PHẦN I"/"Chương II", "Mục 1", "Điều 5." (an article, whose "1." points
# are its khoản and "a)" its điểm).
PART = re.compile(
    r"^(?P<num>(?i:phần|chương)\s+(?:[IVXL]{1,6}|\d{1,2}|(?i:thứ)\s+\w+))(?![\w/])[.:]?\s*"
)
SUBPART = re.compile(r"^(?P<num>(?i:mục)\s+(?:[IVXL]{1,6}|\d{1,2}))(?![\w/])[.:]?\s*")
ARTICLE = re.compile(r"^(?P<num>Điều\s+\d{1,3}[a-zđ]?)\s*[.:]\s*")
BASIS = re.compile(r"^(Căn cứ|Thực hiện)\s")
TERMINAL = re.compile(r"[.;:!?…](?:[”\")]|\./\.)?$|\./\.$")


def marker_of(text: str) -> tuple[str, str] | None:
    """("part"|"subpart"|"article"|"roman"|"number"|"letter"|"bullet"|"sub", matched
    marker) or None."""
    for kind, rx in (
        ("part", PART),
        ("subpart", SUBPART),
        ("article", ARTICLE),
        ("roman", ROMAN),
        ("number", NUMBER),
        ("letter", LETTER),
    ):
        m = rx.match(text)
        if m:
            return kind, m.group(0)
    m = BULLET.match(text)
    if m:
        return ("sub" if m.group("mark") == "+" else "bullet"), m.group(0)
    return None


def depth(marker: str | None, text: str) -> int:
    """The level of a heading or point: a part above a subpart above a roman heading above an
    article above "1." above "1.1." … above "a)"; smaller is higher."""
    if marker == "number" and (m := NUMBER.match(text)):
        return 4 + m.group("num").count(".")
    return _DEPTH[marker or "number"]  # (never asked of an unmarked line; ranked as "1." if so)


_DEPTH = {"part": 0, "subpart": 1, "roman": 2, "article": 3, "number": 4, "letter": 8}
HEADING_ALWAYS = frozenset({"part", "subpart", "roman", "article"})


def strip_bullet(text: str) -> str:
    """'- Tiếp tục…' → 'Tiếp tục…'; '-. Quán triệt' → 'Quán triệt'."""
    m = BULLET.match(text)
    return text[m.end() :] if m else text


def is_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def ends_sentence(text: str) -> bool:
    return bool(TERMINAL.search(text.rstrip()))
