"""What a plan says about itself: unit, province, year, title, number, date, bases, signer."""

from __future__ import annotations

import re
from collections import Counter

from indexer.cleaning import Line, join_lines
from indexer.model import DocumentMeta
from indexer.structure.blocks import reflow
from indexer.structure.layout import Layout, is_signer_title
from indexer.structure.markers import BASIS, is_caps

_OF = re.compile(r"^của\s+", re.IGNORECASE)
_YEAR = re.compile(r"\bnăm\s+((?:19|20)\d{2})\b")
_PROVINCE_HEADER = re.compile(r"^(?:UBND|ỦY BAN NHÂN DÂN)\s+(?:TỈNH|THÀNH PHỐ)\s+(.+)$")
_PROVINCE_TEXT = re.compile(r"\btỉnh\s+([A-ZĐ]\w+(?:\s+[A-ZĐ]\w+){0,2})")
_NUMBER = re.compile(r"\b[Ss]ố:?\s*([0-9…._ ]*/\s*[A-Za-zĐđ][\w-]*)")
_DATE_SLASH = re.compile(r"ngày\s*(\d{1,2})?\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_DATE_WORDS = re.compile(r"ngày\s*(\d{1,2})?[…. _]*\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})")
_NAME = re.compile(r"^[A-ZĐÂĂÊÔƠƯ]\w*(?:\s+[A-ZĐÂĂÊÔƠƯ]\w*){1,4}$")


def _title_case(text: str) -> str:
    return " ".join(w.capitalize() for w in text.split())


def parse_number(text: str) -> str | None:
    """'Kế hoạch số      /KH-KKTKCN' → '/KH-KKTKCN'; 'Số: 12/KH-UBND' → '12/KH-UBND'."""
    m = _NUMBER.search(text)
    if not m:
        return None
    return re.sub(r"[…._ ]", "", m.group(1)) or None


def parse_date(text: str) -> str | None:
    """ISO date, or year-month when the day is left blank ('ngày   /8/2025' → '2025-08')."""
    m = _DATE_SLASH.search(text) or _DATE_WORDS.search(text)
    if not m:
        return None
    day, month, year = m.group(1), int(m.group(2)), m.group(3)
    if not 1 <= month <= 12:
        return None
    return f"{year}-{month:02d}-{int(day):02d}" if day else f"{year}-{month:02d}"


def _title_and_unit(title_lines: list[Line]) -> tuple[str | None, str | None]:
    title: list[str] = []
    unit: list[str] = []
    for ln in title_lines:
        if unit or _OF.match(ln.text):
            unit.append(ln.text)
        else:
            title.append(ln.text)
    title_text = join_lines(title) or None
    if title_text and not unit and " của " in title_text:
        title_text, rest = title_text.split(" của ", 1)
        unit = [rest]
    unit_text = _OF.sub("", join_lines(unit)).strip() or None
    return title_text, unit_text


def _province(header: list[Line], unit: str | None, full_text: str) -> str | None:
    for ln in header:
        m = _PROVINCE_HEADER.match(ln.text)
        if m:
            return _title_case(m.group(1))
    counts = Counter(m.group(1) for m in _PROVINCE_TEXT.finditer(full_text))
    if unit:
        for name, _ in counts.most_common():
            if unit.endswith(name):
                return name
    return counts.most_common(1)[0][0] if counts else None


def legal_bases(opening: list[Line]) -> list[str]:
    out: list[str] = []
    for block in reflow(opening, opening=True):
        for clause in re.split(r";\s+", block.text):
            clause = clause.strip().rstrip(";").strip()
            if BASIS.match(clause):
                out.append(clause)
    return out


def signer(signature: list[Line]) -> tuple[str | None, str | None]:
    titles = [ln.text for ln in signature if is_signer_title(ln.text)]
    names = [
        ln.text
        for ln in signature
        if _NAME.match(ln.text) and not is_caps(ln.text) and not ln.text.startswith("Nơi")
    ]
    return (names[-1] if names else None), (" / ".join(titles) or None)


def extract_meta(layout: Layout, appendix_note: str | None, full_text: str) -> DocumentMeta:
    """Read the metadata from the text itself; missing things stay None."""
    title, unit = _title_and_unit(layout.title)
    header_text = "\n".join(ln.text for ln in layout.header)
    number = parse_number(header_text) or (parse_number(appendix_note) if appendix_note else None)
    date = parse_date(header_text) or (parse_date(appendix_note) if appendix_note else None)
    year_m = _YEAR.search(title or "")
    year = int(year_m.group(1)) if year_m else (int(date[:4]) if date else None)
    name, role = signer(layout.signature)
    return DocumentMeta(
        unit=unit,
        province=_province(layout.header, unit, full_text),
        year=year,
        kind=layout.kind,
        title=title,
        number=number,
        date=date,
        legal_bases=legal_bases(layout.opening),
        signer=name,
        signer_title=role,
    )
