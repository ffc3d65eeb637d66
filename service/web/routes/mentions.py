"""GET /mentions?ref=… (every mention of a legal document) and GET /references (the
citation table). The work is in ``service/mentions.py``; this module is the HTTP edge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from service.mentions import CITED_FIELDS, MAX_REF_LENGTH, citation_table, find_mentions
from service.web.deps import SnapshotDep
from service.web.schemas import ErrorOut, MentionsOut, ReferencesOut

router = APIRouter(tags=["mentions"])


Unit = Annotated[str | None, Query(description="Only plans of this unit.")]
Year = Annotated[int | None, Query(ge=1, le=9999, description="Only plans of this year.")]


@router.get(
    "/mentions",
    response_model=MentionsOut,
    summary="Every mention of a resolution, decision, law… across the plans",
    responses={
        404: {"model": ErrorOut, "description": "A well-formed reference no plan cites."},
        422: {"model": ErrorOut, "description": "ref is empty or not a reference."},
    },
)
def mentions(
    snap: SnapshotDep,
    ref: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_REF_LENGTH,
            description='Any writing: "09-NQ/TW", "Nghị quyết 09 của Bộ Chính trị", '
            '"Luật Thực hiện dân chủ ở cơ sở"; not blank. A text that is not a reference '
            "is refused (422).",
        ),
    ],
    unit: Unit = None,
    year: Year = None,
) -> BaseModel:
    return MentionsOut(**find_mentions(snap.reader, ref, unit=unit, year=year).to_dict())


@router.get(
    "/references",
    response_model=ReferencesOut,
    summary="Every cited document with its mention counts per plan",
)
def references(snap: SnapshotDep, unit: Unit = None, year: Year = None) -> ReferencesOut:
    table = citation_table(snap.reader, unit=unit, year=year)
    return ReferencesOut(total=len(table), references=[d.view(CITED_FIELDS) for d in table])
