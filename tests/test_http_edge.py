"""The HTTP edge (issue 13, item 8): HEAD wherever GET is, a forged Host refused before any
redirect, security headers on every response, and, on a real ``python -m service serve``,
idle and slow connections closed and oversized request heads refused.

Before: HEAD answered 405 everywhere (``/health`` included), ``GET /search/`` with
``Host: evil.example`` redirected to ``http://evil.example/search``, no response carried
``nosniff`` or a framing rule, and a connection that sent nothing (or its headers one byte at a
time) stayed open as long as the client wished.
"""

from __future__ import annotations

import socket
import time

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from indexer.store import IndexReader
from service.settings import Settings
from service.web.app import create_app
from service.web.middleware import SECURITY_HEADERS, host_allowed
from tests.http import LOCAL, ServeProcess

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
GETS = [
    "/health",
    "/metrics",
    "/documents",
    f"/documents/{KKT}",
    "/search?q=c%E1%BA%A3i%20c%C3%A1ch&k=2",
    "/mentions?ref=09-NQ/TW",
    "/references",
    f"/compare?a={KKT}&b={KKT}",
    "/",
    f"/doc/{KKT}",
    "/trich-dan",
    f"/so-sanh?a={KKT}&b={KKT}",
    f"/bao-phu?reference={KKT}",
    f"/coverage?reference={KKT}",
    "/coverage/citations",
    "/tasks?year=2026&sort=due",
    "/nhiem-vu?year=2026&theo=chu-tri",
    f"/coverage/changes?reference={KKT}&earlier=2025&later=2026",
    "/static/style.css",
    "/openapi.json",
    "/docs",
    "/docs/assets/swagger-ui.css",
    "/dang-nhap",  # a redirect to / without a token
    "/documents/khong-co",  # 404
    "/search?q=x&k=0",  # 422
]


def assert_security_headers(resp) -> None:
    for name, value in SECURITY_HEADERS.items():
        got = resp.headers.get(name)
        if name == "Content-Security-Policy" and resp.request.url.path == "/docs":
            assert got and value in got, (name, got)  # a stricter policy that keeps this rule
            continue
        assert got == value, (resp.request.url, name, resp.headers)


def get_paths(app) -> set[str]:
    """The path of every GET route, those of included routers too (FastAPI keeps them in
    an included router, not in ``app.routes``)."""
    paths: set[str] = set()

    def walk(routes) -> None:
        for route in routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                paths.add(route.path)
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)

    walk(app.routes)
    return paths


# -- in process --------------------------------------------------------------------------------
@pytest.mark.slow
def test_every_get_route_is_listed_here(client):
    """So a new GET route is added to GETS (and so checked for HEAD and headers)."""
    paths = get_paths(client.app)
    assert len(paths) > 15  # every route is seen
    listed = {p.split("?")[0] for p in GETS}
    for path in paths:
        prefix = path.split("{")[0]
        assert any(p.startswith(prefix) for p in listed), path


@pytest.mark.parametrize("path", GETS)
@pytest.mark.slow
def test_head_answers_like_get_without_a_body(client, path):
    get = client.get(path, follow_redirects=False)
    head = client.head(path, follow_redirects=False)
    assert head.status_code == get.status_code, (path, head.status_code)
    assert head.content == b""
    assert head.headers.get("content-type") == get.headers.get("content-type")
    # /metrics counts the requests themselves: the GET before the HEAD changes its body
    if "content-length" in get.headers and path != "/metrics":
        assert head.headers["content-length"] == get.headers["content-length"]
    elif path == "/metrics":
        assert int(head.headers["content-length"]) > 0


@pytest.mark.parametrize("path", GETS)
@pytest.mark.slow
def test_security_headers_on_every_response(client, path):
    assert_security_headers(client.get(path))


