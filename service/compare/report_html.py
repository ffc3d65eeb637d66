"""A self-contained HTML report of a comparison (inline CSS, no external resources), in
Vietnamese, for readers who are not technical: summary and sections on top, then the two
plans side by side with insertions and deletions marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from service.compare.model import Comparison, DiffOp

STATUS_LABELS = {
    "same": "Giống nhau",
    "changed": "Có thay đổi",
    "only_a": "Chỉ có ở A",
    "only_b": "Chỉ có ở B",
}
_TEMPLATES = Path(__file__).parent / "templates"


def diff_html(ops: list[DiffOp], side: str) -> Markup:
    """Side a: kept words and <del>removed</del>; side b: kept words and <ins>added</ins>."""
    out: list[str] = []
    for op in ops:
        words = op.a if side == "a" else op.b
        if not words:
            continue
        if op.op == "equal":
            out.append(str(escape(words)))
        elif side == "a":
            out.append(f"<del>{escape(words)}</del>")
        else:
            out.append(f"<ins>{escape(words)}</ins>")
    return Markup(" ".join(out))


def plan_label(meta: dict[str, Any]) -> str:
    """ "Ban Quản lý … (Khánh Hòa, 2025)" or the id when the plan says nothing of itself."""
    unit = meta.get("unit") or meta.get("id") or meta.get("doc_id") or "?"
    extra = ", ".join(str(x) for x in (meta.get("province"), meta.get("year")) if x)
    return f"{unit} ({extra})" if extra else str(unit)


def render_report(result: Comparison, a_meta: dict[str, Any], b_meta: dict[str, Any]) -> str:
    """The report as one HTML page."""
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    rows = []
    for p in result.pairs:
        a_html = b_html = None
        if p.a_text is not None:
            a_html = diff_html(p.diff, "a") if p.diff else escape(p.a_text)
        if p.b_text is not None:
            b_html = diff_html(p.diff, "b") if p.diff else escape(p.b_text)
        rows.append(
            {
                "status": p.status,
                "label": STATUS_LABELS[p.status],
                "section": " › ".join(p.a_section or p.b_section or []),
                "heading": p.kind == "heading",
                "a": a_html,
                "b": b_html,
                "similarity": p.similarity,
            }
        )
    return env.get_template("report.html.j2").render(
        a=plan_label(a_meta),
        b=plan_label(b_meta),
        s=result.summary,
        labels=STATUS_LABELS,
        rows=rows,
        thresholds=result.thresholds,
    )
