"""GET /documents and /documents/{id}: the plans in the index, read from the catalog only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path

from indexer.errors import DocumentNotFoundError
from service.web.deps import SnapshotDep
from service.web.schemas import (
    DocumentList,
    DocumentOut,
    DocumentSummary,
    ParagraphOut,
    ReadingOut,
    TaskOut,
)

router = APIRouter(tags=["documents"])


def _summary(d) -> dict:
    return {
        "id": d.doc_id,
        "unit": d.unit,
        "province": d.province,
        "year": d.year,
        "title": d.title,
        "kind": d.kind,
        "number": d.number,
        "date": d.date,
        "n_paragraphs": d.n_paragraphs,
        "reading": ReadingOut(**d.reading.to_dict()),
    }


@router.get("/documents", response_model=DocumentList, summary="List the indexed plans")
def list_documents(snap: SnapshotDep) -> DocumentList:
    docs = [DocumentSummary(**_summary(d)) for d in snap.reader.documents()]
    return DocumentList(total=len(docs), documents=docs)


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentOut,
    summary="One plan: metadata, paragraphs and appendix tasks",
    responses={404: {"description": "Unknown id; the message names the valid ids."}},
)
def get_document(
    doc_id: Annotated[str, Path(max_length=200, description="Document id, e.g. a file stem")],
    snap: SnapshotDep,
) -> DocumentOut:
    reader = snap.reader
    doc = reader.document(doc_id)  # a catalog lookup by key: never a file access
    if doc is None:
        raise DocumentNotFoundError.naming_valid(doc_id, [d.doc_id for d in reader.documents()])
    paragraphs = [
        ParagraphOut(
            id=p.id,
            ordinal=p.ordinal,
            section=" › ".join(p.section or []),
            kind=p.kind,
            text=p.text,
        )
        for p in reader.paragraphs(doc_id)
    ]
    tasks = [TaskOut(**asdict(t)) for t in reader.tasks(doc_id)]
    return DocumentOut(
        **_summary(doc),
        path=doc.path,
        sha256=doc.sha256,
        meta=doc.meta or {},
        paragraphs=paragraphs,
        tasks=tasks,
    )
