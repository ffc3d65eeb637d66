"""The web page for policy staff: server-rendered HTML over the same cores as the JSON API.

Page URLs (stable; they do not clash with the JSON endpoints):

- ``/``                      search (``?q=…&unit=…&year=…``)
- ``/doc/{doc_id}``          one plan; paragraphs are anchored ``#p-<ordinal>``
- ``/so-sanh``               compare two plans (``?a=<doc_id>&b=<doc_id>``)
- ``/trich-dan``             mentions of a referenced document (``?ref=…&unit=…&year=…``);
                             without ``ref``: the table of every referenced document
                             (``&sort=count|label|docs``)
- ``/bao-phu``                coverage: a reference's requirements × plans
                             (``?reference=<doc_id>&year=…&province=…&kind=…``)
- ``/nhiem-vu``               every task row of the selected plans (``?unit=…&province=…&year=…
                             &lead=…&due_from=…&due_to=…&text=…&doc=…&sort=…&theo=…``)
- ``/static/{name}``         the stylesheet and the small script

Every page catches our own exceptions and anything unexpected and answers with a Vietnamese
sentence a person understands, never a stack trace.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from indexer.errors import IndexerError, IndexNotFoundError
from service.live.damage import CATALOG, DamagedIndexError, for_clients
from service.web.deps import OnIndex, RunOnIndex
from service.web.pages import common
from service.web.pages.common import PageError
from service.web.pages.compare import compare_view
from service.web.pages.coverage import coverage_view
from service.web.pages.document import document_view
from service.web.pages.mentions import mentions_view
from service.web.pages.search import search_view
from service.web.pages.tasks import tasks_view
from service.web.timeout import ClientGoneError, RequestTimeoutError

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    """The Jinja2 environment (built on first use, not at import)."""
    t = Jinja2Templates(directory=str(TEMPLATES_DIR))
    t.env.filters["marks"] = common.marks
    t.env.filters["vn_date"] = common.vn_date
    t.env.filters["reading"] = common.reading_label
    t.env.globals["static_url"] = lambda name: f"/static/{name}"
    return t


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    base = {"generation": None, "n_documents": None, "message": None, "active": ""}
    return templates().TemplateResponse(request, name, {**base, **context}, status_code=status)


def no_index_error(exc: Exception | None = None) -> PageError:
    if isinstance(exc, DamagedIndexError):
        return PageError(
            503,
            "Chỉ mục bị hỏng",
            "Một tệp của chỉ mục bị hỏng nên chưa tra cứu được. Người quản trị cần lập lại chỉ "
            "mục (python -m indexer build … --rebuild); trang này dùng lại được ngay sau đó.",
            hint=f"Chi tiết: {exc}",
            level="error",
        )
    return PageError(
        503,
        "Chưa có chỉ mục",
        "Chưa có chỉ mục để tra cứu. Hãy chạy `make index` (lập chỉ mục các kế hoạch trong thư "
        "mục corpus/) rồi tải lại trang này.",
        hint=f"Chi tiết: {exc}" if exc else "",
        level="error",
    )


@contextmanager
def snapshot(request: Request) -> Iterator[Any]:
    """The live index snapshot for one request (a lease on the holder's generation)."""
    holder = getattr(request.app.state, "holder", None)
    if holder is None:
        raise no_index_error()
    try:
        with holder.lease() as snap:
            yield snap
    except IndexNotFoundError as exc:
        raise no_index_error(exc) from exc


def error_page(request: Request, exc: BaseException, active: str) -> Response:
    """Turn any exception into a readable page (the trace goes to the log only)."""
    if isinstance(exc, PageError):
        title, message, status = exc.message["title"], exc.message, exc.status
    elif isinstance(exc, sqlite3.DatabaseError):  # a damaged catalog page met while serving
        log.error("index damaged (%s while serving %s)", exc, request.url.path)
        return error_page(request, no_index_error(for_clients(CATALOG)), active)
    elif isinstance(exc, IndexerError):
        title, message, status = common.own_error_message(exc)
    else:
        log.exception("page %s failed", request.url.path)
        title, status = "Đã có lỗi", 500
        message = {
            "level": "error",
            "title": "Đã có lỗi khi xử lý yêu cầu",
            "text": "Hệ thống gặp sự cố ngoài dự kiến. Hãy thử lại; nếu vẫn lỗi, báo cho "
            "người quản trị kèm đường dẫn của trang này.",
        }
    return render(
        request, "error.html", {"title": title, "message": message, "active": active}, status
    )


def _built(request: Request, active: str, build, snap: Any) -> Response:
    """A page builder's page over ``snap`` (inside the caller's lease); errors become
    readable pages."""
    try:
        name, context, status = build(snap)
        context.setdefault("generation", snap.generation)
        return render(request, name, {"active": active, **context}, status)
    except IndexNotFoundError as exc:  # a damaged part met while building
        return error_page(request, no_index_error(exc), active)
    except Exception as exc:  # noqa: BLE001 — every failure becomes a sentence, never a trace
        return error_page(request, exc, active)


def _page(request: Request, active: str, build) -> Response:
    """Run a page builder inside a lease; errors become readable pages."""
    try:
        with snapshot(request) as snap:
            return _built(request, active, build, snap)
    except Exception as exc:  # noqa: BLE001 — every failure becomes a sentence, never a trace
        return error_page(request, exc, active)


async def _bounded_page(request: Request, active: str, build, on_index: RunOnIndex) -> Response:
    """``_page`` on a worker thread within ``request_timeout`` (a page of its own past it)."""
    try:
        if getattr(request.app.state, "holder", None) is None:
            raise no_index_error()
        return await on_index(lambda snap: _built(request, active, build, snap))
    except (RequestTimeoutError, ClientGoneError):
        busy = PageError(
            503,
            "Quá thời gian xử lý",
            "Yêu cầu này cần quá nhiều thời gian nên đã được dừng lại. Hãy thử lại sau, hoặc "
            "rút gọn nội dung tìm kiếm.",
        )
        return error_page(request, busy, active)
    except IndexNotFoundError as exc:  # from the lease: no index open, or a damaged one
        return error_page(request, no_index_error(exc), active)
    except Exception as exc:  # noqa: BLE001 — every failure becomes a sentence, never a trace
        return error_page(request, exc, active)


def search_params(
    q: str = "",
    unit: str = "",
    year: str = "",
    kind: str = "",
    doc: str = "",
    page: str = "",
    theo: str = "",
    bo: str = "",
    chi: str = "",
) -> dict[str, str]:
    """A search as the address holds it (the search page's own, and the one a plan view
    was opened from: its way back); ``theo=ke-hoach``: the results grouped by plan; ``bo``,
    ``chi``: what the query names that is left unread, or applied as a filter (fields,
    comma-separated: ``service.web.pages.search``)."""
    return {"q": q, "unit": unit, "year": year, "kind": kind, "doc": doc, "page": page} | {
        "theo": theo,
        "bo": bo,
        "chi": chi,
    }


SearchParams = Annotated[dict[str, str], Depends(search_params)]


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, search: SearchParams, on_index: OnIndex) -> Response:
    """The search box, filters and ranked paragraphs (20 a page), with counts per unit, year
    and kind; every filter and the page are in the address."""
    return await _bounded_page(
        request, "search", lambda snap: search_view(snap, **search), on_index
    )


