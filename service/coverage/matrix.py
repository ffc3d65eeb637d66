"""Requirements × plans: the best paragraph of each plan for each requirement.

Each cell is scored with compare's pair score (``service.compare.align.score_matrices``: the
embedding cosine, the IDF-weighted words, their order, the opening words, with compare's
weights) on the vectors the catalog stores (a checklist's lines are the only text embedded),
in the form this job needs: the word signals as containment (how much of the requirement a
paragraph holds, whatever else it says) and the cosine rescaled per requirement (a status
does not depend on the other requirements asked). The best paragraph's score gives the
status: ``covered`` from ``COVERED``, ``partial`` from ``PARTIAL``, ``missing`` below; both
were chosen on labelled cells (``make eval``, README "How coverage works, and how well").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from indexer.errors import DocumentNotFoundError, InvalidQueryError
from service.compare.align import score_matrices
from service.compare.documents import plan_meta
from service.coverage.model import Cell, CoverageMatrix, PlanColumn, Requirement, Status
from service.coverage.requirements import checklist_requirements, reference_requirements
from service.request.cancel import checkpoint

if TYPE_CHECKING:
    from indexer.embeddings import Embedder
    from indexer.store import DocumentRow, ParagraphRow, Reader

COVERED = 0.36
PARTIAL = 0.28
MAX_PLANS = 500
FILTERS = ("unit", "year", "province", "kind", "year_from", "year_to")


def status_of(score: float, covered: float = COVERED, partial: float = PARTIAL) -> Status:
    if score >= covered:
        return "covered"
    return "partial" if score >= partial else "missing"


def column(doc: DocumentRow) -> PlanColumn:
    return PlanColumn(doc.doc_id, doc.unit, doc.year, doc.province, doc.kind, doc.title, doc.number)


class TooManyPlansError(InvalidQueryError):
    """More plans match than one matrix holds (422 ``too_many_plans``)."""


def select_plans(reader: Reader, exclude: str | None = None, **filters: Any) -> list[DocumentRow]:
    """The plans the filters select (unit, year, province, kind, year_from, year_to), without
    the reference itself (none is an answer: an empty matrix); InvalidQueryError when more
    than ``MAX_PLANS``."""
    given = {k: v for k, v in filters.items() if k in FILTERS and v not in (None, "")}
    docs = [d for d in reader.documents(**given) if d.doc_id != exclude]
    if len(docs) > MAX_PLANS:
        raise TooManyPlansError(
            f"{len(docs)} plans match; at most {MAX_PLANS} in one matrix — narrow it by year, "
            "province, kind or unit"
        )
    return docs


def best_cells(
    requirements: Sequence[Requirement],
    req_vectors: np.ndarray,
    paragraphs: Sequence[ParagraphRow],
    vectors: np.ndarray,
    covered: float = COVERED,
    partial: float = PARTIAL,
) -> list[Cell]:
    """For each requirement, its best paragraph among ``paragraphs`` and the status."""
    body = [i for i, p in enumerate(paragraphs) if p.kind != "heading"]
    if not body or not requirements:
        return [Cell("missing", 0.0) for _ in requirements]
    cand = [paragraphs[i] for i in body]
    score, _cos, _lex = score_matrices(
        requirements, cand, req_vectors, vectors[body], per_row=True, contained=True
    )
    best = score.argmax(axis=1)
    cells = []
    for i, j in enumerate(best.tolist()):
        s = max(0.0, float(score[i, j]))
        p = cand[j]
        st = status_of(s, covered, partial)
        if st == "missing":
            cells.append(Cell(st, round(s, 4)))
        else:
            cells.append(Cell(st, round(s, 4), p.id, p.text, list(p.section or [])))
    return cells


def coverage_matrix(
    reader: Reader,
    embedder: Embedder | None = None,
    reference: str | None = None,
    checklist: str | None = None,
    filters: Mapping[str, Any] | None = None,
    covered: float = COVERED,
    partial: float = PARTIAL,
) -> CoverageMatrix:
    """The matrix of ``reference`` (an indexed document's id) or ``checklist`` (text, one
    requirement per line; embedded with ``embedder``) against the plans ``filters`` select
    (unit, year, province, kind, year_from, year_to)."""
    requirements, req_vectors, ref_meta = resolve_requirements(
        reader, embedder, reference, checklist
    )
    plans = select_plans(reader, exclude=reference, **dict(filters or {}))
    return match_plans(
        reader, requirements, req_vectors, plans, ref_meta, filters, covered, partial
    )


def resolve_requirements(
    reader: Reader,
    embedder: Embedder | None,
    reference: str | None = None,
    checklist: str | None = None,
) -> tuple[list[Requirement], np.ndarray, dict[str, Any] | None]:
    """(requirements, their vectors, the reference's metadata or None for a checklist)."""
    if (reference is None) == (checklist is None):
        raise InvalidQueryError("give either a reference document id or a checklist")
    if reference is not None:
        doc = reader.document(reference)
        if doc is None:
            raise DocumentNotFoundError.naming_valid(
                reference, [d.doc_id for d in reader.documents()]
            )
        requirements = reference_requirements(reader, reference)
        if not requirements:
            raise InvalidQueryError(
                f"{reference} has no working point or task row to check plans against; "
                "choose another reference or give a checklist"
            )
        vectors = reader.vectors([r.rowid for r in requirements if r.rowid is not None])
        return requirements, vectors, plan_meta(doc)
    requirements = checklist_requirements(checklist or "")
    if embedder is None:
        raise InvalidQueryError("a checklist needs the index's embedder")
    vectors = np.asarray(embedder.embed_passages([r.text for r in requirements]), dtype=np.float32)
    return requirements, vectors, None


def match_plans(
    reader: Reader,
    requirements: Sequence[Requirement],
    req_vectors: np.ndarray,
    plans: Sequence[DocumentRow],
    reference: dict[str, Any] | None = None,
    filters: Mapping[str, Any] | None = None,
    covered: float = COVERED,
    partial: float = PARTIAL,
) -> CoverageMatrix:
    """Each requirement's best paragraph in each plan (the paragraphs and their stored
    vectors read from the catalog, one plan at a time)."""
    columns = [column(d) for d in plans]
    by_plan: list[list[Cell]] = []
    for doc, col in zip(plans, columns, strict=True):
        checkpoint()
        paragraphs = reader.paragraphs(doc.doc_id)
        vectors = reader.vectors([p.rowid for p in paragraphs])
        cells = best_cells(requirements, req_vectors, paragraphs, vectors, covered, partial)
        for c in cells:
            setattr(col, c.status, getattr(col, c.status) + 1)
        by_plan.append(cells)
    rows = [[by_plan[j][i] for j in range(len(plans))] for i in range(len(requirements))]
    given = {k: v for k, v in (filters or {}).items() if k in FILTERS and v not in (None, "")}
    return CoverageMatrix(
        reference,
        list(requirements),
        columns,
        rows,
        {"covered": covered, "partial": partial},
        given,
    )
