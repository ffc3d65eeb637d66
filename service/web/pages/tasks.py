"""The task page (``/nhiem-vu``): every task row of the selected plans as one table — unit,
task, products, deadline, lead, partners, budget — sorted by a column (links that keep the
state in the address), grouped by plan or by lead, each row linked to its paragraph, with
the same table as Excel, Word and CSV (``GET /tasks``). The core is ``service.tasks``."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from indexer.errors import DocumentNotFoundError, InvalidQueryError, ReferenceNotFoundError
from service.tasks import TaskQuery, find_tasks, group_lines
from service.tasks.model import SORT_VALUES, TaskLine, iso_date
from service.web.pages.common import Result, filter_choices, paragraph_href, parse_year, vn_date

if TYPE_CHECKING:
    from service.live.holder import Snapshot

PAGE_LIMIT = 500  # rows one page shows (and its downloads hold)
GROUPS = {"ke-hoach": "plan", "chu-tri": "lead", "khong": None}  # ``theo``
GROUP_LABELS = {"ke-hoach": "kế hoạch", "chu-tri": "đơn vị chủ trì", "khong": "không nhóm"}
# the columns: (sort key or None, header)
COLUMNS = [
    ("unit", "Đơn vị"),
    (None, "Nhiệm vụ"),
    (None, "Sản phẩm"),
    ("due", "Thời hạn"),
    ("lead", "Chủ trì"),
    (None, "Phối hợp"),
    (None, "Kinh phí"),
]
SORT_LABELS = {
    "plan": "thứ tự trong kế hoạch",
    "unit": "đơn vị",
    "year": "năm",
    "due": "thời hạn",
    "lead": "chủ trì",
}
FIELDS = ("unit", "province", "year", "lead", "due_from", "due_to", "doc", "text", "doc_id")
# ``kind``: the page shows plans' task tables unless asked for procedure lists or both
KIND_CHOICES = {"task": "Nhiệm vụ của kế hoạch", "procedure": "Thủ tục hành chính", "all": "Cả hai"}
NO_LEAD = "Chưa ghi đơn vị chủ trì"


def tasks_view(snap: Snapshot, params: dict[str, str]) -> Result:
    reader = snap.reader
    docs, units, years = filter_choices(reader)
    given = {name: " ".join((params.get(name) or "").split()) for name in FIELDS}
    sort = params.get("sort") or "plan"
    sort = sort if sort in SORT_VALUES else "plan"
    theo = params.get("theo") or "ke-hoach"
    theo = theo if theo in GROUPS else "ke-hoach"
    kind = params.get("kind") or "task"
    kind = kind if kind in KIND_CHOICES else "task"
    ctx: dict[str, Any] = {
        "title": "Nhiệm vụ của các kế hoạch",
        "units": units,
        "years": years,
        "provinces": sorted({d.province for d in docs if d.province}),
        "form": given,
        "sort": sort,
        "theo": theo,
        "kind": kind,
        "kinds": KIND_CHOICES,
        "table": None,
        "n_documents": len(docs),
    }
    year, problem = parse_year(given["year"])
    if problem is None:
        problem = _date_problem(given)
    if problem is not None:
        ctx["message"] = problem
        return "tasks.html", ctx, 422
    query = TaskQuery(
        unit=given["unit"] or None, province=given["province"] or None, year=year,
        lead=given["lead"] or None, due_from=given["due_from"] or None,
        due_to=given["due_to"] or None, doc=given["doc"] or None, text=given["text"] or None,
        doc_id=given["doc_id"] or None, kind=None if kind == "all" else kind, sort=sort,
        limit=PAGE_LIMIT,
    )  # fmt: skip
    try:
        table = find_tasks(reader, query)
    except (DocumentNotFoundError, ReferenceNotFoundError) as exc:
        ctx["message"] = _refused(exc)
        return "tasks.html", ctx, 404
    except InvalidQueryError as exc:
        ctx["message"] = _refused(exc)
        return "tasks.html", ctx, 422
    keep = {**table.query.params(), "kind": kind, "theo": theo}
    ctx["table"] = {
        "total": table.total,
        "shown": len(table.tasks),
        "groups": _groups(table.tasks, theo, {d.doc_id: d for d in docs}),
        "columns": _columns(keep, sort),
        "sorts": [_sort_link(keep, key, label, sort) for key, label in SORT_LABELS.items()],
        "views": [
            {"label": label, "href": _href({**keep, "theo": key}), "current": key == theo}
            for key, label in GROUP_LABELS.items()
        ],
        "downloads": [
            {
                "label": label,
                "href": "/tasks?"
                + urlencode({**table.query.params(), "limit": PAGE_LIMIT, "format": fmt}),
            }
            for label, fmt in (("Excel (.xlsx)", "xlsx"), ("Word (.docx)", "docx"), ("CSV", "csv"))
        ],
    }
    return "tasks.html", ctx, 200


def _date_problem(given: dict[str, str]) -> dict[str, str] | None:
    for name, label in (("due_from", "Từ ngày"), ("due_to", "Đến ngày")):
        try:
            iso_date(given[name], name)
        except InvalidQueryError:
            shown = given[name][:40]
            return {
                "level": "warn",
                "text": f"{label} «{shown}» không phải một ngày. Hãy chọn ngày trong ô lịch "
                "(dạng năm-tháng-ngày, ví dụ 2026-02-15).",
            }
    return None


def _refused(exc: Exception) -> dict[str, str]:
    if isinstance(exc, DocumentNotFoundError):
        text = "Không có kế hoạch này trong chỉ mục. Hãy bỏ bộ lọc kế hoạch."
    elif isinstance(exc, ReferenceNotFoundError):
        text = "Không kế hoạch nào trích dẫn văn bản này. Hãy kiểm tra lại số hiệu."
    else:
        text = "Giá trị lọc không hợp lệ nên chưa lọc được. Hãy kiểm tra lại."
    return {"level": "warn", "text": text, "hint": f"Chi tiết: {exc}"}


def _href(params: dict[str, Any]) -> str:
    return "/nhiem-vu?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _sort_link(keep: dict[str, Any], key: str, label: str, sort: str) -> dict[str, Any]:
    """A column's sort link: ascending, or reversed when the table is sorted by it already."""
    current = sort.removeprefix("-") == key
    target = f"-{key}" if sort == key else key
    return {
        "key": key,
        "label": label,
        "current": current,
        "ascending": current and not sort.startswith("-"),
        "href": _href({**keep, "sort": None if target == "plan" else target}),
    }


