"""The mentions page: every mention of a referenced document, grouped by plan, and the
table of all referenced documents (the references core, ``service.mentions``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from indexer.errors import InvalidQueryError, ReferenceNotFoundError
from service.mentions import citation_table, find_mentions
from service.web.pages.common import (
    Result,
    doc_label,
    filter_choices,
    filters_phrase,
    paragraph_href,
    parse_year,
    vn_date,
    warn,
)

if TYPE_CHECKING:
    from indexer.store import Reader
    from service.live.holder import Snapshot

SORTS = {
    "count": ("Số lần nhắc", False),
    "label": ("Văn bản", True),
    "kind": ("Loại", True),
    "issuer": ("Cơ quan ban hành", True),
    "docs": ("Số kế hoạch", False),
}


def cited_label(c: Any) -> str:
    """``Nghị quyết 09-NQ/TW ngày 28/01/2022 của Bộ Chính trị`` (a law: its name)."""
    if not c.number:
        return c.title or c.key.split(":", 1)[-1]
    text = f"{c.kind or 'Văn bản'} {c.number}"
    if c.date:
        text += f" ngày {vn_date(c.date)}"
    if c.issuer:
        text += f" của {c.issuer}"
    return text


def mentions_href(ref: str, unit: str = "", year: int | None = None) -> str:
    query = {"ref": ref, "unit": unit, "year": str(year) if year else ""}
    return "/trich-dan?" + urlencode({k: v for k, v in query.items() if v})


def _cited_ref(c: Any) -> str:
    return c.number or c.key


def highlight_spans(text: str, spans: list[tuple[int, int]]) -> Markup:
    """``text`` escaped with <mark> around each (start, end) span (overlaps merged)."""
    out, pos = [], 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start:
            continue
        out.append(str(escape(text[pos:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def mention_groups(mentions: list[Any], docs: dict[str, Any]) -> list[dict[str, Any]]:
    """Mentions grouped by plan, one entry per paragraph (all its mentions marked)."""
    groups: dict[str, dict[str, Any]] = {}
    for m in mentions:
        group = groups.setdefault(
            m.doc_id,
            {
                "doc_id": m.doc_id,
                "label": doc_label(docs.get(m.doc_id) or m),
                "mentions": [],
                "count": 0,
                "_by_pid": {},
            },
        )
        entry = group["_by_pid"].get(m.paragraph_id)
        if entry is None:
            entry = {
                "text": m.text,
                "spans": [],
                "section": " › ".join(m.section or []),
                "href": paragraph_href(m.doc_id, m.paragraph_id),
            }
            group["_by_pid"][m.paragraph_id] = entry
            group["mentions"].append(entry)
        entry["spans"].append(tuple(m.span))
        group["count"] += 1
    for group in groups.values():
        del group["_by_pid"]
        for entry in group["mentions"]:
            entry["html"] = highlight_spans(entry.pop("text"), entry.pop("spans"))
    return list(groups.values())


def citation_rows(table: list[Any], unit: str, year: int | None, sort: str) -> list[dict]:
    rows = [
        {
            "label": cited_label(c),
            "kind": c.kind,
            "issuer": c.issuer,
            "count": c.total,
            "n_docs": len(c.per_plan),
            "href": mentions_href(_cited_ref(c), unit, year),
        }
        for c in table
    ]
    if sort == "label" or sort == "kind" or sort == "issuer":
        field = sort
        rows.sort(key=lambda r: ((r[field] or "").casefold(), -r["count"]))
    elif sort == "docs":
        rows.sort(key=lambda r: (-r["n_docs"], -r["count"], r["label"].casefold()))
    else:
        rows.sort(key=lambda r: (-r["count"], r["label"].casefold()))
    return rows


def sort_columns(unit: str, year: int | None, sort: str) -> list[dict[str, Any]]:
    cols = []
    for key in ("label", "kind", "issuer", "count", "docs"):
        label, asc = SORTS[key]
        params = {"unit": unit, "year": str(year) if year else "", "sort": key}
        href = "/trich-dan?" + urlencode({k: v for k, v in params.items() if v})
        cols.append(
            {
                "key": key,
                "label": label,
                "asc": asc,
                "num": key in ("count", "docs"),
                "href": href + "#bang-trich-dan",
            }
        )
    return cols


def mentions_view(snap: Snapshot, ref: str, unit: str, year: str, sort: str) -> Result:
    reader = snap.reader
    docs, units, years = filter_choices(reader)
    year_int, message = parse_year(year)
    unit = (unit or "").strip()
    sort = sort if sort in SORTS else "count"
    ref = " ".join((ref or "").split())
    ctx: dict[str, Any] = {
        "title": "Văn bản được trích dẫn",
        "ref": ref,
        "ref_label": ref,
        "unit": unit,
        "year": year_int,
        "units": units,
        "years": years,
        "message": message,
        "candidates": [],
        "groups": [],
        "n_mentions": 0,
        "table": None,
        "sort": sort,
        "columns": sort_columns(unit, year_int, sort),
        "n_documents": len(docs),
    }
    status = 200
    if ref:
        ctx["title"] = f"{ref} — Trích dẫn"
        status = _fill_mentions(ctx, reader, ref, unit, year_int, {d.doc_id: d for d in docs})
    if not ctx["groups"] and not ctx["candidates"]:
        table = citation_table(reader, unit=unit or None, year=year_int)
        ctx["table"] = citation_rows(table, unit, year_int, sort)
        given = {k: v for k, v in (("unit", unit), ("year", str(year_int or ""))) if v}
        ctx["downloads"] = [
            {"label": label, "href": "/coverage/citations?" + urlencode({**given, "format": fmt})}
            for label, fmt in (("Excel (.xlsx)", "xlsx"), ("Word (.docx)", "docx"), ("CSV", "csv"))
        ]
    return "mentions.html", ctx, status


def _fill_mentions(ctx: dict, reader: Reader, ref: str, unit: str, year: int | None, docs) -> int:
    """Put the mentions of ``ref`` (or a readable reason there are none) into ``ctx``."""
    try:
        result = find_mentions(reader, ref, unit=unit or None, year=year)
    except InvalidQueryError:
        ctx["message"] = warn(
            f"«{ref}» không phải là số hiệu hay tên một văn bản. Hãy gõ số hiệu (ví dụ 09-NQ/TW, "
            "118/2025/NĐ-CP), loại và số (Nghị quyết 09) hoặc tên luật. Bảng dưới đây liệt kê "
            "mọi văn bản các kế hoạch có trích dẫn.",
            "Chưa hiểu văn bản cần tìm",
        )
        return 422
    except ReferenceNotFoundError:
        ctx["message"] = warn(
            f"Không kế hoạch nào trong chỉ mục trích dẫn «{ref}». Hãy kiểm tra lại số hiệu, "
            "hoặc chọn một văn bản trong bảng dưới đây.",
            "Không tìm thấy văn bản",
        )
        return 404
    if len(result.candidates) > 1:
        ctx["candidates"] = [
            {
                "label": cited_label(c),
                "count": c.total,
                "href": mentions_href(_cited_ref(c), unit, year),
            }
            for c in result.candidates
        ]
    elif result.candidates:
        ctx["ref_label"] = cited_label(result.candidates[0])
    ctx["groups"] = mention_groups(result.mentions, docs)
    ctx["n_mentions"] = result.total
    if not result.mentions:
        ctx["message"] = {
            "level": "info",
            "title": "Không có trích dẫn phù hợp bộ lọc",
            "text": f"«{ref}» không được nhắc tới trong các kế hoạch{filters_phrase(unit, year)}. "
            "Hãy bỏ bớt bộ lọc đơn vị hoặc năm.",
        }
    return 200
