"""What starts a heading, a numbered point or a bullet at the head of a line."""

from __future__ import annotations

import re

ROMAN = re.compile(r"^(?P<num>[IVXL]{1,5})\.\s*(?=\S)")
NUMBER = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)\.\s+(?=\S)")
LETTER = re.compile(r"^(?P<num>[a-zđ])\)\s+(?=\S)")
BULLET = re.compile(r"^(?P<mark>[-+•*])\.?\s*(?=\S)")
BASIS = re.compile(r"^(Căn cứ|Thực hiện)\s")
TERMINAL = re.compile(r"[.;:!?…](?:[”\")]|\./\.)?$|\./\.$")


def marker_of(text: str) -> tuple[str, str] | None:
    """("roman"|"number"|"letter"|"bullet"|"sub", matched marker) or None."""
    for kind, rx in (("roman", ROMAN), ("number", NUMBER), ("letter", LETTER)):
        m = rx.match(text)
        if m:
            return kind, m.group(0)
    m = BULLET.match(text)
    if m:
        return ("sub" if m.group("mark") == "+" else "bullet"), m.group(0)
    return None


def strip_bullet(text: str) -> str:
    """'- Tiếp tục…' → 'Tiếp tục…'; '-. Quán triệt' → 'Quán triệt'."""
    m = BULLET.match(text)
    return text[m.end() :] if m else text


def is_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def ends_sentence(text: str) -> bool:
    return bool(TERMINAL.search(text.rstrip()))
