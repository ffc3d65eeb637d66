"""Access control, the rate limit, the trusted proxy and /docs without a CDN (security review
N14).

Before: no authentication option of any kind and no rate limit — anyone who reached the port
read every plan and every export — and ``/docs`` loaded Swagger UI from cdn.jsdelivr.net. Now
(``service.web.access``): an optional token (only its scrypt hash is configured), taken as a
bearer token by the API and through a signed session cookie by the pages; a token bucket per
client address; an authenticating reverse proxy trusted from its configured addresses only;
``serve`` warns when it binds beyond the loopback with none of these; Swagger UI served from
the service's own files.

The app runs in process on an empty index folder (503 where a route needs the index), so what
is checked is the access decision; the pages' downloads are checked on the session index.
Clocks (sessions, buckets) are set by the tests, never waited for.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.settings import Settings
from service.web.access import (
    COOKIE,
    DEFAULT_RATE,
    Access,
    AccessConfigError,
    TokenHash,
    hash_token,
    read_token_file,
    safe_next,
)
from service.web.app import create_app
from tests.http import LOCAL

TOKEN = "dung-token-nay-cho-cac-bai-kiem-thu-0123456789"
HASH = hash_token(TOKEN)
BEARER = {"Authorization": f"Bearer {TOKEN}"}
KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
PAGES = ["/", f"/doc/{KKT}", "/so-sanh", "/trich-dan", "/bao-phu", "/docs"]
API = [
    "/documents",
    f"/documents/{KKT}",
    "/search?q=c%E1%BA%A3i",
    "/search?q=c%E1%BA%A3i&format=xlsx",
    f"/compare?a={KKT}&b={KKT}",
    f"/coverage?reference={KKT}",
    "/coverage/citations?format=csv",
    f"/coverage/changes?reference={KKT}&earlier=2025&later=2026",
    "/mentions?ref=09-NQ/TW",
    "/references",
    "/openapi.json",
    "/khong-co-duong-nay",
    "/metrics",  # a scraper sends the token too (docs/operations.md)
]
OPEN = ["/health", "/dang-nhap", "/static/style.css", "/docs/assets/swagger-ui.css"]


def get_paths(app) -> set[str]:
    """The path of every GET route, those of included routers too."""
    paths: set[str] = set()

    def walk(routes) -> None:
        for route in routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                paths.add(route.path)
            elif hasattr(route, "original_router"):  # FastAPI's included router
                walk(route.original_router.routes)

    walk(app.routes)
    return paths


class Clock:
    """Wall time for sessions and a monotonic tick for buckets, moved by the test."""

    def __init__(self) -> None:
        self.wall = 1_800_000_000.0
        self.mono = 1000.0

    def advance(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


def make_client(tmp_path: Path, clock: Clock | None = None, **settings) -> TestClient:
    app = create_app(Settings(index_dir=tmp_path / "no-index", **settings))
    if clock is not None:
        app.state.access.now = lambda: clock.wall
        app.state.access.tick = lambda: clock.mono
    client = settings.pop("_client", None)
    kwargs = {"client": client} if client else {}
    return TestClient(app, base_url=LOCAL, follow_redirects=False, **kwargs)


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def guarded(tmp_path, clock):
    with make_client(tmp_path, clock, token_hash=HASH) as c:
        yield c


def assert_unauthorized(r) -> None:
    assert r.status_code == 401, (r.request.url, r.status_code, r.text[:200])
    assert r.json() == {"error": {"code": "unauthorized", "message": r.json()["error"]["message"]}}
    assert r.headers["www-authenticate"].startswith("Bearer")


def sign_in(client: TestClient, token: str = TOKEN, next_: str = "/"):
    return client.post("/dang-nhap", data={"token": token, "next": next_})


# -- the token ---------------------------------------------------------------------------------
def test_only_a_salted_hash_is_kept():
    assert TOKEN not in HASH and HASH.startswith("scrypt:")
    assert hash_token(TOKEN) != HASH  # a new salt each time
    parsed = TokenHash.parse(HASH)
    assert parsed.matches(TOKEN) and not parsed.matches(TOKEN + "x")
    for bad in ("", "scrypt:1:2", "bcrypt:16384:8:1:AAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBB", TOKEN):
        with pytest.raises(AccessConfigError, match="python -m service token"):
            TokenHash.parse(bad)


def test_a_bad_token_hash_stops_the_app(tmp_path):
    with pytest.raises(AccessConfigError):
        create_app(Settings(index_dir=tmp_path, token_hash="not-a-hash"))
    with pytest.raises(AccessConfigError):
        create_app(Settings(index_dir=tmp_path, trusted_proxies=["proxy.example"]))


def test_the_token_command_prints_the_token_once_and_writes_the_hash(tmp_path):
    target = tmp_path / "token.env"
    result = CliRunner().invoke(cli, ["token", "--file", str(target)])
    assert result.exit_code == 0, result.output
    token = re.search(r"^token: (\S+)$", result.stdout, re.M).group(1)
    line = re.search(r"^(CCHC_TOKEN_HASH=\S+)$", result.stdout, re.M).group(1)
    assert target.read_text().strip() == line and token not in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o600
    hashed = read_token_file(target)
    assert TokenHash.parse(hashed).matches(token)
    with make_client(tmp_path, token_file=target) as c:  # the file configures the service
        assert_unauthorized(c.get("/documents"))
        assert c.get("/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 503


# -- the API -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", API)
def test_no_token_wrong_token_right_token(guarded, path):
    assert_unauthorized(guarded.get(path))
    assert_unauthorized(guarded.get(path, headers={"Authorization": "Bearer nope"}))
    assert_unauthorized(guarded.get(path, headers={"Authorization": f"Basic {TOKEN}"}))
    assert_unauthorized(guarded.get(path, headers={"Authorization": f"Bearer {TOKEN}x"}))
    ok = guarded.get(path, headers=BEARER)
    assert ok.status_code != 401, ok.text  # past the check: 503 (no index), 404, 200
    if path == "/openapi.json":
        assert ok.status_code == 200 and ok.json()["components"]["securitySchemes"]["bearer"]


@pytest.mark.parametrize("path", OPEN)
def test_health_sign_in_and_static_files_stay_open(guarded, path):
    r = guarded.get(path)
    assert r.status_code in (200, 503), (path, r.status_code)  # /health: 503 without an index
    assert r.status_code != 401


def test_with_a_token_only_health_answers_without_it(guarded):
    """Every GET route of the app (read from its routes, so a new one is covered): refused
    without the token, except /health, the sign-in page and the static files."""
    paths = get_paths(guarded.app)
    assert "/health" in paths and "/search" in paths
    for path in sorted(paths):
        url = path.replace("{doc_id}", KKT).replace("{name}", "style.css")
        r = guarded.get(url)
        if path in ("/health", "/dang-nhap", "/static/{name}", "/docs/assets/{name}"):
            assert r.status_code not in (401, 303), path
        elif path in PAGES or path.startswith("/doc/"):
            assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap"), path
        else:
            assert_unauthorized(r)
    assert guarded.head("/documents").status_code == 401


def test_without_a_token_nothing_changes(tmp_path):
    with make_client(tmp_path) as c:
        assert c.get("/documents").status_code == 503  # no index, no check
        assert c.get("/dang-nhap").status_code == 303  # nothing to sign in with
        assert "securitySchemes" not in c.get("/openapi.json").json().get("components", {})


# -- pages and sessions ------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_a_page_redirects_to_the_sign_in_page_and_back(guarded, page):
    r = guarded.get(page + "?q=c%E1%BA%A3i")
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/dang-nhap?next=")
    back = parse_qs(urlsplit(location).query)["next"][0]
    assert back == page + "?q=c%E1%BA%A3i"
    form = guarded.get(location)
    assert (
        form.status_code == 200 and 'name="token"' in form.text and 'type="password"' in form.text
    )
    assert f'value="{back}"' in form.text.replace("&amp;", "&")
    signed = sign_in(guarded, next_=back)
    assert signed.status_code == 303 and signed.headers["location"] == back


def test_sign_in_sets_a_safe_cookie_and_sign_out_ends_it(guarded, clock):
    wrong = sign_in(guarded, "not-the-token")
    assert wrong.status_code == 401 and "không đúng" in wrong.text and COOKIE not in wrong.cookies
    r = sign_in(guarded)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=43200" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; over https it is Secure (below)
    assert TOKEN not in cookie
    assert guarded.get("/documents").status_code == 503  # in: the cookie works for the API
    page = guarded.get("/so-sanh")
    assert page.status_code in (200, 503) and "Đăng xuất" in page.text
    value = guarded.cookies[COOKIE]
    out = guarded.post("/dang-xuat")
    assert out.status_code == 303 and out.headers["location"] == "/dang-nhap"
    assert_unauthorized(guarded.get("/documents"))
    # the same cookie sent again (copied before sign-out) is refused too
    assert_unauthorized(guarded.get("/documents", headers={"Cookie": f"{COOKIE}={value}"}))


def test_an_expired_session_is_refused(guarded, clock):
    sign_in(guarded)
    assert guarded.get("/documents").status_code == 503
    clock.advance(12 * 3600 - 5)
    assert guarded.get("/documents").status_code == 503
    clock.advance(10)
    assert_unauthorized(guarded.get("/documents"))
    assert guarded.get("/").status_code == 303


def test_a_tampered_cookie_is_refused(guarded):
    sign_in(guarded)
    value = guarded.cookies[COOKIE]
    guarded.cookies.clear()
    version, expiry, nonce, signature = value.split(".")
    forged = [
        f"{version}.{int(expiry) + 10**6}.{nonce}.{signature}",  # a later expiry
        f"{version}.{expiry}.{nonce}x.{signature}",
        f"{version}.{expiry}.{nonce}.{signature[:-2]}AA",
        f"{version}.{expiry}.{nonce}.",
        "v1.9999999999.abc.def",
        "",
        value + ".x",
    ]
    for bad in forged:
        assert_unauthorized(guarded.get("/documents", headers={"Cookie": f"{COOKIE}={bad}"}))
    assert guarded.get("/documents", headers={"Cookie": f"{COOKIE}={value}"}).status_code == 503


def test_a_cookie_signed_for_another_token_is_refused(tmp_path, clock):
    with make_client(tmp_path, clock, token_hash=hash_token("another-token")) as other:
        other.post("/dang-nhap", data={"token": "another-token", "next": "/"})
        value = other.cookies[COOKIE]
    with make_client(tmp_path, clock, token_hash=HASH) as c:
        assert_unauthorized(c.get("/documents", headers={"Cookie": f"{COOKIE}={value}"}))


def test_the_cookie_is_secure_over_https_or_when_set(tmp_path, clock):
    with make_client(tmp_path, clock, token_hash=HASH) as c:
        c.base_url = "https://127.0.0.1"
        assert "Secure" in sign_in(c).headers["set-cookie"]
    with make_client(tmp_path, clock, token_hash=HASH, session_cookie_secure=True) as c:
        assert "Secure" in sign_in(c).headers["set-cookie"]


def test_sign_in_refuses_another_sites_form_and_a_foreign_next(guarded):
    r = guarded.post(
        "/dang-nhap", data={"token": TOKEN}, headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 403 and COOKIE not in r.headers.get("set-cookie", "")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/dang-xuat"):
        assert safe_next(target) == "/"
        r = sign_in(guarded, next_=target)
        assert r.status_code == 303 and r.headers["location"] == "/"
    assert safe_next("/so-sanh?a=1&b=2") == "/so-sanh?a=1&b=2"
    assert guarded.post("/dang-nhap", content=b"token=" + b"x" * 5000).status_code == 413


@pytest.mark.slow
def test_the_pages_downloads_work_with_a_session(index_dir, clock):
    """The search page's, the citations page's and a coverage download, signed in."""
    app = create_app(Settings(index_dir=index_dir, token_hash=HASH))
    app.state.access.now = lambda: clock.wall
    with TestClient(app, base_url=LOCAL, follow_redirects=False) as c:
        assert c.get("/?q=c%E1%BA%A3i%20c%C3%A1ch").status_code == 303
        sign_in(c)
        page = c.get("/?q=c%E1%BA%A3i%20c%C3%A1ch")
        assert page.status_code == 200
        links = re.findall(r'href="(/search\?[^"]*format=(?:xlsx|docx))"', page.text)
        mentions = c.get("/trich-dan")
        links += re.findall(r'href="(/coverage/citations\?[^"]*)"', mentions.text)
        links.append(f"/coverage?reference={KKT}&format=csv")
        assert len(links) >= 6, links
        for link in links:
            r = c.get(link.replace("&amp;", "&"))
            assert r.status_code == 200, (link, r.text[:200])
            assert r.headers["content-disposition"].startswith("attachment")
        c.cookies.clear()
        for link in links:
            assert_unauthorized(c.get(link.replace("&amp;", "&")))


# -- the rate limit ----------------------------------------------------------------------------
def test_rate_limit_429_then_recovery(tmp_path, clock):
    with make_client(tmp_path, clock, rate_limit=3) as c:
        for _ in range(3):
            assert c.get("/health").status_code == 503  # let through (no index here)
        r = c.get("/health")
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "rate_limited"
        assert r.headers["retry-after"] == "20"  # one request every 20 s at 3 a minute
        clock.advance(19)
        assert c.get("/documents").status_code == 429
        clock.advance(1.5)
        assert c.get("/documents").status_code == 503  # one more allowed
        assert c.get("/documents").status_code == 429
        clock.advance(60)
        assert [c.get("/health").status_code for _ in range(4)] == [503, 503, 503, 429]


def test_each_client_address_has_its_own_bucket(tmp_path, clock):
    app = create_app(Settings(index_dir=tmp_path, rate_limit=1))
    app.state.access.tick = lambda: clock.mono
    with (
        TestClient(app, base_url=LOCAL, client=("10.0.0.1", 1)) as a,
        TestClient(app, base_url=LOCAL, client=("10.0.0.2", 1)) as b,
    ):
        assert a.get("/health").status_code == 503 and a.get("/health").status_code == 429
        assert b.get("/health").status_code == 503


def test_the_rate_limit_defaults(tmp_path):
    def rate(**settings) -> int:
        limiter = Access.from_settings(Settings(index_dir=tmp_path, **settings)).limiter
        return 0 if limiter is None else int(limiter.capacity)

    assert rate() == 0  # the loopback, no token: off
    assert rate(host="0.0.0.0") == DEFAULT_RATE
    assert rate(token_hash=HASH) == DEFAULT_RATE
    assert rate(token_hash=HASH, rate_limit=0) == 0
    assert rate(rate_limit=30) == 30


# -- the reverse proxy -------------------------------------------------------------------------
def proxy_client(tmp_path, address: str, clock: Clock | None = None, **settings) -> TestClient:
    app = create_app(Settings(index_dir=tmp_path, trusted_proxies=["10.9.0.0/24"], **settings))
    if clock is not None:
        app.state.access.tick = lambda: clock.mono
    return TestClient(app, base_url=LOCAL, follow_redirects=False, client=(address, 4321))


def test_the_proxy_user_header_is_believed_from_a_trusted_proxy_only(tmp_path):
    user = {"X-Forwarded-User": "nguyen.van.a"}
    with proxy_client(tmp_path, "10.9.0.5") as trusted:
        assert trusted.get("/documents", headers=user).status_code == 503  # let in
        assert_unauthorized(trusted.get("/documents"))  # the proxy named nobody
        assert_unauthorized(trusted.get("/documents", headers={"X-Forwarded-User": " "}))
        assert trusted.get("/", headers=user).status_code != 303
    with proxy_client(tmp_path, "10.9.1.5") as direct:  # not the proxy: the header is ignored
        assert_unauthorized(direct.get("/documents", headers=user))
        assert direct.get("/", headers=user).status_code == 303
    with proxy_client(tmp_path, "127.0.0.1") as local:  # nor is the loopback trusted unasked
        assert_unauthorized(local.get("/documents", headers=user))


def test_a_trusted_proxy_names_the_client_and_the_scheme(tmp_path, clock):
    """The rate limit counts the client the proxy names (not the proxy), and a forged
    X-Forwarded-For hop written by the client does not move it; https makes Secure links."""
    with proxy_client(tmp_path, "10.9.0.5", clock, rate_limit=1) as c:
        hdr = {"X-Forwarded-User": "a", "X-Forwarded-For": "192.0.2.1"}
        assert c.get("/documents", headers=hdr).status_code == 503
        assert c.get("/documents", headers=hdr).status_code == 429
        other = {"X-Forwarded-User": "b", "X-Forwarded-For": "192.0.2.1, 192.0.2.2"}
        assert c.get("/documents", headers=other).status_code == 503  # its own bucket
        spoof = {"X-Forwarded-User": "a", "X-Forwarded-For": "198.51.100.7, 192.0.2.1"}
        assert c.get("/documents", headers=spoof).status_code == 429  # still 192.0.2.1
    with proxy_client(tmp_path, "10.9.1.5", clock, rate_limit=1) as direct:
        forged = {"X-Forwarded-For": "192.0.2.9"}
        direct.get("/health", headers=forged)
        assert direct.get("/health", headers={"X-Forwarded-For": "192.0.2.10"}).status_code == 429


# -- /docs and the serve warning ---------------------------------------------------------------
def test_docs_load_nothing_from_another_host(tmp_path):
    with make_client(tmp_path) as c:
        page = c.get("/docs")
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "jsdelivr" not in page.text
        hosts = re.findall(r'(?:src|href)="([^"]*)"', page.text)
        assert hosts and all(h.startswith("/") or h.startswith("data:") for h in hosts), hosts
        assert "default-src 'none'" in page.headers["content-security-policy"]
        for h in hosts:
            if h.startswith("/"):
                asset = c.get(h)
                assert asset.status_code == 200 and len(asset.content) > 100, h
        init = c.get("/docs/assets/swagger-init.js").text
        assert "validatorUrl: null" in init and "/openapi.json" in init
        assert c.get("/redoc").status_code == 404
        assert c.get("/docs/assets/LICENSE").status_code == 404  # only the three files
        assert c.get("/docs/assets/..%2F..%2Fapp.py").status_code == 404


def serve_output(monkeypatch, tmp_path, *args: str, **env: str) -> str:
    """What ``serve`` prints before it opens the index (none here: it stops there)."""
    for name in [n for n in __import__("os").environ if n.startswith("CCHC_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["serve", "--index", str(tmp_path / "none"), *args])
    assert result.exit_code != 0  # no index: it stops before binding
    return result.output


def test_serve_beyond_the_loopback_without_access_control_warns(monkeypatch, tmp_path):
    out = serve_output(monkeypatch, tmp_path, "--host", "0.0.0.0")
    warning = [line for line in out.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1, out
    assert "0.0.0.0" in warning[0] and "without access control" in warning[0]
    assert "python -m service token" in warning[0] and "CCHC_TRUSTED_PROXIES" in warning[0]
    for quiet in (
        serve_output(monkeypatch, tmp_path),
        serve_output(monkeypatch, tmp_path, "--host", "::1"),
        serve_output(monkeypatch, tmp_path, "--host", "0.0.0.0", CCHC_TOKEN_HASH=HASH),
        serve_output(
            monkeypatch, tmp_path, "--host", "0.0.0.0", CCHC_TRUSTED_PROXIES='["10.0.0.1"]'
        ),
    ):
        assert "warning:" not in quiet, quiet
    bad = serve_output(monkeypatch, tmp_path, CCHC_TOKEN_HASH="x")
    assert "not a token hash" in bad


def test_every_setting_is_documented():
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 20, name


def test_a_token_is_hashed_off_the_event_loop(guarded, monkeypatch):
    """scrypt (~50 ms) runs on a worker thread, for the API and for the sign-in form, so
    wrong tokens cannot stall every other request; a token seen once is not hashed again."""
    import asyncio

    where: list[bool] = []
    real = TokenHash.matches

    def recording(self, token):
        try:
            asyncio.get_running_loop()
            where.append(True)
        except RuntimeError:
            where.append(False)
        return real(self, token)

    monkeypatch.setattr(TokenHash, "matches", recording)
    assert_unauthorized(guarded.get("/documents", headers={"Authorization": "Bearer wrong-1"}))
    assert guarded.get("/documents", headers=BEARER).status_code == 503
    assert sign_in(guarded, "wrong-2").status_code == 401
    assert where == [False, False, False]
    for _ in range(3):  # known now: no more hashing
        guarded.get("/documents", headers=BEARER)
        guarded.get("/documents", headers={"Authorization": "Bearer wrong-1"})
    assert len(where) == 3
