"""Request time budget and cancellation (issue 13, item 3/4): a search or comparison over
``request_timeout`` answers 503 with a message and stops computing; one whose client has left
stops too. Before: no limit, and a comparison went on computing 150 s after its client left.

The work is real: the comparison of the two real plans (≈0.6 s of CPU here) against budgets far
below it; cancellation is observed in the service's own log (``service.web.timeout``).
"""

from __future__ import annotations

import logging
import random
import shutil
import socket
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from indexer.build import build_index
from service.settings import Settings
from service.web.app import create_app
from tests.http import LOCAL, ServeProcess

pytestmark = pytest.mark.slow  # every test needs the session index or the model

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"


@pytest.fixture(scope="module")
def tight(index_dir):
    """The real app with a 5 ms budget (spent before a comparison reaches its first
    checkpoint, whatever the machine's load), and the service.web.timeout log records."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.INFO)
    handler.emit = records.append
    logger = logging.getLogger("service.web.timeout")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    app = create_app(Settings(index_dir=index_dir, request_timeout=0.005))
    try:
        with TestClient(app, base_url=LOCAL) as c:
            yield c, records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def _wait_for(records: list, text: str, seconds: float = 120) -> logging.LogRecord:
    """The first log record holding ``text``, waiting for it as long as a busy machine may need
    (the work stops at its next checkpoint: within a second here when the machine is idle)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for r in records:
            if text in r.getMessage():
                return r
        time.sleep(0.05)
    raise AssertionError(f"no log line with {text!r}: {[r.getMessage() for r in records]}")


def test_a_comparison_over_budget_is_503_and_stops(tight, client):
    c, records = tight
    full = client.get("/compare", params={"a": KKT, "b": YTE})  # no budget: it finishes
    assert full.status_code == 200

    records.clear()
    resp = c.get("/compare", params={"a": KKT, "b": YTE})
    assert resp.status_code == 503
    body = resp.json()["error"]
    assert body["code"] == "request_timeout" and "longer than 0.005 s" in body["message"]
    stopped = _wait_for(records, "abandoned work")
    assert "stopped at a checkpoint" in stopped.getMessage()  # it did not run to the end


def test_a_search_over_budget_is_503(index_dir):
    app = create_app(Settings(index_dir=index_dir, request_timeout=0.001, query_cache=0))
    with TestClient(app, base_url=LOCAL) as c:
        resp = c.get("/search", params={"q": "đánh giá chỉ số cải cách hành chính cấp tỉnh"})
    assert resp.status_code == 503
    assert "request_timeout" in resp.json()["error"]["message"]


def test_the_compare_page_over_budget_is_a_sentence(tight):
    c, _ = tight
    resp = c.get("/so-sanh", params={"a": KKT, "b": YTE})
    assert resp.status_code == 503 and resp.headers["content-type"].startswith("text/html")
    assert "Quá thời gian xử lý" in resp.text and "Traceback" not in resp.text


def test_within_budget_nothing_changes(client):
    resp = client.get("/compare", params={"a": KKT, "b": YTE})
    assert resp.status_code == 200 and resp.json()["summary"]["counts"]["same"] > 0


@pytest.fixture(scope="module")
def long_index(index_dir, reader, tmp_path_factory) -> Path:
    """The session index plus two long plans (1,272 paragraphs each) made of the real plans'
    paragraphs in two shuffled orders: their vectors are reused, so the build embeds almost
    nothing, and comparing them takes ≈1.5 s of CPU here (the real pair: ≈0.2 s)."""
    root = tmp_path_factory.mktemp("long")
    corpus = root / "corpus"
    corpus.mkdir()
    texts = [
        p.text
        for d in reader.documents()
        for p in reader.paragraphs(d.doc_id)
        if p.kind != "heading" and len(p.text) > 30
    ]
    for name, seed in (("long-a", 1), ("long-b", 2)):
        rnd, lines = random.Random(seed), ["KẾ HOẠCH", "", "Thử nghiệm so sánh dài", ""]
        for n in range(8):
            shuffled = texts[:]
            rnd.shuffle(shuffled)
            lines += ["", f"{n + 1}. Phần {n + 1}", *(f"- {t}" for t in shuffled)]
        (corpus / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
    shutil.copytree(index_dir, root / "index")
    build_index(corpus, root / "index", quiet=True)
    return root / "index"


def test_a_comparison_whose_client_leaves_stops(long_index):
    """A real server; the client sends /compare, then hangs up before the answer."""
    with ServeProcess(long_index, env={"CCHC_REQUEST_TIMEOUT": "0"}) as srv:
        warm = httpx.get(srv.base + "/compare", params={"a": "long-a", "b": "long-a"}, timeout=60)
        assert warm.status_code == 200  # loads the word segmenter the summary uses
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        request = "GET /compare?a=long-a&b=long-b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        sock.sendall(request.encode())
        time.sleep(0.15)
        sock.close()
        deadline = time.monotonic() + 120  # a wait, not a bound: seconds when idle
        while "abandoned work" not in srv.stderr() and time.monotonic() < deadline:
            time.sleep(0.1)
        log = srv.stderr()
    assert "/compare abandoned: the client left" in log, log
    assert "/compare: abandoned work stopped at a checkpoint" in log, log
