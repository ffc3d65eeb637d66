"""A task's time cell ("Tiến độ", "Thời gian thực hiện") → the period it falls due in.

``parse_deadline(text, year_of_plan)`` reads what the cell says about dates and gives a
``Deadline``: ``start`` and ``end`` (``datetime.date``, either may be None), ``recurring``
("thường xuyên", "hằng năm", "định kỳ", …: work that repeats, which has no one date) and
the ``text`` as written. What it understands, in the order it looks (an expression found
is not read again by a later one):

- dates: ``15/02/2026``, ``30.6.2025``, ``ngày 30 tháng 9 năm 2025``; a day and month
  without a year after ``ngày``/``trước``/``đến`` (``trước ngày 15/11 hằng năm``) take the
  plan's year; ``1/2 ngày`` and ``12/60 ngày`` are durations, not dates;
- quarters: ``Quý III/2025``, ``Quý III-IV/2025``, ``Quý I, II``, ``Quý II năm 2026``;
- halves of a year: ``6 tháng đầu năm``, ``6 tháng cuối năm 2025``, ``9 tháng đầu năm``;
  ``đầu năm`` (first quarter), ``cuối năm`` (last quarter);
- months: ``Tháng 6/2025``, ``tháng 6 năm 2025``, ``6/2025``, ``Từ tháng 3 đến tháng 5/2025``;
- years, only when nothing finer is written: ``Năm 2026``, ``Trong năm 2026``, ``2026``,
  ``2026-2030``, ``Trong năm`` / ``Cả năm`` (the plan's year). A year in a ``sau khi …``
  clause ("Sau khi các Chỉ số năm 2025 được công bố") names an event, not the deadline.

Words before an expression make it an end or a start: ``trước`` (by then, no start; before a
month, quarter or year: by the day before it begins), ``chậm nhất``, ``hạn``, ``đến (hết)``
(by its last day, no start), ``từ``/``kể từ`` (from then: no end, unless a ``đến`` follows).
Without such a word the expression is the period itself; several are joined (earliest start,
latest end).
A year missing from an expression is the plan's (``year_of_plan``); without it, the
expression gives no date. Nothing here guesses: a cell that names no time ("Theo tiến độ
của tỉnh", "07 ngày") gives no date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_Q = r"(?:iv|iii|ii|i|[1-4])(?!\w)"
_YEAR = r"(?:19|20)\d{2}"
_YEAR_TAIL = rf"(?:\s*(?:/|-|năm)\s*({_YEAR}))?"  # "/2025", " năm 2025"

RECURRING = (
    (re.compile(r"thường xuyên|liên tục"), "thường xuyên"),
    (re.compile(r"h[ằà]ng năm|mỗi năm"), "hằng năm"),
    (re.compile(r"h[ằà]ng quý|mỗi quý"), "hằng quý"),
    (re.compile(r"h[ằà]ng tháng|mỗi tháng"), "hằng tháng"),
    (re.compile(r"h[ằà]ng tuần|mỗi tuần"), "hằng tuần"),
    (re.compile(r"định kỳ"), "định kỳ"),
)

_FULL_DATE = re.compile(
    rf"(?<![\d/.])(\d{{1,2}})\s*[/.-]\s*(\d{{1,2}})\s*[/.-]\s*({_YEAR})(?![\d/])"
    rf"|ngày\s+(\d{{1,2}})\s+tháng\s+(\d{{1,2}})\s+năm\s+({_YEAR})"
)
_DAY_MONTH = re.compile(
    r"(?:(?<=ngày\s)|(?<=trước\s)|(?<=đến\s)|(?<=hạn\s)|(?<=nhất\s)|^)\s*"
    r"(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])(?!\s*(?:ngày|giờ|tháng|năm))"
    r"|ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?!\s*năm\s*\d)"
)
_QUARTERS = re.compile(rf"quý\s+({_Q}(?:\s*(?:,|-|và|đến)\s*(?:quý\s+)?{_Q})*){_YEAR_TAIL}")
_HALF = re.compile(rf"(6|9) tháng (đầu|cuối) năm(?:\s+({_YEAR}))?")
_PART_OF_YEAR = re.compile(rf"(đầu|cuối) năm(?:\s+({_YEAR}))?")
_MONTH_RANGE = re.compile(
    rf"từ\s+tháng\s+(\d{{1,2}})(?:\s*(?:/|năm)\s*({_YEAR}))?\s*(?:đến|-)\s*(?:hết\s+)?"
    rf"tháng\s+(\d{{1,2}}){_YEAR_TAIL}"
)
_MONTH = re.compile(rf"tháng\s+(\d{{1,2}})(?!\d)(?:\s*(?:/|năm)\s*({_YEAR}))?")
_MONTH_YEAR = re.compile(rf"(?<![\d/.])(\d{{1,2}})\s*/\s*({_YEAR})(?![\d/])")
_YEAR_RANGE = re.compile(rf"(?<![\d/.])({_YEAR})\s*(?:-|đến)\s*(?:năm\s+)?({_YEAR})(?![\d/])")
_YEAR_ONE = re.compile(rf"(?<![\d/.])({_YEAR})(?![\d/])")
_THIS_YEAR = re.compile(r"(?:trong|cả|suốt)\s+năm(?!\s*(?:\d|học|thứ))")
# a year that is the object's, not the deadline's ("các Chỉ số năm 2025", "kết quả năm 2024")
_OBJECT_YEAR = re.compile(r"(?:chỉ số|kết quả|báo cáo|đánh giá|số liệu)\s+năm\s*$")
_AFTER_EVENT = re.compile(r"sau khi[^(;.,]*")
_UNIT = r"(?:\s+hết)?(?:\s+(?:ngày|năm|tháng))?\s*$"
_BEFORE = re.compile(r"(?:hoàn thành )?trước" + _UNIT)  # by the day before it begins
_UNTIL = re.compile(r"(?:chậm nhất(?: là)?|hạn(?: chót)?|không quá|đến|tới)" + _UNIT)  # by its end
_FROM = re.compile(r"(?:từ|kể từ|bắt đầu(?: từ)?)" + _UNIT)


@dataclass(frozen=True, slots=True)
class Deadline:
    """What a time cell says: the period (``start``..``end``, both included; either may be
    None), the kind of repetition (``recurring``) and the cell as written."""

    start: date | None
    end: date | None
    recurring: str | None
    text: str

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def overlaps(self, lo: date | None, hi: date | None) -> bool:
        """Whether the period meets ``lo``..``hi`` (None: unbounded). A deadline with one end
        only is that day ("trước ngày 15/11": falls due on 15/11); undated never meets."""
        if not self.dated:
            return False
        start = self.start or self.end
        end = self.end or self.start
        assert start is not None and end is not None
        return (hi is None or start <= hi) and (lo is None or end >= lo)


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = text.replace("–", "-").replace("—", "-").replace("‐", "-")
    return " ".join(text.split())


def _day(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_end(y: int, m: int) -> date:
    return (date(y + (m == 12), m % 12 + 1, 1)) - timedelta(days=1)


def _months(y: int | None, m1: int, m2: int) -> tuple[date, date] | None:
    if y is None or not (1 <= m1 <= m2 <= 12) or not 1900 <= y <= 2100:
        return None
    return date(y, m1, 1), _month_end(y, m2)


class _Scan:
    """The normalised text with what earlier expressions took blanked out."""

    def __init__(self, text: str):
        self.text = text
        self.found: list[tuple[int, date, date, bool]] = []  # (position, start, end, point)

    def take(self, pattern: re.Pattern[str], read) -> None:
        for m in pattern.finditer(self.text):
            period = read(m)
            if period is None:
                continue
            start, end = period
            self.found.append((m.start(), start, end, start == end))
            self.text = self.text[: m.start()] + " " * (m.end() - m.start()) + self.text[m.end() :]


def _year(value: str | None, default: int | None) -> int | None:
    return int(value) if value else default


def parse_deadline(text: str | None, year_of_plan: int | None = None) -> Deadline:
    """The period a time cell names, read as the module's docstring says."""
    raw = text or ""
    norm = _normal(raw)
    recurring = None
    first = len(norm) + 1
    for pattern, label in RECURRING:
        m = pattern.search(norm)
        if m and m.start() < first:
            first, recurring = m.start(), label
    plan = year_of_plan if year_of_plan and 1900 <= year_of_plan <= 2100 else None
    scan = _Scan(_AFTER_EVENT.sub(lambda m: " " * len(m.group()), norm))

    def full_date(m: re.Match[str]) -> tuple[date, date] | None:
        d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
        day = _day(int(y), int(mo), int(d))
        return (day, day) if day else None

    def day_month(m: re.Match[str]) -> tuple[date, date] | None:
        d, mo = (m.group(1), m.group(2)) if m.group(1) else m.group(3, 4)
        day = _day(plan, int(mo), int(d)) if plan else None
        return (day, day) if day else None

    def quarters(m: re.Match[str]) -> tuple[date, date] | None:
        qs = [_ROMAN[q] for q in re.findall(_Q, m.group(1))]
        y = _year(m.group(2), plan)
        return _months(y, 3 * min(qs) - 2, 3 * max(qs)) if qs and y else None

    def half(m: re.Match[str]) -> tuple[date, date] | None:
        n, part, y = int(m.group(1)), m.group(2), _year(m.group(3), plan)
        return _months(y, 1, n) if part == "đầu" else _months(y, 13 - n, 12)

    def part_of_year(m: re.Match[str]) -> tuple[date, date] | None:
        y = _year(m.group(2), plan)
        return _months(y, 1, 3) if m.group(1) == "đầu" else _months(y, 10, 12)

    def month_range(m: re.Match[str]) -> tuple[date, date] | None:
        y2 = _year(m.group(4), plan)
        y1 = _year(m.group(2), y2)
        a, b = _months(y1, int(m.group(1)), int(m.group(1))), _months(y2, int(m.group(3)), 12)
        if a is None or b is None or a[0] > b[0]:
            return None
        return a[0], _month_end(b[0].year, b[0].month)

    def month(m: re.Match[str]) -> tuple[date, date] | None:
        mo = int(m.group(1))
        return _months(_year(m.group(2), plan), mo, mo)

    def year_range(m: re.Match[str]) -> tuple[date, date] | None:
        y1, y2 = int(m.group(1)), int(m.group(2))
        return (date(y1, 1, 1), date(y2, 12, 31)) if y1 <= y2 else None

    scan.take(_FULL_DATE, full_date)
    scan.take(_QUARTERS, quarters)
    scan.take(_HALF, half)
    scan.take(_MONTH_RANGE, month_range)
    scan.take(_MONTH_YEAR, lambda m: _months(int(m.group(2)), int(m.group(1)), int(m.group(1))))
    scan.take(_MONTH, month)
    scan.take(_DAY_MONTH, day_month)
    scan.take(_PART_OF_YEAR, part_of_year)
    if not scan.found:  # years only when nothing finer is written
        scan.take(_YEAR_RANGE, year_range)

        def one_year(m: re.Match[str]) -> tuple[date, date] | None:
            if _OBJECT_YEAR.search(norm[: m.start()]):
                return None
            y = int(m.group(1))
            return date(y, 1, 1), date(y, 12, 31)

        scan.take(_YEAR_ONE, one_year)
        if not scan.found and plan:
            scan.take(_THIS_YEAR, lambda m: (date(plan, 1, 1), date(plan, 12, 31)))
    return _joined(scan, norm, recurring, raw)


def _joined(scan: _Scan, norm: str, recurring: str | None, raw: str) -> Deadline:
    starts: list[date] = []
    ends: list[date] = []
    for pos, start, end, point in sorted(scan.found):
        before = norm[max(0, pos - 24) : pos]
        if _FROM.search(before):
            starts.append(start)
        elif _BEFORE.search(before):
            ends.append(end if point else start - timedelta(days=1))
        elif _UNTIL.search(before):
            ends.append(end)
        else:
            starts.append(start)
            ends.append(end)
    return Deadline(
        min(starts) if starts else None, max(ends) if ends else None, recurring, raw.strip()
    )
