"""GET /search: hybrid (semantic + lexical) search across all plans."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from service.exports import FORMATS, filters_in_words, render, search_table
from service.live.holder import Snapshot
from service.search import SearchFilters, validate_query
from service.web.deps import OnIndex, SettingsDep
from service.web.routes.downloads import FileFormat, base_url, download
from service.web.schemas import ErrorOut, SearchHitOut, SearchOut

router = APIRouter(tags=["search"])

Field_ = Literal["province", "unit", "year", "kind"]  # what a query's constraint is about


@router.get(
    "/search",
    response_model=SearchOut,
    summary="Search every plan by meaning and by words",
    responses={
        200: {"content": {FORMATS["xlsx"]: {}, FORMATS["docx"]: {}}},
        422: {
            "model": ErrorOut,
            "description": "Empty, too long or too costly q, or one without a letter or "
            "digit; bad k.",
        },
        503: {"model": ErrorOut, "description": "No index, or over the time budget."},
    },
)
async def search(
    request: Request,
    on_index: OnIndex,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            description="The question, with or without diacritics. Control and invisible "
            "characters are dropped and what remains must hold a letter or a digit; a query "
            "that would cost the embedding model more than `max_query_tokens` tokens is "
            "refused (422 `query_too_costly`).",
        ),
    ],
    k: Annotated[int | None, Query(ge=1, le=100, description="Number of results (1–100).")] = None,
    unit: Annotated[str | None, Query(description="Only plans of this unit.")] = None,
    year: Annotated[
        int | None, Query(ge=1, le=9999, description="Only plans of this year (1–9999).")
    ] = None,
    province: Annotated[str | None, Query(description="Only plans of this province.")] = None,
    section: Annotated[str | None, Query(description="Only paragraphs under this heading.")] = None,
    doc_id: Annotated[str | None, Query(description="Only this plan.")] = None,
    kind: Annotated[
        str | None, Query(description="Only documents of this kind (Kế hoạch, Quyết định…).")
    ] = None,
    year_from: Annotated[
        int | None, Query(ge=1, le=9999, description="Only plans of this year or later.")
    ] = None,
    year_to: Annotated[
        int | None, Query(ge=1, le=9999, description="Only plans of this year or earlier.")
    ] = None,
    group: Annotated[
        bool,
        Query(
            description="Fold near-identical paragraphs of other units into one hit "
            "(`also` lists them)."
        ),
    ] = True,
    collapse: Annotated[
        Literal["doc"] | None, Query(description="`doc`: only the best hit of each document.")
    ] = None,
    understand: Annotated[
        bool,
        Query(
            description="Read the place, unit, year and kind the query names as constraints "
            "that rank their documents first (see `understood` in the answer)."
        ),
    ] = True,
    ignore: Annotated[
        list[Field_] | None,
        Query(description="Constraints of these fields are left unread (their words searched)."),
    ] = None,
    only: Annotated[
        list[Field_] | None,
        Query(description="Constraints of these fields are applied as filters."),
    ] = None,
    format: FileFormat = "json",
) -> Response:
    query = validate_query(q, settings.max_query_chars)
    ignored = tuple(dict.fromkeys(ignore or ()))
    only_ = tuple(f for f in dict.fromkeys(only or ()) if f not in ignored)
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from  # the years between them, whichever came first
    filters = SearchFilters(
        unit=unit,
        year=year,
        province=province,
        section=section,
        doc_id=doc_id,
        kind=kind,
        year_from=year_from,
        year_to=year_to,
    )
    base, searched = base_url(request), filters_in_words(filters)

    def work(snap: Snapshot) -> tuple[str, bytes]:
        """The search and its answer shaped (JSON, or the file rendered) on the worker
        thread, within the request's time limit: never on the event loop."""
        result = snap.searcher.search(
            query,
            k or settings.default_k,
            filters,
            group=group,
            collapse=collapse,
            understand=understand,
            ignore=ignored,
            only=only_,
        )
        if format != "json":
            return result.query, render(search_table(result, searched, base), format)
        answer = SearchOut(
            query=result.query,
            total=result.total,
            answered=result.answered,
            results=[SearchHitOut(**h.to_dict()) for h in result.hits],
            facets=result.facets,
            understood=result.understood.to_dict() if understand and result.understood else None,
            answer=result.answer.to_dict() if result.answer else None,
        )
        # served as its JSON: the model was validated just now (FastAPI would validate it again)
        return result.query, answer.model_dump_json().encode()

    searched_query, body = await on_index(work)
    if format != "json":
        return download(body, f"tim-kiem-{searched_query}", format)
    return Response(body, media_type="application/json")
