"""The pages' sign-in: ``/dang-nhap`` (the form; POST checks the token and sets the session
cookie) and ``/dang-xuat`` (POST: the session ends). Only with a token configured; see
``service.web.access``."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from service.web.access import COOKIE, SIGN_IN, Access, safe_next
from service.web.routes.pages import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

MAX_FORM_BYTES = 4096  # the form holds a token (43 characters) and a path to go back to


def _access(request: Request) -> Access:
    return request.app.state.access


def _page(request: Request, status: int = 200, message: dict | None = None, **extra) -> Response:
    access = _access(request)
    hours = access.sessions.seconds // 3600 if access.sessions else 0
    context = {"title": "Đăng nhập", "message": message, "hours": hours, **extra}
    return render(request, "signin.html", context, status)


def _same_origin(request: Request) -> bool:
    """A form posted from this site (its Origin, else its Referer, names this Host); a
    request with neither (not a browser) passes."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form's fields (first value each); None when it is too large."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    return {k: v[0] for k, v in fields.items() if v}


@router.get(SIGN_IN)
def sign_in_form(request: Request, next: str = "/") -> Response:
    access = _access(request)
    if access.sessions is None:  # no token: nothing to sign in with
        if access.enabled:
            return _page(
                request,
                message={
                    "level": "info",
                    "title": "Đăng nhập qua máy chủ trung gian",
                    "text": "Dịch vụ này nhận người dùng do máy chủ trung gian xác thực; "
                    "hãy mở trang qua địa chỉ của máy chủ đó.",
                },
            )
        return RedirectResponse("/", status_code=303)
    if request.scope.get("cchc_auth"):  # already signed in
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, form=True, next=safe_next(next))


@router.post(SIGN_IN)
async def sign_in(request: Request) -> Response:
    access = _access(request)
    if access.sessions is None:
        return RedirectResponse(SIGN_IN, status_code=303)
    refused = {"level": "error", "title": "Không đăng nhập được"}
    if not _same_origin(request):
        message = {**refused, "text": "Biểu mẫu này phải được gửi từ chính trang đăng nhập."}
        return _page(request, 403, message, form=True, next="/")
    form = await _form(request)
    if form is None:
        return _page(request, 413, {**refused, "text": "Nội dung gửi lên quá lớn."}, form=True)
    target = safe_next(form.get("next"))
    if not await access.check_token(form.get("token", "").strip()):
        client = request.client.host if request.client else "?"
        log.warning("sign-in refused: wrong token from %s", client)
        message = {**refused, "text": "Mã truy cập không đúng. Hãy kiểm tra lại rồi thử lại."}
        return _page(request, 401, message, form=True, next=target)
    response = RedirectResponse(target, status_code=303)
    secure = access.secure_cookie
    response.set_cookie(
        COOKIE,
        access.sessions.make(access.now()),
        max_age=access.sessions.seconds,
        path="/",
        secure=request.url.scheme == "https" if secure is None else secure,
        httponly=True,
        samesite="lax",
    )
    return response


@router.post("/dang-xuat")
async def sign_out(request: Request) -> Response:
    access = _access(request)
    if not _same_origin(request):
        return _page(
            request,
            403,
            {"level": "error", "text": "Biểu mẫu này phải được gửi từ chính trang của dịch vụ."},
        )
    cookie = request.cookies.get(COOKIE)
    if cookie and access.sessions is not None:
        access.sessions.end(cookie, access.now())
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
    return response