def _columns(keep: dict[str, Any], sort: str) -> list[dict[str, Any]]:
    out = []
    for key, label in COLUMNS:
        link = _sort_link(keep, key, label, sort) if key else None
        out.append({"label": label, "link": link})
    return out


def _groups(lines: list[TaskLine], theo: str, docs: dict[str, Any]) -> list[dict[str, Any]]:
    by = GROUPS[theo]
    groups = group_lines(lines, by) if by else None
    if groups is None:
        return [{"label": None, "href": None, "rows": [_row(t) for t in lines]}]
    out = []
    for g in groups:
        first = g.tasks[0]
        if by == "plan":
            title = first.title or ""
            label = f"{first.unit or first.doc_id} — {first.year}" if first.year else first.doc_id
            label += f": {title}" if title else ""
            href: str | None = f"/doc/{first.doc_id}"
        else:  # the lead as most of its rows write it
            spelled = Counter(t.lead for t in g.tasks).most_common(1)[0][0]
            label, href = spelled or NO_LEAD, None
        out.append({"label": label, "href": href, "rows": [_row(t) for t in g.tasks]})
    return out


def _row(t: TaskLine) -> dict[str, Any]:
    period = ""
    if t.due_start or t.due_end:
        start, end = vn_date(t.due_start), vn_date(t.due_end)
        period = f"{start} – {end}" if start and end and start != end else end or start
    return {
        "doc_id": t.doc_id,
        "number": t.number,
        "unit": t.unit or t.doc_id,
        "year": t.year,
        "task": t.task,
        "products": t.products,
        "deadline": " ".join(t.timeline.split()),
        "period": period,
        "recurring": t.recurring or "",
        "lead": t.lead or t.responsible,
        "partners": t.partners,
        "budget": t.budget,
        "kind": t.kind,
        "href": paragraph_href(t.doc_id, t.paragraph_id),
    }
