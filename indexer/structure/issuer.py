"""The issuing body: from the header's capital lines to a readable name.

Nghị định 30/2020/NĐ-CP puts the issuing body top left, under its parent body where it has
one ("UBND TỈNH ĐIỆN BIÊN" over "SỞ CÔNG THƯƠNG"). The lines are split into bodies where a
line starts with the name of a kind of body; a body under a territorial parent (People's
Committee or Council, Party committee of a province, city, commune…) takes the parent's
locality: "Sở Công Thương tỉnh Điện Biên". Names are written in the case Vietnamese
administrative writing uses (first word and proper names capitalised, abbreviations spelt out).
"""

from __future__ import annotations

import re

from indexer.text import gazetteer
from indexer.text.bodies import _HEAD_RX, expand, starts_body
from indexer.text.vietnamese import fold

_LOCALITY = re.compile(
    r"\b(tỉnh|thành phố|tp\.?|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+(.+)$",
    re.IGNORECASE,
)
_TERRITORIAL = re.compile(
    r"^(?:ủy ban nhân dân|ubnd|hội đồng nhân dân|hđnd|tỉnh ủy|thành ủy|huyện ủy|quận ủy"
    r"|thị ủy|đảng ủy|đảng bộ|ban thường vụ)\b",
    re.IGNORECASE,
)
_CENTRAL = re.compile(
    r"^(?:chính phủ|thủ tướng|quốc hội|ủy ban thường vụ quốc hội|văn phòng chính phủ"
    r"|văn phòng quốc hội|bộ(?! chỉ huy)\s|bộ chính trị|ban bí thư|ban chấp hành trung ương"
    r"|tòa án nhân dân tối cao|viện kiểm sát nhân dân tối cao|kiểm toán nhà nước"
    r"|ngân hàng nhà nước|ban chỉ đạo nhà nước|ban chỉ đạo (?:quốc gia|trung ương)"
    r"|ban chỉ đạo .*(?:quốc gia|trung ương)$"
    r"|ủy ban trung ương|tổng cục|cục\s|hội liên hiệp thanh niên việt nam$)",
    re.IGNORECASE,
)
# words that keep a capital inside a body's name (proper names and fixed titles)
_PROPER = {
    "chính phủ": "Chính phủ", "quốc hội": "Quốc hội", "thường vụ": "Thường vụ",
    "công thương": "Công Thương", "việt nam": "Việt Nam", "tổ quốc": "Tổ quốc",
    "trung ương": "Trung ương", "bộ chính trị": "Bộ Chính trị", "đảng": "Đảng",
    "tỉnh ủy": "Tỉnh ủy", "thành ủy": "Thành ủy", "hồ chí minh": "Hồ Chí Minh",
    "nhà nước": "Nhà nước",
}  # fmt: skip
_SHORT = [
    (re.compile(r"^Ủy ban nhân dân\b"), "UBND"),
    (re.compile(r"^Hội đồng nhân dân\b"), "HĐND"),
    (re.compile(r"^Ủy ban Thường vụ Quốc hội$"), "UBTVQH"),
    (re.compile(r"^Chủ tịch Ủy ban nhân dân\b"), "Chủ tịch UBND"),
    (re.compile(r"\bKhu kinh tế\b"), "KKT"),
    (re.compile(r"\bKhu công nghiệp\b"), "KCN"),
]


def split_bodies(lines: list[str]) -> list[str]:
    """Header lines → bodies, outermost first; wrapped names and localities joined back."""
    bodies: list[str] = []
    for raw in lines:
        line = expand(raw.strip(" -–—*_|"))
        if not line:
            continue
        prev = bodies[-1] if bodies else ""
        incomplete = prev.endswith((" VÀ", ",", "-", "–", " CỦA", " VÀ CÁC"))
        if bodies and (incomplete or not starts_body(line)):
            bodies[-1] = f"{prev} {line}"
        else:
            bodies.append(line)
    return bodies


def locality(body: str) -> str | None:
    """ "ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN" → "tỉnh Điện Biên"."""
    m = _LOCALITY.search(body)
    if not m:
        return None
    level = m.group(1).lower().replace("tp.", "thành phố").replace("tp", "thành phố")
    return f"{level} {_title_words(m.group(2))}"


def is_central(unit: str | None) -> bool:
    return bool(unit and _CENTRAL.match(unit))


def _title_words(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() if w[:1].isalpha() else w for w in text.split())


def readable(body: str) -> str:
    """ALL-CAPS body name → readable case: "SỞ CÔNG THƯƠNG" → "Sở Công Thương"."""
    body = expand(body)
    caps = body.upper() == body
    if not caps:
        return body[:1].upper() + body[1:]
    loc = _LOCALITY.search(body)
    head, tail = (body[: loc.start()], locality(body)) if loc else (body, None)
    words = head.lower().split()
    low = " ".join(words)
    out = low[:1].upper() + low[1:]
    # the word after a kind of body starts the body's own name: "Bộ Nội vụ", "Sở Tư pháp"
    m = _HEAD_RX.match(fold(low))
    if m and not _TERRITORIAL.match(low):
        n = len(m.group(0).split())
        parts = out.split()
        if len(parts) > n and parts[n] not in ("và", "của"):
            parts[n] = parts[n][:1].upper() + parts[n][1:]
        out = " ".join(parts)
    for key, value in _PROPER.items():
        out = re.sub(rf"(?<!\w){key}(?!\w)", value, out, flags=re.IGNORECASE)
    out = out[:1].upper() + out[1:]
    return f"{out} {tail}".strip() if tail else out


def unit_from_bodies(bodies: list[str]) -> str | None:
    """The issuing body (the last one), qualified by a territorial parent's locality."""
    if not bodies:
        return None
    child = bodies[-1]
    name = readable(child)
    if len(bodies) > 1 and not _LOCALITY.search(child):
        parent = expand(bodies[-2])
        if _TERRITORIAL.match(parent):
            place = locality(parent)
            if place:
                name = f"{name} {place}"
    return name


def short_form(unit: str | None) -> str | None:
    """A short name for lists and filters: "Ủy ban nhân dân tỉnh X" → "UBND tỉnh X"."""
    if not unit:
        return None
    out = unit
    for rx, repl in _SHORT:
        out = rx.sub(repl, out)
    return out


def province_of(unit: str | None) -> str | None:
    """The province named in a body's name, if any (checked against the gazetteer)."""
    if not unit:
        return None
    return gazetteer.find_after_prefix(unit)
