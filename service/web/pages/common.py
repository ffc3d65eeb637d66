"""Shared helpers of the page views: template filters, links, labels, filters, errors.

Each view module (search, document, compare, mentions) has a ``*_view(snap, …)`` that takes
the request's index snapshot and returns ``(template name, context, status)``; the cores it
calls are the same the JSON API calls.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from markupsafe import Markup

from indexer.errors import IndexerError
from service.web.errors import status_for

if TYPE_CHECKING:
    from indexer.model import Reading
    from indexer.store import DocumentRow, Reader

Result = tuple[str, dict[str, Any], int]

_MARK_SPLIT = re.compile(r"(</?mark>)")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


class PageError(Exception):
    """A user-facing problem on a page: an HTTP status and a Vietnamese message."""

    def __init__(self, status: int, title: str, text: str, hint: str = "", level: str = "warn"):
        super().__init__(text)
        self.status = status
        self.message = {"level": level, "title": title, "text": text, "hint": hint}


def warn(text: str, title: str = "") -> dict[str, str]:
    """A warning notice for a page's ``message``."""
    return {"level": "warn", "title": title, "text": text}


def marks(html_text: str | None) -> Markup:
    """A core's HTML-escaped text with <mark> kept; any other tag is escaped, defensively."""
    if not html_text:
        return Markup("")
    out = []
    for piece in _MARK_SPLIT.split(str(html_text)):
        if piece in ("<mark>", "</mark>"):
            out.append(piece)
        else:
            out.append(piece.replace("<", "&lt;").replace(">", "&gt;"))
    return Markup("".join(out))


_FORMAT_NAMES = {"doc": "Word 97–2003 (.doc)", "rtf": "RTF (.rtf)"}


def reading_label(reading: Reading | None) -> str:
    """How a plan's text was obtained, in words for staff ("" for an ordinary text read)."""
    if reading is None or reading.method == "text":
        return ""
    if reading.method == "ocr":
        pages = _page_list(reading.ocr_pages)
        of = f" trên {reading.pages}" if reading.pages else ""
        sure = (
            f", độ tin cậy trung bình {reading.ocr_confidence:.0f}%"
            if reading.ocr_confidence is not None
            else ""
        )
        return f"Nhận dạng chữ (OCR) từ bản quét: trang {pages}{of}{sure}"
    name = _FORMAT_NAMES.get(reading.source_format, reading.source_format)
    return f"Chuyển đổi từ tệp {name} bằng LibreOffice"


def _page_list(pages: list[int]) -> str:
    """[1, 2, 3, 5] → "1–3, 5"."""
    runs: list[list[int]] = []
    for page in sorted(pages):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def vn_date(value: str | None) -> str:
    """``2025-08-12`` → ``12/08/2025``, ``2026-02`` → ``02/2026`` (other strings unchanged)."""
    m = _ISO_DATE.match(value or "")
    if not m:
        return value or ""
    day = f"{m.group(3)}/" if m.group(3) else ""
    return f"{day}{m.group(2)}/{m.group(1)}"


def own_error_message(exc: IndexerError) -> tuple[str, dict[str, str], int]:
    """A Vietnamese title and message for one of our exceptions (status for the page)."""
    status = status_for(exc)
    title = "Không thực hiện được yêu cầu"
    text = "Yêu cầu không hợp lệ. Hãy kiểm tra lại nội dung đã nhập rồi thử lại."
    name = type(exc).__name__
    if name == "DocumentNotFoundError":
        title, text = "Không tìm thấy kế hoạch", "Không có kế hoạch này trong chỉ mục."
    elif name == "ModelMismatchError":
        title = "Chỉ mục không khớp mô hình"
        text = "Chỉ mục được lập bằng một mô hình khác với cấu hình hiện tại. Hãy lập lại chỉ mục."
    message = {"level": "error", "title": title, "text": text, "hint": f"Chi tiết: {exc}"}
    return title, message, status


def ordinal_of(paragraph_id: str | None) -> int | None:
    """``"2025-…:0042"`` → 42."""
    if not paragraph_id or ":" not in paragraph_id:
        return None
    return number_in(paragraph_id.rsplit(":", 1)[1], 0, 10**MAX_DIGITS - 1)


def paragraph_href(doc_id: str, paragraph_id: str | None, **params: str) -> str:
    query = {k: v for k, v in params.items() if v}
    url = f"/doc/{doc_id}" + (f"?{urlencode(query)}" if query else "")
    ordinal = ordinal_of(paragraph_id)
    return url + (f"#p-{ordinal}" if ordinal is not None else "")


def doc_label(doc: DocumentRow) -> str:
    """``Trường Cao đẳng Y tế Khánh Hòa — 2026``."""
    unit = getattr(doc, "unit", None) or getattr(doc, "doc_id", "")
    year = getattr(doc, "year", None)
    return f"{unit} — {year}" if year else str(unit)


def filter_choices(reader: Reader) -> tuple[list[DocumentRow], list[str], list[int]]:
    docs = sorted(reader.documents(), key=lambda d: (-(d.year or 0), d.unit or "", d.doc_id))
    units = sorted({d.unit for d in docs if d.unit})
    years = sorted({d.year for d in docs if d.year}, reverse=True)
    return docs, units, years


MAX_DIGITS = 9  # a page parameter's number: never more digits than this


def number_in(value: str | None, low: int, high: int) -> int | None:
    """The whole number ``value`` writes when it is 1–``MAX_DIGITS`` ASCII digits (blanks
    around allowed) between ``low`` and ``high``; None for anything else. Every number a page
    reads from its address goes through here: ``str.isdigit()`` also accepts "²" or "٣",
    which ``int()`` refuses or reads, and ``int()`` refuses more than 4,300 digits."""
    text = (value or "").strip()
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_year(year: str) -> tuple[int | None, dict[str, str] | None]:
    """A year filter from the address: (the year, None), (None, None) when blank, or (None,
    a warning the page shows) when it is not a year between 1900 and 2100."""
    year = (year or "").strip()
    if not year:
        return None, None
    value = number_in(year, 1900, 2100)
    if value is not None:
        return value, None
    year = year[:40] + ("…" if len(year) > 40 else "")  # the warning quotes it, shortened
    return None, {
        "level": "warn",
        "text": f"Năm «{year}» không hợp lệ nên chưa được dùng để lọc. "
        "Hãy chọn năm trong danh sách.",
    }


def filters_phrase(unit: str, year: int | None) -> str:
    parts = []
    if unit:
        parts.append(f"đơn vị {unit}")
    if year:
        parts.append(f"năm {year}")
    return " (lọc theo " + ", ".join(parts) + ")" if parts else ""
