"""The coverage page: a reference's requirements × every selected plan, one colour per status,
each cell opening the matched paragraph in its plan; downloads as CSV and Excel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from service.coverage import coverage_matrix
from service.coverage.export import plan_label
from service.web.pages.common import (
    Result,
    doc_label,
    filter_choices,
    paragraph_href,
    parse_year,
    warn,
)

if TYPE_CHECKING:
    from service.live.holder import Snapshot

STATUS = {
    "covered": ("Có", "Kế hoạch có nhiệm vụ này"),
    "partial": ("Một phần", "Kế hoạch có một phần nhiệm vụ này"),
    "missing": ("Không có", "Không thấy nhiệm vụ này trong kế hoạch"),
}


def coverage_view(snap: Snapshot, reference: str, year: str, province: str, kind: str) -> Result:
    reader = snap.reader
    docs, _, years = filter_choices(reader)
    provinces = sorted({d.province for d in docs if d.province})
    kinds = sorted({d.kind for d in docs if d.kind})
    ctx: dict[str, Any] = {
        "title": "Bao phủ nhiệm vụ",
        "plans": [{"doc_id": d.doc_id, "label": doc_label(d)} for d in docs],
        "years": years,
        "provinces": provinces,
        "kinds": kinds,
        "reference": reference,
        "year": year,
        "province": province,
        "kind": kind,
        "matrix": None,
        "n_documents": len(docs),
    }
    if not reference:
        return "coverage.html", ctx, 200
    year_value, problem = parse_year(year)
    if problem:
        ctx["message"] = problem
        return "coverage.html", ctx, 422
    if reader.document(reference) is None:
        ctx["message"] = warn(f"Không có văn bản «{reference}» trong chỉ mục. Hãy chọn lại.")
        return "coverage.html", ctx, 404
    filters = {"year": year_value, "province": province or None, "kind": kind or None}
    key = ("coverage", reference, tuple(sorted(filters.items())))
    m = snap.answers.get_or_compute(
        key, lambda: coverage_matrix(reader, reference=reference, filters=filters)
    )
    if not m.plans:
        ctx["message"] = warn("Không có kế hoạch nào khớp với bộ lọc đã chọn. Hãy bỏ bớt bộ lọc.")
        return "coverage.html", ctx, 200
    query = {"reference": reference, **{k: v for k, v in filters.items() if v}}
    ctx["title"] = f"Bao phủ: {m.reference['title'] if m.reference else reference}"[:120]
    ctx["matrix"] = {
        "reference": m.reference,
        "plans": [
            {"doc_id": p.doc_id, "label": plan_label(p), "share": round(100 * p.share)}
            for p in m.plans
        ],
        "rows": [
            {
                "n": i + 1,
                "text": req.text,
                "href": paragraph_href(reference, req.id),
                "covered_by": m.covering(i),
                "cells": [
                    {
                        "status": c.status,
                        "label": STATUS[c.status][0],
                        "title": f"{STATUS[c.status][1]} — {p.unit or p.doc_id}"
                        + (f": {c.text[:200]}" if c.text else ""),
                        "href": paragraph_href(p.doc_id, c.paragraph_id)
                        if c.paragraph_id
                        else None,
                    }
                    for p, c in zip(m.plans, m.cells[i], strict=True)
                ],
            }
            for i, req in enumerate(m.requirements)
        ],
        "csv": "/coverage?" + urlencode({**query, "format": "csv"}),
        "xlsx": "/coverage?" + urlencode({**query, "format": "xlsx"}),
    }
    return "coverage.html", ctx, 200
