"""What each page shows: core results turned into template contexts (no HTTP here).

Each ``*_view(snap, …)`` takes the request's index snapshot (reader, embedder, searcher) and
returns ``(template name, context, status)``. The cores are the same the JSON API calls.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from indexer.errors import IndexerError, InvalidQueryError
from service.search import SearchFilters, validate_query

SEARCH_K = 20
MAX_QUERY_CHARS = 1000

KIND_LABELS = {"task": "Nhiệm vụ (phụ lục)", "heading": "Tiêu đề mục", "item": "Ý"}
_MARK_SPLIT = re.compile(r"(</?mark>)")
_TOP_HEADING = re.compile(r"^(?:[IVXLC]{1,6}\.|PHỤ LỤC)", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


Result = tuple[str, dict[str, Any], int]


# -- template filters ----------------------------------------------------------------------
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


def vn_date(value: str | None) -> str:
    """ISO ``2025-08-12`` → ``12/08/2025`` (other strings unchanged)."""
    m = _ISO_DATE.match(value or "")
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else (value or "")


def own_error_message(exc: IndexerError) -> tuple[str, dict[str, str], int]:
    """A Vietnamese title and message for one of our exceptions (status for the page)."""
    status = int(getattr(exc, "http_status", 400))
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


# -- shared helpers ------------------------------------------------------------------------
def ordinal_of(paragraph_id: str | None) -> int | None:
    """``"2025-…:0042"`` → 42."""
    if not paragraph_id or ":" not in paragraph_id:
        return None
    tail = paragraph_id.rsplit(":", 1)[1]
    return int(tail) if tail.isdigit() else None


def paragraph_href(doc_id: str, paragraph_id: str | None, **params: str) -> str:
    query = {k: v for k, v in params.items() if v}
    url = f"/doc/{doc_id}" + (f"?{urlencode(query)}" if query else "")
    ordinal = ordinal_of(paragraph_id)
    return url + (f"#p-{ordinal}" if ordinal is not None else "")


def doc_label(doc: Any) -> str:
    """``Trường Cao đẳng Y tế Khánh Hòa — 2026``."""
    unit = getattr(doc, "unit", None) or getattr(doc, "doc_id", "")
    year = getattr(doc, "year", None)
    return f"{unit} — {year}" if year else str(unit)


def filter_choices(reader: Any) -> tuple[list[Any], list[str], list[int]]:
    docs = sorted(reader.documents(), key=lambda d: (-(d.year or 0), d.unit or "", d.doc_id))
    units = sorted({d.unit for d in docs if d.unit})
    years = sorted({d.year for d in docs if d.year}, reverse=True)
    return docs, units, years


def parse_year(year: str) -> tuple[int | None, dict[str, str] | None]:
    year = (year or "").strip()
    if not year:
        return None, None
    if year.isdigit() and 1900 <= int(year) <= 2100:
        return int(year), None
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


# -- search --------------------------------------------------------------------------------
def search_view(snap: Any, q: str, unit: str, year: str) -> Result:
    docs, units, years = filter_choices(snap.reader)
    year_int, message = parse_year(year)
    unit = (unit or "").strip()
    ctx: dict[str, Any] = {
        "title": "Tìm kiếm",
        "q": q,
        "unit": unit,
        "year": year_int,
        "units": units,
        "years": years,
        "documents": docs,
        "n_documents": len(docs),
        "results": [],
        "message": message,
    }
    if not q.strip():
        return "search.html", ctx, 200
    ctx["title"] = f"{q.strip()} — Tìm kiếm"
    try:
        query = validate_query(q, MAX_QUERY_CHARS)
    except InvalidQueryError:
        ctx["message"] = {
            "level": "warn",
            "text": f"Nội dung tìm kiếm dài quá {MAX_QUERY_CHARS} ký tự. Hãy rút gọn lại.",
        }
        return "search.html", ctx, 422
    filters = SearchFilters(unit=unit or None, year=year_int)
    result = snap.searcher.search(query, k=SEARCH_K, filters=filters)
    ctx["results"] = [
        {
            "doc_id": h.doc_id,
            "unit": h.unit,
            "year": h.year,
            "section": h.section,
            "kind_label": KIND_LABELS.get(h.kind, ""),
            "snippet": h.snippet,
            "href": paragraph_href(h.doc_id, h.paragraph_id, q=query),
        }
        for h in result.hits
    ]
    if not ctx["results"]:
        ctx["message"] = {
            "level": "info",
            "title": "Không có kết quả",
            "text": f"Không tìm thấy đoạn nào phù hợp với «{query}»"
            f"{filters_phrase(unit, year_int)}. Hãy thử từ ngữ khác hoặc bỏ bớt bộ lọc.",
        }
    return "search.html", ctx, 200


# -- document ------------------------------------------------------------------------------
def document_view(snap: Any, doc_id: str, q: str = "") -> Result:
    from service.routes.pages import PageError

    reader = snap.reader
    doc = reader.document(doc_id)
    if doc is None:
        raise PageError(
            404,
            "Không tìm thấy kế hoạch",
            f"Không có kế hoạch nào mang mã «{doc_id}» trong chỉ mục. Hãy quay lại trang tìm "
            "kiếm và chọn kế hoạch từ danh sách.",
        )
    paragraphs = reader.paragraphs(doc_id)
    tasks = reader.tasks(doc_id)
    task_paras = [p for p in paragraphs if p.kind == "task"]
    in_table = bool(tasks) and len(task_paras) == len(tasks)
    rows = []
    for i, t in enumerate(tasks):
        anchor = f"p-{task_paras[i].ordinal}" if in_table else f"tt-{t.number}"
        rows.append({**_task_dict(t), "anchor": anchor})
    toc = [
        {"ordinal": p.ordinal, "text": p.text}
        for p in paragraphs
        if p.kind == "heading" and _TOP_HEADING.match(p.text)
    ]
    ctx = {
        "title": doc.title or doc.doc_id,
        "doc": doc,
        "meta": doc.meta or {},
        "paragraphs": paragraphs,
        "tasks": rows,
        "tasks_in_table": in_table,
        "toc": toc,
        "back_href": "/?" + urlencode({"q": q}) if q else "/",
    }
    return "document.html", ctx, 200


def _task_dict(t: Any) -> dict[str, Any]:
    return {
        "number": t.number,
        "task": t.task,
        "products": t.products,
        "timeline": t.timeline,
        "responsible": t.responsible,
    }


# -- compare -------------------------------------------------------------------------------
def compare_view(snap: Any, a: str, b: str) -> Result:
    docs, _, _ = filter_choices(snap.reader)
    ctx: dict[str, Any] = {
        "title": "So sánh hai kế hoạch",
        "plans": [{"doc_id": d.doc_id, "label": doc_label(d)} for d in docs],
        "a": a,
        "b": b,
        "result": None,
        "n_documents": len(docs),
    }
    return "compare.html", ctx, 200


# -- mentions ------------------------------------------------------------------------------
def mentions_view(snap: Any, ref: str, unit: str, year: str, sort: str) -> Result:
    docs, units, years = filter_choices(snap.reader)
    year_int, message = parse_year(year)
    ctx: dict[str, Any] = {
        "title": "Văn bản được trích dẫn",
        "ref": ref,
        "unit": unit,
        "year": year_int,
        "units": units,
        "years": years,
        "message": message,
        "candidates": [],
        "groups": [],
        "table": None,
        "n_documents": len(docs),
    }
    return "mentions.html", ctx, 200


def escape_text(text: str) -> Markup:
    return Markup(escape(text))
