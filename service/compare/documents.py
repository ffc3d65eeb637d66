"""Compare two indexed plans by id, with their stored vectors (no re-embedding)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from indexer.errors import DocumentNotFoundError
from service.compare.engine import compare
from service.compare.model import Comparison

if TYPE_CHECKING:
    from indexer.store import DocumentRow, Reader
    from service.live.answers import AnswerCache


def check_documents(reader: Reader, *doc_ids: str) -> list[DocumentRow]:
    """The DocumentRows of `doc_ids`; DocumentNotFoundError naming the valid ids otherwise."""
    rows = []
    for doc_id in doc_ids:
        row = reader.document(doc_id)
        if row is None:
            raise DocumentNotFoundError.naming_valid(doc_id, [d.doc_id for d in reader.documents()])
        rows.append(row)
    return rows


def compare_documents(
    reader: Reader, a: str, b: str, answers: AnswerCache | None = None
) -> Comparison:
    """Compare plan `a` with plan `b` of an open `indexer.store.IndexReader`; with the
    generation's ``answers`` (``Snapshot.answers``), computed once until the next build."""
    if answers is not None:
        return answers.get_or_compute(("compare", a, b), lambda: compare_documents(reader, a, b))
    check_documents(reader, a, b)
    pa, pb = reader.paragraphs(a), reader.paragraphs(b)
    va = reader.vectors([p.rowid for p in pa])
    vb = va if b == a else reader.vectors([p.rowid for p in pb])
    return compare(pa, pb, va, vb)


def plan_meta(doc: DocumentRow) -> dict[str, Any]:
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


def comparison_payload(
    doc_a: DocumentRow, doc_b: DocumentRow, result: Comparison
) -> dict[str, Any]:
    """{"a", "b", "summary", "thresholds", "pairs"}: what the API and `--json` return."""
    return {"a": plan_meta(doc_a), "b": plan_meta(doc_b), **result.to_dict()}
