"""The search page: the search core's ranked paragraphs with unit/year filters."""

from __future__ import annotations

from typing import Any

from indexer.errors import InvalidQueryError
from service.pages.common import (
    Result,
    filter_choices,
    filters_phrase,
    paragraph_href,
    parse_year,
)
from service.query_cost import QueryTooCostlyError, clean_query
from service.search import SearchFilters, validate_query

SEARCH_K = 20
MAX_QUERY_CHARS = 1000
KIND_LABELS = {"task": "Nhiệm vụ (phụ lục)", "heading": "Tiêu đề mục", "item": "Ý"}


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
    if not clean_query(q[: MAX_QUERY_CHARS + 1]):  # blank, or only invisible characters
        return "search.html", ctx, 200
    ctx["title"] = f"{q.strip()} — Tìm kiếm"
    try:
        query = validate_query(q, MAX_QUERY_CHARS)
        filters = SearchFilters(unit=unit or None, year=year_int)
        result = snap.searcher.search(query, k=SEARCH_K, filters=filters)
    except InvalidQueryError as exc:
        ctx["message"] = {"level": "warn", "text": _refusal(exc)}
        return "search.html", ctx, 422
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


def _refusal(exc: InvalidQueryError) -> str:
    """Why a query was refused, in words for the page."""
    if isinstance(exc, QueryTooCostlyError):
        return (
            "Nội dung tìm kiếm quá nặng để xử lý (quá nhiều ký hiệu, biểu tượng hoặc chữ "
            "không phải tiếng Việt). Hãy rút gọn lại."
        )
    return f"Nội dung tìm kiếm dài quá {MAX_QUERY_CHARS} ký tự. Hãy rút gọn lại."
