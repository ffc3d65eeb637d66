"""GET /metrics (Prometheus text format), the request id and the JSON log lines (issue 31,
item 5).

A test scrapes, makes requests, scrapes again and checks that each counter moved by exactly
what those requests should have moved it: requests by route template and status, the latency
histogram of the route, searches answered and with nothing relevant. The generation served is
reported from its manifest (built_at, its age, the build's own record). With a token, /metrics
needs it like every route but /health. The request id comes back in ``X-Request-ID`` and is in
the JSON log line of its request.
"""

from __future__ import annotations

import json
import logging
import shutil

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from indexer.store import manifest as mf
from service.request.observe import JsonFormatter, request_id
from service.settings import Settings
from service.web.access import hash_token
from service.web.app import create_app
from service.web.metrics import UNMATCHED
from service.web.server import log_config
from tests.http import LOCAL, ServeProcess

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"


def scrape(client: TestClient, **kwargs) -> dict[tuple, float]:
    """Every sample of /metrics: (name, sorted labels) → value."""
    resp = client.get("/metrics", **kwargs)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(resp.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before: dict, after: dict, name: str, **labels) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


REQUESTS = "cchc_http_requests_total"
LATENCY = "cchc_http_request_duration_seconds_count"
SEARCHES = "cchc_searches_total"


# -- without an index (fast) -------------------------------------------------------------------
@pytest.fixture
def empty_client(tmp_path):
    app = create_app(Settings(index_dir=tmp_path / "no-index"))
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def test_requests_are_counted_by_route_template_and_status(empty_client):
    before = scrape(empty_client)
    assert value(before, "cchc_index_up") == 0  # no index: 503s, and the gauge says so
    for _ in range(3):
        assert empty_client.get("/health").status_code == 503
    assert empty_client.get(f"/documents/{KKT}").status_code == 503
    assert empty_client.get("/documents/khac").status_code == 503
    assert empty_client.get("/khong-co-duong-nay").status_code == 404
    after = scrape(empty_client)
    assert moved(before, after, REQUESTS, route="/health", method="GET", status="503") == 3
    # one series for every document: the template, not the path the client sent
    doc = {"route": "/documents/{doc_id}", "method": "GET", "status": "503"}
    assert moved(before, after, REQUESTS, **doc) == 2
    assert moved(before, after, REQUESTS, route=UNMATCHED, method="GET", status="404") == 1
    assert moved(before, after, LATENCY, route="/health") == 3
    assert moved(before, after, LATENCY, route="/documents/{doc_id}") == 2
    # the first scrape itself is counted by the second
    assert moved(before, after, REQUESTS, route="/metrics", method="GET", status="200") == 1
    assert not any("khac" in str(key) for key in after)


def test_metrics_obey_access_control(tmp_path):
    token = "mot-token-cho-metrics-0123456789-abcdefghijk"
    settings = Settings(index_dir=tmp_path / "no-index", token_hash=hash_token(token))
    with TestClient(create_app(settings), base_url=LOCAL) as c:
        refused = c.get("/metrics")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"]
        samples = scrape(c, headers={"Authorization": f"Bearer {token}"})
        # the refusal was counted, under its route
        assert value(samples, REQUESTS, route="/metrics", method="GET", status="401") == 1
        assert c.get("/health").status_code == 503  # /health stays open, as before


def test_request_id_is_echoed_or_made(empty_client):
    given = empty_client.get("/health", headers={"X-Request-ID": "abc-123.def:7"})
    assert given.headers["X-Request-ID"] == "abc-123.def:7"
    made = empty_client.get("/health")
    assert len(made.headers["X-Request-ID"]) == 32
    assert made.headers["X-Request-ID"] != empty_client.get("/health").headers["X-Request-ID"]
    for insane in ("", " x", "a b", "x" * 200, "<script>", 'a"b', "é"):
        assert request_id(insane) != insane
    assert request_id("req-1") == "req-1"


