"""The HTTP API over the real index: search, documents, health, and the one error shape."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from service.settings import Settings
from service.web.app import create_app
from tests.http import LOCAL

pytestmark = pytest.mark.slow  # every test needs the session index or the model

D25 = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
D26 = "2026-truong-cao-dang-y-te-khanh-hoa"


def assert_error(resp, status: int, code: str | None = None) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"] and "Traceback" not in resp.text
    if code:
        assert body["error"]["code"] == code
    return body["error"]["message"]


def test_health(client, index_dir):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["generation"] == (index_dir / "CURRENT").read_text().strip()
    assert body["model"] and body["counts"]["documents"] == 2


def test_search_ai_paraphrase_first(client):
    body = client.get("/search", params={"q": "ứng dụng trí tuệ nhân tạo"}).json()
    assert body["query"] == "ứng dụng trí tuệ nhân tạo"
    assert body["total"] == len(body["results"]) == 10
    top = body["results"][0]
    assert top["doc_id"] == D26 and top["year"] == 2026
    assert "ứng dụng AI" in top["text"] and "cơ quan hành chính nhà nước" in top["text"]
    for key in ("doc_id", "unit", "year", "section", "text", "score", "snippet", "paragraph_id"):
        assert key in top
    assert top["paragraph_id"].startswith(D26 + ":")


def test_search_without_diacritics(client):
    results = client.get("/search?q=so hoa ho so&k=3").json()["results"]
    assert any("số hóa hồ sơ" in r["text"] for r in results)
    assert any("<mark>số hóa hồ sơ</mark>" in r["snippet"] for r in results)


def test_search_filters(client):
    q = {"q": "tuyên truyền cải cách hành chính", "k": 50}
    by_year = client.get("/search", params={**q, "year": 2025}).json()["results"]
    assert by_year and {r["year"] for r in by_year} == {2025}
    by_unit = client.get("/search", params={**q, "unit": "Trường Cao đẳng Y tế Khánh Hòa"})
    assert {r["doc_id"] for r in by_unit.json()["results"]} == {D26}
    section = client.get("/search", params={**q, "section": "PHỤ LỤC"}).json()["results"]
    assert section and all(r["section"].startswith("PHỤ LỤC") for r in section)
    assert len(client.get("/search", params={**q, "k": 3}).json()["results"]) == 3


def test_unknown_unit_or_year_is_empty_not_an_error(client):
    for params in ({"unit": "Sở Không Tồn Tại"}, {"year": 1999}):
        resp = client.get("/search", params={"q": "cải cách", **params})
        assert resp.status_code == 200
        assert resp.json() == {
            "query": "cải cách",
            "total": 0,
            "answered": False,
            "results": [],
            "facets": {},
            "understood": {"topic": "cải cách", "constraints": [], "applied": "none"},
            "answer": None,
        }


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("", "q"),  # missing
        ("q=", "at least 1 character"),  # the schema says min_length 1
        ("q=%20%20%20", "empty"),
        ("q=" + "a" * 1001, "1000"),
        ("q=x&k=0", "k"),
        ("q=x&k=101", "k"),
        ("q=x&k=ten", "k"),
        ("q=x&year=abc", "year"),
    ],
)
def test_validation_errors_share_the_shape(client, query, fragment):
    message = assert_error(client.get(f"/search?{query}"), 422)
    assert fragment in message


def test_documents_list(client):
    body = client.get("/documents").json()
    assert body["total"] == 2
    docs = {d["id"]: d for d in body["documents"]}
    assert set(docs) == {D25, D26}
    assert docs[D26]["year"] == 2026 and docs[D26]["province"] == "Khánh Hòa"
    assert docs[D25]["unit"] == "Ban Quản lý Khu kinh tế và Khu công nghiệp"
    assert all(d["n_paragraphs"] > 20 and d["title"] for d in docs.values())


def test_document_detail(client):
    body = client.get(f"/documents/{D26}").json()
    assert body["id"] == D26 and body["n_paragraphs"] == len(body["paragraphs"])
    assert any("ứng dụng AI" in p["text"] for p in body["paragraphs"])
    assert len(body["tasks"]) == 22
    assert body["tasks"][6]["task"].startswith("Đối thoại với học sinh")


def test_unknown_document_names_the_valid_ids(client):
    message = assert_error(client.get("/documents/khong-co"), 404, "document_not_found")
    assert D25 in message and D26 in message


@pytest.mark.parametrize(
    "path",
    [
        "/documents/" + quote("../etc/passwd", safe=""),
        "/documents/..%2F..%2Fcorpus%2F" + D26,
        "/documents/../etc",
        "/documents/" + "x" * 300,
    ],
)
def test_path_like_ids_never_touch_files(client, path):
    resp = client.get(path)
    assert resp.status_code in (404, 422)
    assert_error(resp, resp.status_code)
    assert "root:" not in resp.text and "KẾ HOẠCH" not in resp.text


def test_read_only_and_unknown_routes(client):
    assert_error(client.post("/search?q=x"), 405)
    assert_error(client.delete(f"/documents/{D26}"), 405)
    assert_error(client.get("/no-such-endpoint"), 404, "not_found")


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/search", "/documents", "/documents/{doc_id}", "/health"} <= set(paths)


def test_unexpected_errors_hide_the_stack_trace(index_dir, monkeypatch):
    from service.search import Searcher

    def boom(self, *args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(Searcher, "search", boom)
    app = create_app(Settings(index_dir=index_dir))
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        resp = c.get("/search?q=x")
    assert_error(resp, 500, "internal_error")
    assert "secret internal detail" not in resp.text


def test_year_range_in_either_order(client):
    forward = client.get(
        "/search", params={"q": "chuyển đổi số", "year_from": 2026, "year_to": 2030}
    )
    backward = client.get(
        "/search", params={"q": "chuyển đổi số", "year_from": 2030, "year_to": 2026}
    )
    assert forward.status_code == backward.status_code == 200
    assert forward.json()["results"] == backward.json()["results"]
    assert {h["year"] for h in forward.json()["results"]} == {2026}
    assert set(forward.json()["facets"]["year"]) == {"2026"}


def test_search_and_compare_as_files_and_a_bad_format_is_a_422(client):
    from openpyxl import load_workbook

    r = client.get("/search", params={"q": "tuyên truyền", "k": 5, "format": "xlsx"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert r.headers["content-disposition"] == 'attachment; filename="tim-kiem-tuyen-truyen.xlsx"'
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 5 and all("/doc/" in row[6] for row in rows)
    assert {row[5] for row in rows} <= {"Rất liên quan", "Liên quan", "Gần đúng"}
    r = client.get("/compare", params={"a": D25, "b": D26, "format": "docx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.get("/search", params={"q": "tuyên truyền", "format": "pdf"})
    assert r.status_code == 422 and "format" in r.text


@pytest.mark.parametrize("q", ["*", "...", "? ! —", "«»"])
def test_a_query_of_punctuation_only_is_refused_with_a_reason(client, q):
    r = client.get("/search", params={"q": q})
    assert r.status_code == 422
    assert "no letter or digit" in r.json()["error"]["message"]