@router.get("/doc/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, search: SearchParams) -> Response:
    """One plan: metadata, paragraphs (anchored #p-<ordinal>) and the appendix table; the
    search it was opened from (q, filters, page) is kept for the way back."""
    return _page(request, "search", lambda snap: document_view(snap, doc_id, search))


@router.get("/so-sanh", response_class=HTMLResponse)
async def compare_page(
    request: Request, on_index: OnIndex, a: str = "", b: str = "", khac: str = "", gon: str = ""
) -> Response:
    """Two plans side by side with changes marked and a section summary; ``khac=1`` shows
    the differences only, ``gon=1`` folds the sections where nothing differs."""
    return await _bounded_page(
        request, "compare", lambda snap: compare_view(snap, a, b, khac, gon), on_index
    )


@router.get("/trich-dan", response_class=HTMLResponse)
def mentions_page(
    request: Request, ref: str = "", unit: str = "", year: str = "", sort: str = "count"
) -> Response:
    """Every mention of a referenced document, or the table of all referenced documents."""
    return _page(request, "mentions", lambda snap: mentions_view(snap, ref, unit, year, sort))


@router.get("/bao-phu", response_class=HTMLResponse)
async def coverage_page(
    request: Request,
    on_index: OnIndex,
    reference: str = "",
    year: str = "",
    province: str = "",
    kind: str = "",
) -> Response:
    """A reference's requirements × every selected plan, coloured by status."""
    return await _bounded_page(
        request,
        "coverage",
        lambda snap: coverage_view(snap, reference, year, province, kind),
        on_index,
    )


@router.get("/nhiem-vu", response_class=HTMLResponse)
async def tasks_page(request: Request, on_index: OnIndex) -> Response:
    """Every task row of the selected plans as one table: filters, sort (``sort``), groups
    by plan or by lead (``theo=ke-hoach|chu-tri|khong``), downloads; all in the address."""
    params = dict(request.query_params)  # a repeated parameter: its last value
    return await _bounded_page(request, "tasks", lambda snap: tasks_view(snap, params), on_index)


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """The stylesheet and script (only files directly inside service/static)."""
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file():
        return Response(
            "Không có tệp này.", status_code=404, media_type="text/plain; charset=utf-8"
        )
    return FileResponse(path, headers={"Cache-Control": "public, max-age=300"})
