"""GET /mentions?ref=… (every mention of a legal document) and GET /references (the
citation table). The work is in ``service/mentions.py``; this module is the HTTP edge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from service.mentions import MAX_REF_LENGTH, CitedDocument, citation_table, find_mentions
from service.web.deps import SnapshotDep
from service.web.schemas import ErrorOut

router = APIRouter(tags=["mentions"])


class CitedDocumentOut(BaseModel):
    key: str = Field(description='Canonical key, e.g. "09-NQ/TW" or "LUAT:thuc hien …".')
    kind: str | None = Field(description="Nghị quyết, Quyết định, Luật, …")
    number: str | None = Field(description="Number-symbol; null for a law cited by name.")
    date: str | None = Field(description="ISO date of issue where a plan states it.")
    issuer: str | None = Field(description="Issuing body where a plan states it.")
    title: str | None = Field(description="A law's name, for laws cited by name.")
    total: int = Field(description="Mentions in the (filtered) plans.")
    per_plan: dict[str, int] = Field(description="Mentions per plan (doc_id → count).")


class MentionOut(BaseModel):
    doc_id: str
    paragraph_id: str
    unit: str | None
    year: int | None
    section: list[str] = Field(description="Heading path, outermost first.")
    text: str = Field(description="The paragraph's full text.")
    span: tuple[int, int] = Field(description="Character span of the citation in text.")
    key: str
    raw: str = Field(description="The citation as written.")
    date: str | None
    issuer: str | None


class MentionsOut(BaseModel):
    ref: str = Field(description="The query as given (whitespace collapsed).")
    keys: list[str] = Field(description="Canonical keys it denotes; several when ambiguous.")
    total: int = Field(description="Number of mentions returned.")
    candidates: list[CitedDocumentOut] = Field(description="Each document the query denotes.")
    mentions: list[MentionOut]


class ReferencesOut(BaseModel):
    total: int = Field(description="Number of cited documents.")
    references: list[CitedDocumentOut]


def _cited(d: CitedDocument) -> CitedDocumentOut:
    return CitedDocumentOut(**_fields(d))


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
) -> MentionsOut:
    result = find_mentions(snap.reader, ref, unit=unit, year=year)
    return MentionsOut(
        ref=result.ref,
        keys=result.keys,
        total=result.total,
        candidates=[_cited(c) for c in result.candidates],
        mentions=[MentionOut(**_fields(m)) for m in result.mentions],
    )


@router.get(
    "/references",
    response_model=ReferencesOut,
    summary="Every cited document with its mention counts per plan",
)
def references(snap: SnapshotDep, unit: Unit = None, year: Year = None) -> ReferencesOut:
    table = citation_table(snap.reader, unit=unit, year=year)
    return ReferencesOut(total=len(table), references=[_cited(d) for d in table])


def _fields(m) -> dict:
    return {name: getattr(m, name) for name in m.__slots__}
