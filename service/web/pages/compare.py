"""The compare page: two plans side by side (the compare core), summary on top."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from service.compare import compare_documents
from service.compare.report_html import STATUS_LABELS, diff_html
from service.web.pages.common import Result, doc_label, filter_choices, paragraph_href, warn

if TYPE_CHECKING:
    from indexer.store import DocumentRow
    from service.compare.model import Comparison
    from service.live.holder import Snapshot


def compare_view(snap: Snapshot, a: str, b: str, khac: str = "", gon: str = "") -> Result:
    """``khac``: differences only (same pairs hidden, counted per section); ``gon``: sections
    where nothing differs folded away. Both are switches in the address ("1" = on)."""
    reader = snap.reader
    docs, _, _ = filter_choices(reader)
    ctx: dict[str, Any] = {
        "title": "So sánh hai kế hoạch",
        "plans": [{"doc_id": d.doc_id, "label": doc_label(d)} for d in docs],
        "a": a,
        "b": b,
        "result": None,
        "n_documents": len(docs),
        "diff_only": khac == "1",
        "collapse": gon == "1",
    }
    if not a and not b:
        return "compare.html", ctx, 200
    if not a or not b:
        ctx["message"] = warn("Hãy chọn đủ hai kế hoạch: kế hoạch A và kế hoạch B.")
        return "compare.html", ctx, 200
    doc_a, doc_b = reader.document(a), reader.document(b)
    missing = [x for x, d in ((a, doc_a), (b, doc_b)) if d is None]
    if doc_a is None or doc_b is None:
        names = " và ".join(f"«{m}»" for m in missing)
        ctx["message"] = warn(
            f"Không có kế hoạch {names} trong chỉ mục. Hãy chọn lại từ danh sách."
        )
        return "compare.html", ctx, 404
    ctx["title"] = f"So sánh: {doc_label(doc_a)} / {doc_label(doc_b)}"
    comparison = run_comparison(snap, doc_a, doc_b)
    ctx["result"] = comparison_context(comparison, doc_a, doc_b)
    if a == b:  # answered like /compare: every paragraph is the same
        ctx["message"] = {
            "level": "info",
            "title": "",
            "text": "Kế hoạch A và kế hoạch B là cùng một kế hoạch, nên mọi đoạn đều giống "
            "nhau. Hãy chọn một kế hoạch khác để thấy khác biệt.",
        }
    return "compare.html", ctx, 200


def run_comparison(snap: Snapshot, doc_a: DocumentRow, doc_b: DocumentRow) -> Comparison:
    """The compare core's result for two plans (the same call the JSON API makes), kept for
    the generation's life like the API's."""
    return compare_documents(snap.reader, doc_a.doc_id, doc_b.doc_id, snap.answers)


def _side(text: str, html: Markup, section: list[str] | None, doc_id: str, pid: str | None):
    return {
        "html": html,
        "where": " › ".join(section or []),
        "href": paragraph_href(doc_id, pid),
        "text": text,
    }


def comparison_context(cmp: Comparison, doc_a: DocumentRow, doc_b: DocumentRow) -> dict[str, Any]:
    """The compare core's Comparison as what compare.html shows."""
    pairs: list[dict[str, Any]] = []
    first_in_section: dict[tuple[str, str], str] = {}
    for i, p in enumerate(cmp.pairs):
        anchor = f"cap-{i}"
        for side, sec in (("a", p.a_section), ("b", p.b_section)):
            if sec:
                first_in_section.setdefault((side, sec[0]), anchor)
        a_side = b_side = None
        if p.a_text is not None:
            html = diff_html(p.diff, "a") if p.diff else Markup(escape(p.a_text))
            a_side = _side(p.a_text, html, p.a_section, doc_a.doc_id, p.a_id)
        if p.b_text is not None:
            html = diff_html(p.diff, "b") if p.diff else Markup(escape(p.b_text))
            b_side = _side(p.b_text, html, p.b_section, doc_b.doc_id, p.b_id)
        pairs.append(
            {
                "status": p.status,
                "status_label": STATUS_LABELS.get(p.status, p.status),
                "section": " › ".join((p.a_section or p.b_section or [])[:1]),
                "anchor": anchor,
                "a": a_side,
                "b": b_side,
            }
        )
    summary = cmp.summary
    groups: list[dict[str, Any]] = []
    for shown in pairs:  # consecutive pairs of one top-level section
        if not groups or groups[-1]["section"] != shown["section"]:
            groups.append({"section": shown["section"], "pairs": [], "same": 0, "differs": 0})
        groups[-1]["pairs"].append(shown)
        groups[-1]["same" if shown["status"] == "same" else "differs"] += 1
    sections = [
        {
            "side": s.side.upper(),
            "section": s.section,
            "same": s.same,
            "changed": s.changed,
            "only": s.only,
            "counterpart": s.counterpart or "",
            "anchor": first_in_section.get((s.side, s.section)),
        }
        for s in summary.sections
    ]
    counts = {k: int(summary.counts.get(k, 0)) for k in STATUS_LABELS}
    return {
        "doc_a": {"doc_id": doc_a.doc_id, "label": doc_label(doc_a), "short": doc_label(doc_a)},
        "doc_b": {"doc_id": doc_b.doc_id, "label": doc_label(doc_b), "short": doc_label(doc_b)},
        "totals": counts,
        "shared_a": round(100 * summary.shared_a),
        "shared_b": round(100 * summary.shared_b),
        "sections": sections,
        "topics_a": [t.phrase for t in summary.topics_only_a],
        "topics_b": [t.phrase for t in summary.topics_only_b],
        "pairs": pairs,
        "groups": groups,
    }