@pytest.mark.slow
def test_security_headers_on_a_500_too(index_dir, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(IndexReader, "documents", boom)
    app = create_app(Settings(index_dir=index_dir))
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        resp = c.get("/documents")
    assert resp.status_code == 500
    assert_security_headers(resp)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
@pytest.mark.slow
def test_a_forged_host_is_refused_not_echoed(client, host):
    resp = client.get("/search/", headers={"Host": host}, follow_redirects=False)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "invalid_host"
    assert "evil" not in resp.text and "evil" not in str(resp.headers)
    assert_security_headers(resp)


@pytest.mark.slow
def test_an_allowed_host_keeps_the_trailing_slash_redirect(client):
    resp = client.get("/search/", headers={"Host": "localhost:8000"}, follow_redirects=False)
    assert resp.status_code == 307
    assert resp.headers["location"].startswith("http://localhost:8000/search")


@pytest.mark.slow
def test_allowed_hosts_default_to_loopback_and_the_bound_host(index_dir):
    app = create_app(Settings(index_dir=index_dir, host="10.1.2.3"))
    assert app.state.allowed_hosts == ["127.0.0.1", "localhost", "::1", "10.1.2.3"]
    app = create_app(Settings(index_dir=index_dir, allowed_hosts=["search.example.org"]))
    assert app.state.allowed_hosts == ["search.example.org"]


@pytest.mark.parametrize(
    ("host", "allowed", "ok"),
    [
        ("127.0.0.1:8000", ["127.0.0.1"], True),
        ("LOCALHOST", ["localhost"], True),
        ("[::1]:8000", ["::1"], True),
        ("[::1]", ["[::1]"], True),
        ("a.example.org", ["*.example.org"], True),
        ("example.org", ["*.example.org"], False),
        ("badexample.org", ["*.example.org"], False),
        ("anything", ["*"], True),
        ("", ["localhost"], False),
        ("localhost.evil", ["localhost"], False),
    ],
)
def test_host_matching(host, allowed, ok):
    assert host_allowed(host, allowed) is ok


# -- a real server -----------------------------------------------------------------------------
KEEP_ALIVE, HEAD_TIMEOUT = 1, 2.0


@pytest.fixture(scope="module")
def server(index_dir):
    env = {
        "CCHC_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE),
        "CCHC_HEADER_TIMEOUT": str(HEAD_TIMEOUT),
        "CCHC_MAX_HEADER_BYTES": "4096",
    }
    with ServeProcess(index_dir, env=env) as srv:
        yield srv


def _connect(srv: ServeProcess) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.settimeout(10)
    return sock


def _closed_after(sock: socket.socket, start: float) -> float:
    """Seconds from ``start`` until the server closed ``sock`` (reads what it sent)."""
    with sock:
        while sock.recv(65536):
            pass
    return time.monotonic() - start


def _request(path: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()


@pytest.mark.slow
def test_a_connection_that_sends_nothing_is_closed(server):
    start = time.monotonic()
    elapsed = _closed_after(_connect(server), start)
    assert HEAD_TIMEOUT - 0.5 <= elapsed < HEAD_TIMEOUT + 3, elapsed


@pytest.mark.slow
def test_a_slowloris_head_is_cut_off(server):
    sock = _connect(server)
    start = time.monotonic()
    head = _request("/health", "X-Slow: " + "a" * 40 + "\r\n")
    closed = False
    for byte in head[:-2]:  # never completes: one byte every 0.2 s
        try:
            sock.sendall(bytes([byte]))
        except OSError:  # reset or broken pipe: the server closed it
            closed = True
            break
        if time.monotonic() - start > HEAD_TIMEOUT + 3:
            break
        time.sleep(0.2)
    elapsed = time.monotonic() - start if closed else _closed_after(sock, start)
    assert elapsed < HEAD_TIMEOUT + 3, elapsed


@pytest.mark.slow
def test_an_idle_keep_alive_connection_is_closed(server):
    sock = _connect(server)
    sock.sendall(_request("/health"))
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    start = time.monotonic()
    elapsed = _closed_after(sock, start)
    assert elapsed < KEEP_ALIVE + 2, elapsed


@pytest.mark.slow
def test_a_second_request_on_the_connection_has_the_same_deadline(server):
    sock = _connect(server)
    sock.sendall(_request("/health"))
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    start = time.monotonic()
    for _ in range(int((KEEP_ALIVE + HEAD_TIMEOUT + 3) / 0.2)):  # trickle a second head
        try:
            sock.sendall(b"G")
        except OSError:
            break
        time.sleep(0.2)
    assert time.monotonic() - start < KEEP_ALIVE + HEAD_TIMEOUT + 3


@pytest.mark.slow
def test_an_oversized_head_is_refused(server):
    sock = _connect(server)
    sock.sendall(_request("/health", "X-Big: " + "a" * 8000 + "\r\n"))
    with sock:
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 431")


@pytest.mark.slow
def test_the_real_server_answers_head_and_sets_the_headers(server):
    import httpx

    head = httpx.head(server.base + "/health")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0
    assert_security_headers(head)
    assert "server" not in head.headers  # no software banner
    forged = httpx.get(server.base + "/search/", headers={"Host": "evil.example"})
    assert forged.status_code == 400 and "evil" not in forged.text