def test_json_log_line_carries_the_request_id(empty_client):
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("service.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        resp = empty_client.get("/health?q=secret", headers={"X-Request-ID": "trace-42"})
        resp2 = empty_client.get("/documents/x")
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    first, second = (json.loads(line) for line in lines[-2:])
    assert first["request_id"] == resp.headers["X-Request-ID"] == "trace-42"
    assert first["route"] == "/health" and first["status"] == 503 and first["method"] == "GET"
    assert first["path"] == "/health" and "secret" not in lines[-2]  # no query string logged
    assert first["level"] == "info" and first["logger"] == "service.access"
    assert isinstance(first["duration_ms"], float)
    assert second["request_id"] == resp2.headers["X-Request-ID"]
    assert second["route"] == "/documents/{doc_id}"


def test_log_config_json_formats_every_handler():
    config = log_config("json")
    assert {h["formatter"] for h in config["handlers"].values()} == {"json"}
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
    text = log_config("text")
    assert text["loggers"]["service.access"]["level"] == "WARNING"  # uvicorn's access log


# -- on the session index (slow) ---------------------------------------------------------------
@pytest.mark.slow
def test_searches_and_generation_are_reported(client, index_dir):
    before = scrape(client)
    name = mf.current_generation(index_dir)
    manifest = mf.read_manifest(index_dir / name)
    info = {"generation": name, "model": manifest["model"]["name"]}
    assert value(before, "cchc_index_up") == 1
    assert value(before, "cchc_index_generation_info", **info) == 1
    assert value(before, "cchc_index_documents") == manifest["counts"]["documents"] == 2
    built = value(before, "cchc_index_built_timestamp_seconds")
    assert built > 1.7e9 and 0 <= value(before, "cchc_index_age_seconds") < 86400
    # the build recorded itself in the manifest: how long it took and what it skipped
    assert manifest["build"]["skipped"] == 0 and manifest["build"]["seconds"] > 0
    assert value(before, "cchc_index_build_duration_seconds") == manifest["build"]["seconds"]
    assert value(before, "cchc_index_build_skipped_files") == 0

    answered = client.get("/search", params={"q": "ứng dụng trí tuệ nhân tạo", "k": 3})
    assert answered.status_code == 200 and answered.json()["answered"] is True
    nothing = client.get("/search", params={"q": "bóng đá ngoại hạng Anh mùa giải", "k": 3})
    assert nothing.status_code == 200 and nothing.json()["answered"] is False
    page = client.get("/", params={"q": "số hóa hồ sơ"})  # the page's search counts too
    assert page.status_code == 200
    refused = client.get("/search", params={"q": "x", "k": 0})
    assert refused.status_code == 422
    after = scrape(client)

    assert moved(before, after, SEARCHES, outcome="answered") == 2
    assert moved(before, after, SEARCHES, outcome="nothing_relevant") == 1
    assert moved(before, after, SEARCHES, outcome="unrated") == 0
    ok = {"route": "/search", "method": "GET", "status": "200"}
    assert moved(before, after, REQUESTS, **ok) == 2
    assert moved(before, after, REQUESTS, route="/search", method="GET", status="422") == 1
    assert moved(before, after, REQUESTS, route="/", method="GET", status="200") == 1
    assert moved(before, after, LATENCY, route="/search") == 3
    total = "cchc_http_request_duration_seconds_sum"
    assert moved(before, after, total, route="/search") > 0


@pytest.mark.slow
def test_serve_logs_json_lines_with_the_request_id(index_dir, tmp_path):
    """The real ``serve --log-format json`` (via CCHC_LOG_FORMAT): every line on stderr is a
    JSON object, and the access line of a request carries the id its response returned."""
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    with ServeProcess(index, env={"CCHC_LOG_FORMAT": "json"}) as server:
        import httpx

        resp = httpx.get(server.base + "/search", params={"q": "số hóa"}, timeout=60)
        rid = resp.headers["X-Request-ID"]
        got = httpx.get(server.base + "/health", headers={"X-Request-ID": "probe-1"})
        assert got.headers["X-Request-ID"] == "probe-1"
        metrics = httpx.get(server.base + "/metrics").text
        assert 'cchc_searches_total{outcome="answered"} 1.0' in metrics
        logged = server.stderr()
    records = [json.loads(line) for line in logged.splitlines() if line.strip()]
    access = [r for r in records if r["logger"] == "service.access"]
    search = [r for r in access if r["path"] == "/search"]
    assert search and search[0]["request_id"] == rid and search[0]["status"] == 200
    assert any(r.get("request_id") == "probe-1" and r["route"] == "/health" for r in access)
    assert any(r["logger"].startswith("uvicorn") for r in records)  # uvicorn's too, as JSON
