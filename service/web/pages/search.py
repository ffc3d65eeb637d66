"""The search page: the search core's ranked paragraphs with unit/year filters."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from indexer.errors import InvalidQueryError
from service.search import QueryWithoutWordsError, SearchFilters, validate_query
from service.search.query_cost import QueryTooCostlyError, clean_query
from service.search.relevance import LEVEL_LABELS
from service.web.pages.common import (
    Result,
    doc_label,
    filter_choices,
    number_in,
    paragraph_href,
    parse_year,
)

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
CLOSE_SHOWN = 3  # "gần đúng" hits shown under the relevant ones (or instead of none)
BY_PLAN = "ke-hoach"  # theo=ke-hoach: the results grouped by plan
# what the query names (its place, unit, year, kind: service.search.understanding), as the
# address spells the fields: bo=… leaves them unread, chi=… makes them filters
FIELD_WORDS = {"province": "tinh", "unit": "don-vi", "year": "nam", "kind": "loai"}
FIELD_LABELS = {"province": "tỉnh", "unit": "đơn vị", "year": "năm", "kind": "loại văn bản"}
PER_PLAN = 3  # paragraphs shown for each plan in that view


def search_state(
    q: str = "",
    unit: str = "",
    year: int | None = None,
    kind: str = "",
    doc: str = "",
    theo: str = "",
    bo: str = "",
    chi: str = "",
) -> dict[str, str]:
    """The search's state as query-string parameters (empty ones left out): every link that
    leaves the results carries it, so "back to the search" restores the same search."""
    params = {"q": q, "unit": unit, "year": str(year or ""), "kind": kind, "doc": doc}
    params |= {"theo": theo, "bo": bo, "chi": chi}
    return {k: v for k, v in params.items() if v}


def read_fields(text: str) -> tuple[str, ...]:
    """``bo``/``chi`` of the address ("tinh,nam") → the fields they name; others ignored."""
    by_word = {w: f for f, w in FIELD_WORDS.items()}
    words = [w.strip() for w in (text or "")[:200].split(",")]
    return tuple(dict.fromkeys(by_word[w] for w in words if w in by_word))


def spell_fields(fields: tuple[str, ...] | list[str]) -> str:
    return ",".join(FIELD_WORDS[f] for f in fields)


def search_url(state: dict[str, str], **changes: Any) -> str:
    params = {**state, **{k: str(v) for k, v in changes.items() if v not in (None, "")}}
    for k, v in changes.items():
        if v in (None, ""):
            params.pop(k, None)
    return "/?" + urlencode(params) if params else "/"


def search_view(
    snap: Any,
    q: str,
    unit: str,
    year: str,
    kind: str = "",
    doc: str = "",
    page: str = "",
    theo: str = "",
    bo: str = "",
    chi: str = "",
) -> Result:
    docs, units, years = filter_choices(snap.reader)
    ignore, only = read_fields(bo), read_fields(chi)
    only = tuple(f for f in only if f not in ignore)
    year_int, message = parse_year(year)
    unit, kind, doc = (unit or "").strip(), (kind or "").strip(), (doc or "").strip()
    by_plan = (theo or "").strip() == BY_PLAN
    page_n = (number_in(page, 1, MAX_PAGES) or 1) if not by_plan else 1  # else: the first
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
        "close": [],
        "plans": [],
        "by_plan": by_plan,
        "page": page_n,
        "message": message,
        "understood": None,
        "answer": None,
    }
    if not clean_query(q[: MAX_QUERY_CHARS + 1]):  # blank, or only invisible characters
        return "search.html", ctx, 200
    ctx["title"] = f"{q.strip()} — Tìm kiếm"
    try:
        query = validate_query(q, MAX_QUERY_CHARS)
        filters = SearchFilters(
            unit=unit or None, year=year_int, kind=kind or None, doc_id=ctx["doc"] or None
        )
        # every candidate the pages can show: the count of relevant ones is then exact
        result = snap.searcher.search(
            query, k=SEARCH_K * MAX_PAGES, filters=filters, ignore=ignore, only=only
        )
    except InvalidQueryError as exc:
        ctx["message"] = {"level": "warn", "text": _refusal(exc)}
        return "search.html", ctx, 422
    state = search_state(
        query,
        unit,
        year_int,
        kind,
        ctx["doc"],
        BY_PLAN if by_plan else "",
        spell_fields(ignore),
        spell_fields(only),
    )
    ctx["understood"] = _understood(result.understood, state, ignore, only)
    ctx["answer"] = _answer(result.answer, {d.doc_id: doc_label(d) for d in docs}, state)
    back = {**state, **({"page": str(page_n)} if page_n > 1 else {})}
    scanned = {d.doc_id for d in docs if d.reading.method == "ocr"}
    labels = {d.doc_id: doc_label(d) for d in docs}
    relevant = result.relevant if result.answered is not False else []
    close = [h for h in result.hits if h.level == "low"][:CLOSE_SHOWN]

    def shown(h: Any) -> dict[str, Any]:
        return {
            "doc_id": h.doc_id,
            "unit": h.unit,
            "year": h.year,
            "section": h.section,
            "kind_label": KIND_LABELS.get(h.kind, ""),
            "level": h.level or "",
            "level_label": LEVEL_LABELS.get(h.level or "", ""),
            "ocr": h.doc_id in scanned,
            "snippet": h.snippet,
            "also": len(h.also),
            "href": paragraph_href(h.doc_id, h.paragraph_id, **back),
            "more_href": search_url(state, doc=h.doc_id, page=None, theo=None)
            if not ctx["doc"]
            else "",
        }

    ctx["n_relevant"] = len(relevant)
    ctx["answered"] = result.answered
    ctx["searched"] = _searched_phrase(unit, year_int, kind, ctx["plan"])
    ctx["by_plan_href"] = search_url(state, theo=BY_PLAN, page=None) if not ctx["doc"] else ""
    ctx["by_paragraph_href"] = search_url(state, theo=None, page=None)
    if by_plan:
        ctx["plans"] = _by_plan(relevant, labels, shown)
    else:
        ctx["results"] = [shown(h) for h in relevant[SEARCH_K * (page_n - 1) : SEARCH_K * page_n]]
    last_page = by_plan or SEARCH_K * page_n >= len(relevant)
    if last_page:  # the closest of the rest, under the line, on the last page only
        ctx["close"] = [shown(h) for h in close]
    ctx["first_rank"] = SEARCH_K * (page_n - 1) + 1
    ctx["prev_href"] = (
        search_url(state, page=page_n - 1 if page_n > 2 else None) if page_n > 1 else ""
    )
    ctx["next_href"] = search_url(state, page=page_n + 1) if not last_page else ""
    kinds = {d.doc_id: d.kind for d in docs}
    counted = _counts(relevant, kinds) if result.answered is not None else result.facets
    ctx["facets"] = _facets(
        counted, state, {"unit": unit, "year": str(year_int or ""), "kind": kind}
    )
    ctx["all_plans_href"] = search_url(state, doc=None)
    api = {"q": query, "unit": unit, "year": str(year_int or ""), "kind": kind}
    api |= {"doc_id": ctx["doc"], "k": str(SEARCH_K * MAX_PAGES)}
    ctx["downloads"] = [
        {"label": label, "href": "/search?" + urlencode({**_present(api), "format": fmt})}
        for label, fmt in (("Excel (.xlsx)", "xlsx"), ("Word (.docx)", "docx"))
    ]
    if not relevant:
        ctx["message"] = {
            "level": "info",
            "title": "Không tìm thấy đoạn nào đủ liên quan" if result.hits else "Không có kết quả",
            "text": (
                f"Không tìm thấy đoạn nào đủ liên quan đến «{query}»"
                if result.hits
                else f"Không tìm thấy đoạn nào phù hợp với «{query}»"
            )
            + f"{ctx['searched']}. Hãy thử từ ngữ khác hoặc bỏ bớt bộ lọc.",
        }
    return "search.html", ctx, 200


ANSWER_LABELS = {
    "who": "Cơ quan thực hiện",
    "when": "Thời hạn",
    "money": "Số tiền",
    "frequency": "Tần suất",
    "target": "Chỉ tiêu",
}


def _answer(answer: Any, labels: dict[str, str], state: dict[str, str]) -> dict[str, Any] | None:
    """A who / when / how-much question's answer: each plan's fact with its source, or the
    sentence that none was found (the page does not guess)."""
    if answer is None:
        return None
    facts = [
        {
            "text": f.text,
            "plan": labels.get(f.doc_id, f.doc_id),
            "source": f.source,
            "href": paragraph_href(f.doc_id, f.paragraph_id, **state),
        }
        for f in answer.facts
    ]
    return {"label": ANSWER_LABELS.get(answer.kind, "Trả lời"), "facts": facts}


def _understood(
    understood: Any, state: dict[str, str], ignore: tuple[str, ...], only: tuple[str, ...]
) -> dict[str, Any] | None:
    """The line "Đang ưu tiên: Đồng Tháp · 2025" with, for each constraint, a link that
    drops it (reads its words as words) and one that makes it a filter, or undoes that."""
    if understood is None or not (understood.constraints or ignore or only):
        return None
    chips = []
    for c in understood.constraints:
        without = tuple(f for f in only if f != c.field)
        chip = {"value": c.value, "field": FIELD_LABELS[c.field], "applied": c.applied}
        chip["drop_href"] = search_url(
            state,
            bo=spell_fields([*ignore, c.field]),
            chi=spell_fields(without),
            page=None,
        )
        if c.applied == "filter":
            chip["unfilter_href"] = search_url(state, chi=spell_fields(without), page=None)
        elif c.applied == "preferred":
            chip["filter_href"] = search_url(state, chi=spell_fields([*only, c.field]), page=None)
        chips.append(chip)
    return {
        "line": understood.line,
        "chips": chips,
        "topic": understood.topic if understood.topic != understood.query else "",
        "restore_href": search_url(state, bo=None, chi=None, page=None) if ignore else "",
    }


def _by_plan(hits: list[Any], labels: dict[str, str], shown: Any) -> list[dict[str, Any]]:
    """The hits grouped by plan, plans in the order of their best hit: each with its count
    among the results and its best ``PER_PLAN`` paragraphs."""
    plans: dict[str, list[Any]] = {}
    for h in hits:
        plans.setdefault(h.doc_id, []).append(h)
    out = []
    for doc_id, group in plans.items():
        best = [shown(h) for h in group[:PER_PLAN]]
        out.append(
            {
                "doc_id": doc_id,
                "label": labels.get(doc_id, doc_id),
                "count": len(group),
                "hits": best,
                "more_href": best[0]["more_href"],
            }
        )
    return out


def _counts(hits: list[Any], kinds: dict[str, str | None]) -> dict[str, dict[str, int]]:
    """Relevant paragraphs per unit, year and document kind, most frequent first (what the
    page shows beside them; the API's facets count every candidate)."""
    out: dict[str, dict[str, int]] = {}
    for field, value_of in (
        ("unit", lambda h: h.unit),
        ("year", lambda h: h.year),
        ("kind", lambda h: kinds.get(h.doc_id)),
    ):
        counts = Counter(str(v) for h in hits if (v := value_of(h)) not in (None, ""))
        out[field] = dict(counts.most_common())
    return out


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
