"""GET /mentions, GET /references and the `mentions` CLI command over the real index
(the session fixture ``index_dir`` in conftest.py: both real plans, real embedder)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indexer.errors import InvalidQueryError, ReferenceNotFoundError
from service.cli import app as cli_app
from service.mentions import find_mentions
from tests.http import app_client

pytestmark = pytest.mark.slow  # every test needs the session index or the model

GOLD = json.loads((Path(__file__).parent / "gold/references.json").read_text(encoding="utf-8"))[
    "plans"
]
P2025 = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
P2026 = "2026-truong-cao-dang-y-te-khanh-hoa"


def per_plan(body: dict) -> Counter:
    return Counter(m["doc_id"] for m in body["mentions"])


def test_09_nq_tw_three_mentions_in_each_plan(client):
    r = client.get("/mentions", params={"ref": "09-NQ/TW"})
    assert r.status_code == 200
    body = r.json()
    assert body["keys"] == ["09-NQ/TW"] and body["total"] == 6
    assert per_plan(body) == {P2025: 3, P2026: 3}
    for m in body["mentions"]:
        a, b = m["span"]
        assert m["text"][a:b] == m["raw"] and "09-NQ/TW" in m["raw"]
    assert body["candidates"][0]["issuer"] == "Bộ Chính trị"
    assert body["candidates"][0]["per_plan"] == {P2025: 3, P2026: 3}


@pytest.mark.parametrize(
    "ref", ["Nghị quyết số 09-NQ/TW", "NQ 09-NQ/TW", "09/NQ-TW", "Nghị quyết 09 của Bộ Chính trị"]
)
def test_other_writings_find_the_same_mentions(client, ref):
    body = client.get("/mentions", params={"ref": ref}).json()
    assert body["keys"] == ["09-NQ/TW"] and per_plan(body) == {P2025: 3, P2026: 3}


def test_72_qd_tu_finds_the_split_one_in_2025(client):
    body = client.get("/mentions", params={"ref": "72-QĐ/TU", "year": 2025}).json()
    assert body["total"] == 1
    m = body["mentions"][0]
    assert m["doc_id"] == P2025 and m["date"] == "2025-07-16"
    assert m["issuer"] == "Ban Thường vụ Tỉnh ủy"
    assert m["section"][0].startswith("II.")
    everywhere = client.get("/mentions", params={"ref": "72-QD/TU"}).json()
    assert per_plan(everywhere) == {P2025: 1, P2026: 1}


def test_law_by_name(client):
    body = client.get("/mentions", params={"ref": "Luật Thực hiện dân chủ ở cơ sở"}).json()
    assert body["keys"] == ["LUAT:thuc hien dan chu o co so"]
    assert per_plan(body) == {P2025: 2}
    assert body["candidates"][0]["title"] == "Luật Thực hiện dân chủ ở cơ sở"


@pytest.fixture(scope="module")
def ambiguous_client(ambiguous_index_dir):
    with app_client(ambiguous_index_dir) as c:
        yield c


def test_ambiguous_query_answers_each_candidate(ambiguous_client):
    body = ambiguous_client.get("/mentions", params={"ref": "Nghị quyết 09"}).json()
    assert body["keys"] == ["09-NQ/TU", "09-NQ/TW"]
    assert [c["issuer"] for c in body["candidates"]] == ["Tỉnh ủy Khánh Hòa", "Bộ Chính trị"]
    assert Counter(m["key"] for m in body["mentions"]) == {"09-NQ/TW": 6, "09-NQ/TU": 1}
    narrowed = ambiguous_client.get(
        "/mentions", params={"ref": "Nghị quyết 09 của Bộ Chính trị"}
    ).json()
    assert narrowed["keys"] == ["09-NQ/TW"] and narrowed["total"] == 6


def test_unknown_ref_is_404_with_a_message(client):
    r = client.get("/mentions", params={"ref": "99-NQ/TW"})
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "reference_not_found" and "99-NQ/TW" in err["message"]


@pytest.mark.parametrize("ref", ["", "   ", "cải cách hành chính", "09"])
def test_malformed_ref_is_422(client, ref):
    r = client.get("/mentions", params={"ref": ref})
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("ref:")


def test_filters_narrow_mentions_not_resolution(client):
    body = client.get("/mentions", params={"ref": "09-NQ/TW", "year": 2026}).json()
    assert per_plan(body) == {P2026: 3}
    only_2025 = client.get(
        "/mentions", params={"ref": "Luật Thực hiện dân chủ ở cơ sở", "year": 2026}
    )
    assert only_2025.status_code == 200 and only_2025.json()["total"] == 0


def test_references_table_matches_the_gold(client):
    body = client.get("/references").json()
    rows = {r["key"]: r for r in body["references"]}
    gold_keys = {g["key"] for plan in GOLD.values() for g in plan["references"]}
    assert set(rows) == gold_keys and body["total"] == len(gold_keys)
    for doc_id, plan in GOLD.items():
        for g in plan["references"]:
            row = rows[g["key"]]
            assert row["per_plan"][doc_id] == g["mentions"], (doc_id, g["key"])
            assert row["kind"] == g["kind"] and row["number"] == g["number"]
    assert rows["LUAT:thuc hien dan chu o co so"]["date"] == "2022-11-10"


def test_references_filtered_by_year_and_unit(client):
    by_year = client.get("/references", params={"year": 2026}).json()
    assert by_year["total"] == len(GOLD[P2026]["references"])
    assert all(set(r["per_plan"]) == {P2026} for r in by_year["references"])
    by_unit = client.get(
        "/references", params={"unit": "Ban Quản lý Khu kinh tế và Khu công nghiệp"}
    ).json()
    assert by_unit["total"] == len(GOLD[P2025]["references"])


# --- the core, directly --------------------------------------------------------------------


def test_core_resolves_and_raises_our_errors(reader):
    assert find_mentions(reader, "Quyết định 74").keys == ["74/QĐ-CĐYT"]
    assert find_mentions(reader, "Quyết định 74").total == 2
    with pytest.raises(ReferenceNotFoundError):
        find_mentions(reader, "Nghị quyết 12 của Bộ Chính trị")
    with pytest.raises(InvalidQueryError):
        find_mentions(reader, "Nghị quyết")


# --- CLI -----------------------------------------------------------------------------------


def test_cli_mentions_json(index_dir):
    out = CliRunner().invoke(cli_app, ["mentions", "09-NQ/TW", "--index", str(index_dir), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["total"] == 6 and Counter(m["doc_id"] for m in data["mentions"]) == {
        P2025: 3,
        P2026: 3,
    }


def test_cli_mentions_readable_and_errors(index_dir):
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["mentions", "72-QĐ/TU", "--index", str(index_dir)])
    assert ok.exit_code == 0 and "72-QĐ/TU" in ok.stdout and "2 mentions" in ok.stdout
    missing = runner.invoke(cli_app, ["mentions", "99-NQ/TW", "--index", str(index_dir)])
    assert missing.exit_code == ReferenceNotFoundError.exit_code
    assert "99-NQ/TW" in missing.output
