"""The service keeps answering: started before any index exists, during a real rebuild (with a
second build refused meanwhile), and with safe defaults (loopback, read-only, no traces).

- Start without an index: ``create_app`` on an empty directory answers 503 with the one error
  shape (and the web page's "Chưa có chỉ mục" message), then serves the index a build writes
  there, without restart.
- Serve during a rebuild: a real ``python -m service serve`` process over a one-plan index;
  a real ``python -m indexer build`` adds the second plan while a bounded loop keeps sending
  requests: none fails, the old generation answers during the build, the new one after.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from filelock import FileLock, Timeout

from indexer.build import build_index
from indexer.errors import IndexLockedError
from indexer.store import IndexReader
from indexer.store import manifest as mf
from service.settings import Settings
from service.web.app import create_app
from tests.commands import indexer_build
from tests.http import LOCAL

REPO = Path(__file__).resolve().parents[1]
KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
QUERIES = ["cải cách hành chính", "so hoa ho so", "câu lạc bộ tiếng Anh", "09-NQ/TW"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def error_message(resp, status: int) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"].strip() and "Traceback" not in resp.text
    return body["error"]["message"]


def one_plan_corpus(corpus_dir: Path, dst: Path) -> Path:
    dst.mkdir()
    shutil.copy(corpus_dir / f"{KKT}.txt", dst)
    return dst


# -- 3. start without an index -----------------------------------------------------------------
@pytest.fixture(scope="module")
def no_index_story(corpus_dir, embedder, tmp_path_factory):
    """A TestClient started on an empty directory; an index is built into it meanwhile."""
    root = tmp_path_factory.mktemp("no-index")
    index = root / "index"  # does not exist yet
    corpus = one_plan_corpus(corpus_dir, root / "corpus")
    story: dict = {"index": index}
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append
    logging.getLogger("service.live.holder").addHandler(handler)
    try:
        with TestClient(
            create_app(Settings(index_dir=index)), base_url=LOCAL, raise_server_exceptions=False
        ) as c:
            story["warnings"] = [r for r in records if r.levelno >= logging.WARNING]
            story["before"] = {
                "health": c.get("/health"),
                "search": c.get("/search", params={"q": "cải cách hành chính"}),
                "documents": c.get("/documents"),
                "page": c.get("/", params={"q": "cải cách"}),
            }
            build_index(corpus, index, embedder=embedder, quiet=True)
            deadline = time.monotonic() + 60
            while (health := c.get("/health")).status_code != 200:
                assert time.monotonic() < deadline, "the new index was not picked up"
                time.sleep(0.2)
            story["after"] = {
                "health": health,
                "search": c.get("/search", params={"q": "cải cách hành chính", "k": 3}),
                "documents": c.get("/documents"),
                "page": c.get("/", params={"q": "cải cách"}),
            }
    finally:
        logging.getLogger("service.live.holder").removeHandler(handler)
    return story


@pytest.mark.slow
def test_starts_without_an_index_with_one_warning(no_index_story):
    warnings = no_index_story["warnings"]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    assert "\n" not in line and str(no_index_story["index"]) in line  # the log names the dir


@pytest.mark.slow
def test_without_an_index_every_answer_is_a_clear_503(no_index_story):
    before = no_index_story["before"]
    for name in ("health", "search", "documents"):
        message = error_message(before[name], 503)
        assert "no index yet" in message and "make index" in message
        assert str(no_index_story["index"]) not in message  # no server path to clients
        assert before[name].json()["error"]["code"] == "index_not_found"
    page = before["page"]
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert "Chưa có chỉ mục" in page.text and "make index" in page.text


@pytest.mark.slow
def test_the_index_built_meanwhile_is_served_without_restart(no_index_story):
    after = no_index_story["after"]
    health = after["health"].json()
    assert health["status"] == "ok" and health["counts"]["documents"] == 1
    assert health["generation"] == mf.current_generation(no_index_story["index"])
    results = after["search"].json()["results"]
    assert len(results) == 3 and all(r["doc_id"] == KKT for r in results)
    assert [d["id"] for d in after["documents"].json()["documents"]] == [KKT]
    assert after["page"].status_code == 200 and "Chưa có chỉ mục" not in after["page"].text


# -- 4 + 5. serve during a rebuild; a second build meanwhile -----------------------------------
@pytest.fixture(scope="module")
def rebuild_story(index_dir, corpus_dir, tmp_path_factory):
    """A real server over a one-plan index while a real build adds the second plan."""
    root = tmp_path_factory.mktemp("serve-rebuild")
    index = root / "index"
    shutil.copytree(index_dir, index)
    corpus = one_plan_corpus(corpus_dir, root / "corpus")
    build_index(corpus, index, quiet=True)  # drops the 2026 plan (and its vectors): no embedding
    old = mf.current_generation(index)
    shutil.copy(corpus_dir / f"{YTE}.txt", corpus)

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--index", str(index), "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    story: dict = {"old": old, "index": index, "failures": [], "during": [], "after": []}
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as http:
            deadline = time.monotonic() + 180
            while True:
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
            story["listening"] = {
                c.laddr.ip
                for c in psutil.Process(server.pid).net_connections(kind="inet")
                if c.status == psutil.CONN_LISTEN
            }
            story["docs_before"] = [d["id"] for d in http.get("/documents").json()["documents"]]

            def start_build() -> subprocess.Popen:
                return subprocess.Popen(
                    indexer_build(corpus, index, "--quiet"),
                    cwd=REPO,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )

            gens_before = set(mf.generations(index))
            build = start_build()
            second = None
            i = 0
            limit = time.monotonic() + 600
            while time.monotonic() < limit:
                running = build.poll() is None
                if second is None and running and set(mf.generations(index)) - gens_before:
                    # the first build is writing its generation (embedding): try another one.
                    # The first is paused meanwhile (holding its lock), so the second meets the
                    # lock however busy the machine is: unpaused, the first could finish before
                    # the second, a new interpreter, even reached it.
                    build.send_signal(signal.SIGSTOP)
                    if _lock_is_held(index):
                        story["first_running_at_second_start"] = True
                        second = start_build()
                        while second.poll() is None and time.monotonic() < limit:
                            story["during"].append(
                                _probe(http, QUERIES[i % len(QUERIES)], story["failures"])
                            )
                            i += 1
                    build.send_signal(signal.SIGCONT)
                record = _probe(http, QUERIES[i % len(QUERIES)], story["failures"])
                i += 1
                if running:
                    story["during"].append(record)
                    continue
                story["after"].append(record)
                if record["generation"] not in (None, old) or len(story["after"]) >= 200:
                    break
            story["build"] = (build.wait(timeout=60), *build.communicate())
            story["second"] = (second.wait(timeout=120), *second.communicate()) if second else None
            story["docs_after"] = [d["id"] for d in http.get("/documents").json()["documents"]]
            story["final_search"] = http.get(
                "/search", params={"q": "ứng dụng trí tuệ nhân tạo", "k": 3}
            ).json()
            story["server_alive"] = server.poll() is None
            story["new"] = mf.current_generation(index)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        for proc in (locals().get("build"), locals().get("second")):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    return story


def _lock_is_held(index: Path) -> bool:
    """Whether a build holds the index's build lock (its own lock, taken and let go here)."""
    lock = FileLock(str(index / mf.LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def _probe(http: httpx.Client, query: str, failures: list) -> dict:
    """One /search and one /health; any non-200 or transport error is a failure."""
    record = {"generation": None, "hits": 0}
    try:
        search = http.get("/search", params={"q": query, "k": 5})
        health = http.get("/health")
    except httpx.HTTPError as exc:
        failures.append(f"{query}: {exc!r}")
        return record
    for resp in (search, health):
        if resp.status_code != 200:
            failures.append(f"{resp.request.url}: {resp.status_code} {resp.text[:200]}")
            return record
    record["generation"] = health.json()["generation"]
    record["hits"] = len(search.json()["results"])
    return record


@pytest.mark.slow
def test_no_request_fails_during_a_rebuild(rebuild_story):
    assert rebuild_story["failures"] == []
    assert len(rebuild_story["during"]) >= 5  # the loop really ran while the build did
    assert all(r["hits"] == 5 for r in rebuild_story["during"] + rebuild_story["after"])
    code, out, err = rebuild_story["build"]
    assert code == 0, err
    assert "1 added" in out


@pytest.mark.slow
def test_old_generation_answers_during_the_build_new_one_after(rebuild_story):
    old, new = rebuild_story["old"], rebuild_story["new"]
    assert new != old
    during = [r["generation"] for r in rebuild_story["during"]]
    assert set(during) <= {old, new}
    assert during[: len(during) // 2] == [old] * (len(during) // 2)  # CURRENT switches at the end
    assert rebuild_story["after"][-1]["generation"] == new
    assert rebuild_story["server_alive"]  # no restart
    assert rebuild_story["docs_before"] == [KKT]
    assert sorted(rebuild_story["docs_after"]) == [KKT, YTE]
    # the paragraph only the added plan has is found (among the top 3: what is tested here is
    # which generation answers, not the order of two close scores)
    found = rebuild_story["final_search"]["results"]
    assert any(r["doc_id"] == YTE and "ứng dụng AI" in r["text"] for r in found)


@pytest.mark.slow
def test_second_build_during_a_build_is_refused_and_the_index_is_intact(rebuild_story):
    assert rebuild_story.get("first_running_at_second_start")
    code, out, err = rebuild_story["second"]
    assert code == IndexLockedError.exit_code, (out, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "another build is running" in lines[0] and "build.lock" in lines[0]
    assert out == ""
    with IndexReader.open(rebuild_story["index"]) as r:
        assert r.generation == rebuild_story["new"]
        assert sorted(d.doc_id for d in r.documents()) == [KKT, YTE]
        assert r._ann.count == r._lexical.num_docs == r.manifest["counts"]["paragraphs"]
    assert mf.generations(rebuild_story["index"]) == sorted(
        [rebuild_story["old"], rebuild_story["new"]]
    )


# -- 6. safe defaults --------------------------------------------------------------------------
@pytest.mark.slow
def test_server_listens_on_loopback_only_by_default(rebuild_story):
    assert rebuild_story["listening"] == {"127.0.0.1"}


def test_default_host_is_loopback(monkeypatch):
    monkeypatch.delenv("CCHC_HOST", raising=False)
    assert Settings().host == "127.0.0.1"
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("CCHC_HOST", None)
    result = subprocess.run(
        [sys.executable, "-m", "service", "serve", "--help"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    host_line = next(ln for ln in result.stdout.splitlines() if "--host" in ln)
    assert "default: 127.0.0.1" in host_line  # (rich markup once ate "[default: …]")


def all_routes(routes) -> list:
    """Every route, including those of included routers (FastAPI wraps them)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None) or getattr(route, "app", None)
        if hasattr(inner, "routes") and not hasattr(route, "methods"):
            out += all_routes(inner.routes)
        else:
            out.append(route)
    return out


def test_the_api_exposes_no_method_that_writes(tmp_path):
    app = create_app(Settings(index_dir=tmp_path))
    assert app.debug is False
    routes = all_routes(app.routes)
    paths = {r.path for r in routes}
    assert {"/search", "/documents/{doc_id}", "/compare", "/mentions", "/", "/health"} <= paths
    # the only other method: the pages' sign-in and sign-out forms (POST), which set or end
    # a session cookie and change nothing else (service.web.routes.signin)
    sign_in = {"/dang-nhap", "/dang-xuat"}
    methods = {
        m
        for route in routes
        if route.path not in sign_in
        for m in (getattr(route, "methods", None) or ())
    }
    assert methods <= {"GET", "HEAD"}, methods
    posts = {r.path for r in routes if "POST" in (getattr(r, "methods", None) or ())}
    assert posts == sign_in, posts
    api = [r for r in routes if isinstance(r, APIRoute) and r.path not in sign_in]
    assert len(api) >= 10 and all(r.methods == {"GET"} for r in api)
    for ops in app.openapi()["paths"].values():
        assert set(ops) == {"get"}


@pytest.mark.slow
def test_unexpected_exceptions_never_show_a_trace(index_dir, monkeypatch):
    secret = f"boom at {index_dir}/catalog.sqlite"

    def boom(self, *args, **kwargs):
        raise RuntimeError(secret)

    monkeypatch.setattr(IndexReader, "documents", boom)
    monkeypatch.setattr(IndexReader, "paragraphs", boom)
    with TestClient(
        create_app(Settings(index_dir=index_dir)), base_url=LOCAL, raise_server_exceptions=False
    ) as c:
        for path in ("/documents", f"/documents/{KKT}", f"/compare?a={KKT}&b={KKT}"):
            resp = c.get(path)
            assert error_message(resp, 500) == "internal error; see the server log"
            assert resp.json()["error"]["code"] == "internal_error"
            assert secret not in resp.text and "Traceback" not in resp.text
        for path in ("/", f"/doc/{KKT}", "/trich-dan"):
            page = c.get(path)
            assert page.status_code == 500 and "text/html" in page.headers["content-type"]
            assert secret not in page.text and "Traceback" not in page.text
            assert str(index_dir) not in page.text
