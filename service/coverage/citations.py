"""Cited documents × plans, from the catalog's mentions.

Rows are the documents the selected plans cite (optionally only of one kind — Nghị quyết,
Quyết định, Luật … — or one issuer), columns the plans, each cell the number of mentions.
``required``: documents every plan should cite, given as references in any writing
("09-NQ/TW", "Nghị định 118/2025/NĐ-CP", a law's name) or taken from a reference document's
own citations; ``omissions`` names, per plan, the required documents it never cites.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from indexer.errors import DocumentNotFoundError, InvalidQueryError
from indexer.text import fold
from service.coverage.matrix import FILTERS, column, select_plans
from service.coverage.model import CitationMatrix, CitedRow
from service.mentions import citation_table, resolve_ref

if TYPE_CHECKING:
    from indexer.store import Reader

MAX_REQUIRED = 100


def _matches(value: str | None, wanted: str | None) -> bool:
    return wanted in (None, "") or fold(value or "").lower() == fold(wanted or "").lower()


def _issuer_matches(value: str | None, wanted: str | None) -> bool:
    return wanted in (None, "") or fold(wanted or "").lower() in fold(value or "").lower()


def required_keys(
    reader: Reader, required: Sequence[str] = (), reference: str | None = None
) -> list[str]:
    """Canonical keys of the required documents: each reference written in ``required``
    (our own errors when one is not a reference or no plan cites it) and, with
    ``reference``, every document that reference document cites."""
    if len(required) > MAX_REQUIRED:
        raise InvalidQueryError(
            f"{len(required)} required documents; at most {MAX_REQUIRED} in one table"
        )
    keys: list[str] = []
    for ref in required:
        keys += [k for k in resolve_ref(reader, ref) if k not in keys]
    if reference is not None:
        if reader.document(reference) is None:
            raise DocumentNotFoundError.naming_valid(
                reference, [d.doc_id for d in reader.documents()]
            )
        for row in reader.reference_table():
            if reference in row["doc_ids"] and row["key"] not in keys:
                keys.append(row["key"])
    return keys


def citation_matrix(
    reader: Reader,
    required: Sequence[str] = (),
    reference: str | None = None,
    cited_kind: str | None = None,
    issuer: str | None = None,
    filters: Mapping[str, Any] | None = None,
) -> CitationMatrix:
    """Which selected plan cites which document (``filters`` select plans as for
    coverage; ``cited_kind`` / ``issuer`` select the cited documents)."""
    filters = dict(filters or {})
    plans = select_plans(reader, exclude=reference, **filters)
    ids = {d.doc_id for d in plans}
    need = required_keys(reader, required, reference)
    rows = []
    cited: dict[str, dict[str, int]] = {}  # every cited document's plans (before kind/issuer)
    for d in citation_table(reader):
        per_plan = {doc: n for doc, n in d.per_plan.items() if doc in ids}
        cited[d.key] = per_plan
        is_required = d.key in need
        if not per_plan and not is_required:
            continue
        if not (_matches(d.kind, cited_kind) and _issuer_matches(d.issuer, issuer)):
            continue
        rows.append(CitedRow(d.key, d.kind, d.number, d.issuer, d.title, is_required, per_plan))
    rows.sort(key=lambda r: (not r.required, -r.plans_citing, -sum(r.per_plan.values()), r.key))
    omissions = {p.doc_id: [k for k in need if p.doc_id not in cited.get(k, {})] for p in plans}
    given = {k: v for k, v in filters.items() if k in FILTERS and v not in (None, "")}
    given |= {k: v for k, v in (("cited_kind", cited_kind), ("issuer", issuer)) if v}
    return CitationMatrix([column(p) for p in plans], rows, need, omissions, given)
