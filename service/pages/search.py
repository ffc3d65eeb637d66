"""The search page: the search core's ranked paragraphs with unit/year filters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from indexer.errors import InvalidQueryError
from service.pages.common import (
    Result,
    doc_label,
    filter_choices,
    paragraph_href,
    parse_year,
)
from service.query_cost import QueryTooCostlyError, clean_query
from service.search import QueryWithoutWordsError, SearchFilters, validate_query

SEARCH_K = 20  # results per page
MAX_PAGES = 5  # the core returns at most 100 hits
MAX_QUERY_CHARS = 1000
FACET_SHOWN = 8  # values per facet listed beside the results
KIND_LABELS = {
    "text": "Đoạn văn",
    "item": "Mục liệt kê",
    "heading": "Tiêu đề mục",
    "task": "Nhiệm vụ (phụ lục)",
}
FACET_TITLES = {"unit": "Đơn vị", "year": "Năm", "kind": "Loại văn bản"}


def search_state(
    q: str = "", unit: str = "", year: int | None = None, kind: str = "", doc: str = ""
) -> dict[str, str]:
    """The search's state as query-string parameters (empty ones left out): every link that
    leaves the results carries it, so "back to the search" restores the same search."""
    params = {"q": q, "unit": unit, "year": str(year or ""), "kind": kind, "doc": doc}
    return {k: v for k, v in params.items() if v}


def search_url(state: dict[str, str], **changes: Any) -> str:
    params = {**state, **{k: str(v) for k, v in changes.items() if v not in (None, "")}}
    for k, v in changes.items():
        if v in (None, ""):
            params.pop(k, None)
    return "/?" + urlencode(params) if params else "/"


def search_view(
    snap: Any, q: str, unit: str, year: str, kind: str = "", doc: str = "", page: str = ""
) -> Result:
    docs, units, years = filter_choices(snap.reader)
    year_int, message = parse_year(year)
    unit, kind, doc = (unit or "").strip(), (kind or "").strip(), (doc or "").strip()
    page_n = int(page) if page.isdigit() and 1 <= int(page) <= MAX_PAGES else 1
    plan = next((d for d in docs if d.doc_id == doc), None)
    ctx: dict[str, Any] = {
        "title": "Tìm kiếm",
        "q": q,
        "unit": unit,
        "year": year_int,
        "kind": kind,
        "doc": doc if plan else "",
        "plan": doc_label(plan) if plan else "",
        "units": units,
        "years": years,
        "kinds": sorted({d.kind for d in docs if d.kind}),
        "documents": docs,
        "n_documents": len(docs),
        "results": [],
        "facets": [],
        "page": page_n,
        "message": message,
    }
    if not clean_query(q[: MAX_QUERY_CHARS + 1]):  # blank, or only invisible characters
        return "search.html", ctx, 200
    ctx["title"] = f"{q.strip()} — Tìm kiếm"
    try:
        query = validate_query(q, MAX_QUERY_CHARS)
        filters = SearchFilters(
            unit=unit or None, year=year_int, kind=kind or None, doc_id=ctx["doc"] or None
        )
        result = snap.searcher.search(query, k=SEARCH_K * page_n, filters=filters)
    except InvalidQueryError as exc:
        ctx["message"] = {"level": "warn", "text": _refusal(exc)}
        return "search.html", ctx, 422
    state = search_state(query, unit, year_int, kind, ctx["doc"])
    back = {**state, **({"page": str(page_n)} if page_n > 1 else {})}
    hits = result.hits[SEARCH_K * (page_n - 1) :]
    scanned = {d.doc_id for d in docs if d.reading.method == "ocr"}
    ctx["results"] = [
        {
            "doc_id": h.doc_id,
            "unit": h.unit,
            "year": h.year,
            "section": h.section,
            "kind_label": KIND_LABELS.get(h.kind, ""),
            "ocr": h.doc_id in scanned,
            "snippet": h.snippet,
            "also": len(h.also),
            "href": paragraph_href(h.doc_id, h.paragraph_id, **back),
            "more_href": search_url(state, doc=h.doc_id, page=None) if not ctx["doc"] else "",
        }
        for h in hits
    ]
    ctx["first_rank"] = SEARCH_K * (page_n - 1) + 1
    ctx["prev_href"] = (
        search_url(state, page=page_n - 1 if page_n > 2 else None) if page_n > 1 else ""
    )
    more = len(result.hits) == SEARCH_K * page_n and page_n < MAX_PAGES
    ctx["next_href"] = search_url(state, page=page_n + 1) if more else ""
    ctx["facets"] = _facets(
        result.facets, state, {"unit": unit, "year": str(year_int or ""), "kind": kind}
    )
    ctx["all_plans_href"] = search_url(state, doc=None)
    api = {"q": query, "unit": unit, "year": str(year_int or ""), "kind": kind}
    api |= {"doc_id": ctx["doc"], "k": str(SEARCH_K * MAX_PAGES)}
    ctx["downloads"] = [
        {"label": label, "href": "/search?" + urlencode({**_present(api), "format": fmt})}
        for label, fmt in (("Excel (.xlsx)", "xlsx"), ("Word (.docx)", "docx"))
    ]
    ctx["searched"] = _searched_phrase(unit, year_int, kind, ctx["plan"])
    if not ctx["results"]:
        ctx["message"] = {
            "level": "info",
            "title": "Không có kết quả",
            "text": f"Không tìm thấy đoạn nào phù hợp với «{query}»{ctx['searched']}. "
            "Hãy thử từ ngữ khác hoặc bỏ bớt bộ lọc.",
        }
    return "search.html", ctx, 200


def _present(params: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if v}


def _facets(
    counts: dict[str, dict[str, int]], state: dict[str, str], chosen: dict[str, str]
) -> list[dict[str, Any]]:
    """Unit, year and kind of the candidates, each value a link that applies it as a filter
    (or, for the value in use, removes it)."""
    out = []
    for field, title in FACET_TITLES.items():
        values = list((counts.get(field) or {}).items())[:FACET_SHOWN]
        if not values:
            continue
        out.append(
            {
                "title": title,
                "choices": [
                    {
                        "label": value,
                        "count": n,
                        "active": chosen[field] == value,
                        "href": search_url(
                            state, **{field: None if chosen[field] == value else value}
                        ),
                    }
                    for value, n in values
                ],
            }
        )
    return out


def _searched_phrase(unit: str, year: int | None, kind: str, plan: str) -> str:
    """What the search covered, in words: " trong kế hoạch X" / " (lọc theo …)"."""
    if plan:
        return f" trong kế hoạch {plan}"
    parts = [f"đơn vị {unit}" if unit else "", f"năm {year}" if year else "", kind]
    named = [p for p in parts if p]
    return " (lọc theo " + ", ".join(named) + ")" if named else " trong mọi kế hoạch"


def _refusal(exc: InvalidQueryError) -> str:
    """Why a query was refused, in words for the page."""
    if isinstance(exc, QueryWithoutWordsError):
        return (
            "Nội dung tìm kiếm chỉ có dấu câu hoặc ký hiệu, không có chữ hay số nào để tìm. "
            "Hãy gõ một vài từ hoặc số hiệu văn bản."
        )
    if isinstance(exc, QueryTooCostlyError):
        return (
            "Nội dung tìm kiếm quá nặng để xử lý (quá nhiều ký hiệu, biểu tượng hoặc chữ "
            "không phải tiếng Việt). Hãy rút gọn lại."
        )
    return f"Nội dung tìm kiếm dài quá {MAX_QUERY_CHARS} ký tự. Hãy rút gọn lại."
