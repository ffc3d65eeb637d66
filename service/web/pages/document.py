"""The document page: a plan's metadata, its paragraphs (anchored) and its appendix table."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from service.web.pages.common import PageError, Result

_TOP_HEADING = re.compile(r"^(?:[IVXLC]{1,6}\.|PHỤ LỤC)", re.IGNORECASE)


def document_view(snap: Any, doc_id: str, search: dict[str, str] | None = None) -> Result:
    """``search``: the parameters of the search the plan was opened from (its way back)."""
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
    tasks = [t for t in reader.tasks(doc_id) if t.kind == "task"]  # a procedure list's rows
    # are the table's passages, shown in the text already
    task_paras = [p for p in paragraphs if p.kind == "task"]
    in_table = bool(tasks) and len(task_paras) == len(tasks)
    rows = []
    for i, t in enumerate(tasks):
        anchor = f"p-{task_paras[i].ordinal}" if in_table else f"tt-{t.number}"
        rows.append({**asdict(t), "anchor": anchor})
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
        "back_href": _back(search or {}),
    }
    return "document.html", ctx, 200


def _back(search: dict[str, str]) -> str:
    """The search page with the parameters it had (only the known ones, non-empty)."""
    known = ("q", "unit", "year", "kind", "doc", "page", "theo", "bo", "chi")
    params = {k: search[k].strip() for k in known if (search.get(k) or "").strip()}
    return "/?" + urlencode(params) if params else "/"
