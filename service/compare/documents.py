"""Compare two indexed plans by id, with their stored vectors (no re-embedding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from indexer.errors import DocumentNotFoundError
from service.compare.engine import compare
from service.compare.model import Comparison


def check_documents(reader: Any, *doc_ids: str) -> list[Any]:
    """The DocumentRows of `doc_ids`; DocumentNotFoundError naming the valid ids otherwise."""
    rows = [reader.document(d) for d in doc_ids]
    for doc_id, row in zip(doc_ids, rows, strict=True):
        if row is None:
            raise DocumentNotFoundError.naming_valid(doc_id, [d.doc_id for d in reader.documents()])
    return rows


def compare_documents(reader: Any, a: str, b: str) -> Comparison:
    """Compare plan `a` with plan `b` of an open `indexer.store.IndexReader`."""
    check_documents(reader, a, b)
    pa, pb = reader.paragraphs(a), reader.paragraphs(b)
    va = reader.vectors([p.rowid for p in pa])
    vb = va if b == a else reader.vectors([p.rowid for p in pb])
    return compare(pa, pb, va, vb)


def plan_meta(doc: Any) -> dict[str, Any]:
    """The metadata of a plan that a comparison shows (from a store DocumentRow)."""
    return {
        "id": doc.doc_id,
        "unit": doc.unit,
        "province": doc.province,
        "year": doc.year,
        "title": doc.title,
        "number": doc.number,
        "date": doc.date,
        "n_paragraphs": doc.n_paragraphs or 0,
    }


def comparison_payload(doc_a: Any, doc_b: Any, result: Comparison) -> dict[str, Any]:
    """{"a", "b", "summary", "thresholds", "pairs"}: what the API and `--json` return."""
    return {"a": plan_meta(doc_a), "b": plan_meta(doc_b), **result.to_dict()}


def compare_in_index(index_dir: Path, a: str, b: str) -> tuple[dict[str, Any], Comparison]:
    """Open the live generation of `index_dir`, compare `a` with `b`, close it again."""
    from indexer.store import IndexReader

    reader = IndexReader.open(index_dir)
    try:
        doc_a, doc_b = check_documents(reader, a, b)
        result = compare_documents(reader, a, b)
        return comparison_payload(doc_a, doc_b, result), result
    finally:
        reader.close()
