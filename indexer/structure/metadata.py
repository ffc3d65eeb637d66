"""What a document says about itself: unit, province, year, kind, title, number, date,
place, bases, signer — read from its standard header (``header``), its title and its
signature block. Anything not found stays None; a sidecar overrides (``parse``)."""

from __future__ import annotations

import re
from collections import Counter

from indexer.cleaning import Line, join_lines
from indexer.model import DocumentMeta
from indexer.structure.blocks import reflow
from indexer.structure.header import Header, authority_body, parse_date, parse_number
from indexer.structure.issuer import (
    is_central,
    province_of,
    short_form,
    split_bodies,
    starts_body,
    unit_from_bodies,
)
from indexer.structure.layout import Layout, is_signer_title, signer_name
from indexer.structure.markers import BASIS, is_caps
from indexer.text import gazetteer

__all__ = ["extract_meta", "legal_bases", "parse_date", "parse_number", "plan_year", "signer"]

_OF = re.compile(r"^của\s+", re.IGNORECASE)
_PROVINCE_TEXT = re.compile(r"\btỉnh\s+([A-ZĐ]\w+(?:\s+[A-ZĐ]\w+){0,2})")
_ISSUES_PLAN = re.compile(r"^(?:về việc\s+|v/v\s+)?ban hành\s+kế hoạch\b", re.IGNORECASE)
# "năm 2014", not "tháng 6 năm 2020" (a date), nor "đến năm 2030" (a target)
_TITLE_YEAR = re.compile(
    r"(?<!tháng )(?<!tháng \d )(?<!tháng \d\d )(?<!đến )(?<!tới )(?<!nhìn )"
    r"\bnăm\s+((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"\b(?:giai đoạn|thời kỳ|năm học|niên khóa|niên độ)\s+(?:từ\s+)?(?:năm\s+)?((?:19|20)\d{2})"
    r"\s*(?:[-–—]|đến|tới)\s*(?:năm\s+)?((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_CITED_DATE = re.compile(  # a date that belongs to a document the title cites
    r"\d+/[\w/.-]+\s+(?:ngày\s+\d{1,2}\s*(?:tháng\s*\d{1,2}\s*năm|/\d{1,2}/)\s*(?:19|20)\d{2})",
    re.IGNORECASE,
)
_ADOPTED = re.compile(r"(?:thông qua|ký ban hành|ban hành)\s+ngày\s+\d", re.IGNORECASE)


def _title_and_unit(title_lines: list[Line]) -> tuple[str | None, str | None]:
    """The summary title, and a "của <unit>" line under it (plans name their unit there)."""
    title: list[str] = []
    unit: list[str] = []
    for ln in title_lines:
        if unit or _OF.match(ln.text):
            unit.append(ln.text)
        else:
            title.append(ln.text)
    title_text = join_lines(title).rstrip(" -–—_") or None
    if title_text and not unit and " của " in title_text:
        head, rest = title_text.rsplit(" của ", 1)
        if starts_body(rest) and not is_caps(rest):
            title_text, unit = head, [rest]
    unit_text = _OF.sub("", join_lines(unit)).strip() or None
    return title_text, unit_text


def plan_year(title: str | None) -> tuple[int | None, str | None]:
    """(year, period) the title says the document is for; (None, None) if it says none."""
    if not title:
        return None, None
    text = _CITED_DATE.sub(" ", title)
    period = _PERIOD.search(text)
    year = _TITLE_YEAR.search(text)
    if period and (not year or period.start() <= year.start()):
        a, b = int(period.group(1)), int(period.group(2))
        if a <= b <= a + 30:
            return a, f"{a}–{b}"
    if year:
        return int(year.group(1)), None
    return None, None


def _province_from_text(unit: str | None, full_text: str) -> str | None:
    """Last resort for a document with no header: the province its text names most."""
    counts = Counter(
        name
        for m in _PROVINCE_TEXT.finditer(full_text)
        if (name := gazetteer.canonical(m.group(1).split(" và ")[0]))
    )
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


