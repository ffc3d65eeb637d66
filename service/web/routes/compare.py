"""GET /compare?a=DOC_ID&b=DOC_ID: two plans aligned by meaning (stored vectors only); the
answer is kept for the index generation's life (``Snapshot.answers``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service.compare import compare_documents
from service.compare.documents import check_documents, comparison_payload
from service.exports import FORMATS, comparison_table, render
from service.live.holder import Snapshot
from service.web.deps import OnIndex
from service.web.routes.downloads import FileFormat, base_url, download
from service.web.schemas import CompareOut, ErrorOut, json_bytes

router = APIRouter(tags=["compare"])


@router.get(
    "/compare",
    response_model=CompareOut,
    summary="Compare two plans: same, changed (with a word diff), only in a, only in b",
    responses={
        200: {"content": {FORMATS["xlsx"]: {}, FORMATS["docx"]: {}}},
        404: {"model": ErrorOut, "description": "Unknown id; the message lists ids."},
        503: {"model": ErrorOut, "description": "No index, or over the time budget."},
    },
)
async def compare_plans(
    request: Request,
    on_index: OnIndex,
    a: Annotated[str, Query(max_length=200, description="Id of plan a (e.g. a file stem).")],
    b: Annotated[str, Query(max_length=200, description="Id of plan b (may be a itself).")],
    format: FileFormat = "json",
) -> Any:
    base = base_url(request)

    def work(snap: Snapshot) -> bytes:
        doc_a, doc_b = check_documents(snap.reader, a, b)
        result = compare_documents(snap.reader, a, b, snap.answers)

        def shaped() -> bytes:
            payload = comparison_payload(doc_a, doc_b, result)
            if format == "json":
                return json_bytes(CompareOut, payload)
            return render(comparison_table(payload, base), format)

        # a comparison only changes with a build: kept, and its JSON and files with it
        links = () if format == "json" else (base,)  # files hold links to this host
        return snap.answers.get_or_compute(("compare", a, b, format, *links), shaped)

    body = await on_index(work)
    if format != "json":
        return download(body, f"so-sanh-{a}-{b}", format)
    return Response(body, media_type="application/json")
