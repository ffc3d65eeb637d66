"""A file download answer (CSV, Excel, Word) and the base URL links in it start with."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import Query, Request, Response

from indexer.text.vietnamese import fold
from service.exports import FORMATS

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MEDIA = {**FORMATS, "csv": "text/csv; charset=utf-8"}
# the `format` of an answer that also comes as a file: JSON, or Excel / Word
FileFormat = Annotated[
    Literal["json", "xlsx", "docx"],
    Query(
        description="`xlsx` (Excel) or `docx` (Word): the answer as a file to pass around — "
        "one row per result with its unit, year, section, text and a link back to it."
    ),
]


def download(body: str | bytes, name: str, fmt: str) -> Response:
    """A file download; its name is folded to ASCII ("tìm kiếm" → "tim-kiem") and keeps only
    letters, digits, '.', '_' and '-' (a plan id comes from a file name, which may hold quotes
    or anything else)."""
    safe = _UNSAFE_NAME.sub("-", fold(name)).strip("-.")[:120] or "ket-qua"
    headers = {"Content-Disposition": f'attachment; filename="{safe}.{fmt}"'}
    return Response(body, media_type=MEDIA[fmt], headers=headers)


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")