_GLUED_ROLE = re.compile(
    r"(?<=[A-ZĐÀ-Ỹ])(?=(?:KT\.|TM\.|TL\.|PHÓ CHỦ TỊCH|CHỦ TỊCH|BỘ TRƯỞNG|THỨ TRƯỞNG))"
)


def signer(signature: list[Line]) -> tuple[str | None, str | None]:
    titles: list[str] = []
    name = None
    pieces = [p for ln in signature for p in _GLUED_ROLE.split(ln.text)]
    for text in (p.strip(" |") for p in pieces):
        if is_signer_title(text):
            titles.append(text)
        elif titles and is_caps(text) and not signer_name(text) and len(text) < 40:
            titles[-1] = f"{titles[-1]} {text}"  # "TM. ỦY BAN NHÂN" / "DÂN"
        elif (found := signer_name(text)) and (titles or name is None):
            name = found
    return name, (" / ".join(titles) or None)


def _unit(head: Header, title_unit: str | None) -> tuple[str | None, list[str]]:
    bodies = split_bodies(head.issuer_lines)
    if not bodies and head.authority:
        bodies = split_bodies([authority_body(head.authority) or ""])
    unit = unit_from_bodies(bodies)
    if title_unit and (not unit or _same_body(title_unit, bodies[-1])):
        unit = title_unit  # the title names the unit in full ("của Trường Cao đẳng Y tế Khánh Hòa")
    return unit, bodies


def _same_body(title_unit: str, header_body: str) -> bool:
    a = title_unit.lower().split()
    b = header_body.lower().split()
    return len(b) >= 2 and a[: len(b)] == b


def _document_date(head: Header, appendix_note: str | None, full_text: str) -> str | None:
    if head.date:
        return head.date
    if appendix_note and (d := parse_date(appendix_note)):
        return d
    if head.number:  # "… số 170/2025/NĐ-CP ngày 30 tháng 6 năm 2025" anywhere in the text
        own = re.escape(head.number)
        m = re.search(own + r"\s*,?\s*(ngày\s+[^;,)]{4,30})", full_text)
        if m and (d := parse_date(m.group(1))):
            return d
    m = _ADOPTED.search(full_text[-6000:])
    if m:
        return parse_date(full_text[-6000:][m.start() : m.start() + 60])
    return None


def extract_meta(layout: Layout, appendix_note: str | None, full_text: str) -> DocumentMeta:
    """Read the metadata from the text itself; missing things stay None."""
    head = layout.head
    title, title_unit = _title_and_unit(layout.title)
    unit, bodies = _unit(head, title_unit)
    number = head.number or (parse_number(appendix_note) if appendix_note else None)
    date = _document_date(head, appendix_note, full_text)
    kind, issued_as = layout.kind, None
    if kind == "Quyết định" and title and _ISSUES_PLAN.match(title):
        kind, issued_as = "Kế hoạch", "Quyết định"
    year, period = plan_year(title)
    if year is None and date:
        year = int(date[:4])
    if year is None and number and (m := re.search(r"/((?:19|20)\d{2})/", number)):
        year = int(m.group(1))  # "16/2025/NĐ-CP": the year of issue is in the number
    province = None
    for body in reversed(bodies):
        province = province or province_of(body)
    province = province or province_of(unit)
    if province is None and not is_central(unit):
        if head.place:
            province = gazetteer.find_anywhere(head.place)
        if province is None and not bodies:
            province = _province_from_text(unit, full_text)
    name, role = signer(layout.signature)
    return DocumentMeta(
        unit=unit,
        province=province,
        year=year,
        kind=kind,
        title=title,
        number=number,
        date=date,
        legal_bases=legal_bases(layout.opening),
        signer=name,
        signer_title=role,
        unit_short=short_form(unit),
        place=head.place,
        period=period,
        issued_as=issued_as,
    )
