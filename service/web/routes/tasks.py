"""GET /tasks: every task row of the selected plans as one table (unit, province, year, lead,
due window, cited document, text, one plan, kind: task tables or procedure lists), sorted;
``format=csv|xlsx|docx`` downloads the same table. The work is in ``service.tasks``; this
module is the HTTP edge."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.exports import FORMATS
from service.live.holder import Snapshot
from service.mentions import MAX_REF_LENGTH
from service.tasks import TaskQuery, find_tasks
from service.tasks.export import tasks_file
from service.tasks.model import DEFAULT_LIMIT, MAX_LIMIT, MAX_TEXT
from service.web.deps import OnIndex
from service.web.routes.downloads import base_url, download
from service.web.schemas import ErrorOut, TasksOut

# a day as staff type it and the schema states it (pydantic's date also reads "0.0" as a
# timestamp); a day that does not exist (2026-02-30) is refused by TaskQuery.checked()
ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"

router = APIRouter(tags=["tasks"])

Text = Annotated[str | None, Query(max_length=MAX_TEXT)]
Sort = Literal["plan", "unit", "year", "due", "lead", "-plan", "-unit", "-year", "-due", "-lead"]


@router.get(
    "/tasks",
    response_model=TasksOut,
    summary="Every task row of the selected plans: who leads, by when, with whom",
    responses={
        200: {
            "description": "The table as JSON, or with `format` as a CSV, Excel or Word file.",
            "content": {"text/csv": {}, FORMATS["xlsx"]: {}, FORMATS["docx"]: {}},
        },
        404: {
            "model": ErrorOut,
            "description": "Unknown `doc_id`; a `doc` no indexed plan cites.",
        },
        422: {"model": ErrorOut, "description": "A bad parameter; a `doc` not a reference."},
        503: {"model": ErrorOut, "description": "No index, or over the time budget."},
    },
)
async def tasks(
    request: Request,
    on_index: OnIndex,
    unit: Annotated[
        str | None,
        Query(
            max_length=MAX_TEXT,
            description="Plans of this unit: any part of its name or "
            "short form, without case or diacritics (truong cao dang y te).",
        ),
    ] = None,
    province: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="Plans of this province (whole name).")
    ] = None,
    year: Annotated[int | None, Query(ge=1, le=9999, description="Plans of this year.")] = None,
    lead: Annotated[
        str | None,
        Query(max_length=MAX_TEXT, description="Rows this body leads (any part of its name)."),
    ] = None,
    due_from: Annotated[
        str | None,
        Query(
            pattern=ISO_DAY,
            description="Rows whose period (the time cell read as dates) meets "
            "[due_from, due_to]: an ISO date (2026-02-15); undated rows never meet a window.",
        ),
    ] = None,
    due_to: Annotated[
        str | None, Query(pattern=ISO_DAY, description="The window's last day (ISO date).")
    ] = None,
    doc: Annotated[
        str | None,
        Query(
            max_length=MAX_REF_LENGTH,
            description="Rows whose text cites this document, "
            'written any way /mentions reads ("09-NQ/TW", "Nghị quyết 09").',
        ),
    ] = None,
    text: Annotated[
        str | None,
        Query(max_length=MAX_TEXT, description="Words of the task or its products (folded)."),
    ] = None,
    doc_id: Annotated[
        str | None, Query(max_length=MAX_TEXT, description="Only this plan (its id).")
    ] = None,
    kind: Annotated[
        Literal["task", "procedure"] | None,
        Query(
            description="task: rows of plans' task tables; procedure: rows of procedure "
            "lists (danh mục thủ tục hành chính: the procedure, who performs it); both when "
            "not given."
        ),
    ] = None,
    sort: Annotated[
        Sort,
        Query(
            description="plan (the plans' own order: year, plan, row), unit, year, due "
            "(the period's end; undated rows last) or lead; a leading '-' reverses."
        ),
    ] = "plan",
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="At most this many rows (`total` counts all).")
    ] = DEFAULT_LIMIT,
    format: Annotated[
        Literal["json", "csv", "xlsx", "docx"],
        Query(description="json (default), or the same table as csv, xlsx or docx."),
    ] = "json",
) -> Any:
    query = TaskQuery(
        unit=unit, province=province, year=year, lead=lead,
        due_from=due_from, due_to=due_to,
        doc=doc, text=text, doc_id=doc_id, kind=kind, sort=sort, limit=limit,
    )  # fmt: skip
    base = base_url(request)

    def work(snap: Snapshot) -> str | bytes:
        table = find_tasks(snap.reader, query)
        if format != "json":
            return tasks_file(table, format, base)
        return TasksOut(**table.to_dict()).model_dump_json().encode()

    body = await on_index(work)
    if format != "json":
        return download(body, "nhiem-vu", format)
    return Response(body, media_type="application/json")
