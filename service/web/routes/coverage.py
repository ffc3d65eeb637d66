"""GET /coverage (requirements × plans), GET /coverage/citations (cited documents × plans),
GET /coverage/changes (one unit's plans year over year). ``format=csv|xlsx`` downloads the
same answer as a file. Answers are computed once per index generation (``Snapshot.answers``).
The work is in ``service.coverage``; this module is the HTTP edge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from service.coverage import citation_matrix, coverage_matrix
from service.coverage.changes import SameYearsError, changes_payload, unit_changes
from service.coverage.citations import MAX_REQUIRED
from service.coverage.export import (
    citations_csv,
    citations_docx,
    citations_xlsx,
    coverage_csv,
    coverage_docx,
    coverage_xlsx,
)
from service.exports import FORMATS
from service.live.holder import Snapshot
from service.web.deps import OnIndex, RunOnIndex
from service.web.routes.downloads import base_url, download
from service.web.schemas import CitationsOut, CoverageOut, ErrorOut, UnitChangesOut, json_bytes

router = APIRouter(tags=["coverage"])

Format = Annotated[
    Literal["json", "csv", "xlsx", "docx"],
    Query(
        description="json (default), or a download: csv (UTF-8 with BOM), xlsx (Excel) or "
        "docx (Word)."
    ),
]
Reference = Annotated[
    str, Query(max_length=200, description="Id of the reference document (see /documents).")
]
Year = Annotated[int | None, Query(ge=1, le=9999, description="Only plans of this year.")]
Province = Annotated[str | None, Query(max_length=200, description="Only plans of this province.")]
Unit = Annotated[str | None, Query(max_length=300, description="Only plans of this unit.")]
Kind = Annotated[
    str | None, Query(max_length=100, description='Only documents of this kind ("Kế hoạch").')
]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown reference id; the message lists ids."},
    422: {"model": ErrorOut, "description": "No plan matches, or too many; bad filter."},
    503: {"model": ErrorOut, "description": "No index, or over the time budget."},
}


DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer as JSON, or with `format` as a CSV, Excel or Word download.",
        "content": {"text/csv": {}, FORMATS["xlsx"]: {}, FORMATS["docx"]: {}},
    },
    **ERRORS,
}


def _key(*parts: Any, filters: dict[str, Any] | None = None) -> tuple:
    """A cache key: the filters given (blank ones dropped, text case-folded: the catalog
    compares case-insensitively), after the other parts."""
    given = {
        k: (v.casefold() if isinstance(v, str) else v)
        for k, v in (filters or {}).items()
        if v not in (None, "")
    }
    return (*parts, tuple(sorted(given.items())))


def plan_filters(
    year: Year = None, province: Province = None, unit: Unit = None, kind: Kind = None
) -> dict[str, Any]:
    """The plans a matrix covers: the query's year, province, unit and kind."""
    return {"year": year, "province": province, "unit": unit, "kind": kind}


PlanFilters = Annotated[dict[str, Any], Depends(plan_filters)]


async def _serve(
    on_index: RunOnIndex,
    key: tuple,
    compute: Callable[[Any], Any],
    exports: dict[str, Callable[[Any], str | bytes]],
    model: type[BaseModel],
    name: str,
    fmt: str,
) -> Response:
    """An answer of this generation (computed once, kept with its JSON) as JSON or as a
    download, within the request's time budget."""

    def work(snap: Snapshot) -> str | bytes:
        answer = snap.answers.get_or_compute(key, lambda: compute(snap))
        if fmt in exports:
            return exports[fmt](answer)
        # the JSON is kept too: 100 plans × 250 requirements take ~0.7 s to shape
        return snap.answers.get_or_compute(
            (*key, "json"), lambda: json_bytes(model, answer.to_dict())
        )

    body = await on_index(work)
    if fmt in exports:
        return download(body, name, fmt)
    return Response(body, media_type="application/json")


@router.get(
    "/coverage",
    response_model=CoverageOut,
    summary="Which plan carries which requirement of a reference document",
    responses=DOWNLOADS,
)
async def coverage(
    request: Request,
    on_index: OnIndex,
    reference: Reference,
    filters: PlanFilters,
    format: Format = "json",
) -> Any:
    base = base_url(request)
    return await _serve(
        on_index,
        _key("coverage", reference, filters=filters),
        lambda snap: coverage_matrix(snap.reader, reference=reference, filters=filters),
        {
            "csv": lambda m: coverage_csv(m, base),
            "xlsx": lambda m: coverage_xlsx(m, base),
            "docx": lambda m: coverage_docx(m, base),
        },
        CoverageOut,
        f"bao-phu-{reference}",
        format,
    )


@router.get(
    "/coverage/citations",
    response_model=CitationsOut,
    summary="Which plan cites which resolution, decision or law; required ones flagged",
    responses=DOWNLOADS,
)
async def coverage_citations(
    on_index: OnIndex,
    filters: PlanFilters,
    cited_kind: Annotated[
        str | None, Query(max_length=100, description="Only cited documents of this kind.")
    ] = None,
    issuer: Annotated[
        str | None, Query(max_length=200, description="Only cited documents of this issuer.")
    ] = None,
    required: Annotated[
        list[str] | None,
        Query(
            max_length=MAX_REQUIRED,
            description='Required documents ("09-NQ/TW"), at most 100; repeatable; blank '
            "ones are ignored.",
        ),
    ] = None,
    reference: Annotated[
        str | None,
        Query(max_length=200, description="Require what this document cites (its id)."),
    ] = None,
    format: Format = "json",
) -> Any:
    need = tuple(r for r in required or () if r.strip())
    return await _serve(
        on_index,
        _key("citations", cited_kind, issuer, need, reference, filters=filters),
        lambda snap: citation_matrix(snap.reader, need, reference, cited_kind, issuer, filters),
        {"csv": citations_csv, "xlsx": citations_xlsx, "docx": citations_docx},
        CitationsOut,
        "trich-dan",
        format,
    )


@router.get(
    "/coverage/changes",
    response_model=list[UnitChangesOut],  # type: ignore[valid-type]
    summary="Year over year: requirements a unit's plan gained or lost",
    responses=ERRORS,
)
async def coverage_changes(
    on_index: OnIndex,
    reference: Reference,
    earlier: Annotated[int, Query(ge=1, le=9999, description="The earlier year.")],
    later: Annotated[int, Query(ge=1, le=9999, description="The later year.")],
    unit: Unit = None,
    province: Province = None,
    kind: Kind = None,
) -> Any:
    if earlier == later:
        raise SameYearsError(f"earlier and later are both {earlier}: give two different years")
    filters: dict[str, Any] = {"province": province, "kind": kind, "unit": unit}
    key = _key("changes", reference, earlier, later, filters=filters)

    def work(snap: Snapshot) -> Any:
        changes = snap.answers.get_or_compute(
            key, lambda: unit_changes(snap.reader, reference, earlier, later, filters)
        )
        return changes_payload(changes)

    return [UnitChangesOut(**c) for c in await on_index(work)]
