"""GET /compare and `python -m service compare` on the session index of the real corpus."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from service.cli import app as cli_app
from service.compare import compare_documents

pytestmark = pytest.mark.slow  # every test needs the session index or the model

A = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
B = "2026-truong-cao-dang-y-te-khanh-hoa"


@pytest.fixture(scope="module")
def body(client):
    r = client.get("/compare", params={"a": A, "b": B})
    assert r.status_code == 200, r.text
    return r.json()


def test_compare_shape_and_metadata(body):
    assert set(body) >= {"a", "b", "summary", "pairs"}
    assert body["a"]["id"] == A and body["b"]["id"] == B
    assert body["a"]["year"] == 2025 and body["b"]["year"] == 2026
    assert "Ban Quản lý" in body["a"]["unit"]
    first = body["pairs"][0]
    assert set(first) >= {"status", "a_text", "b_text", "similarity", "a_section", "b_section"}
    assert {p["status"] for p in body["pairs"]} == {"same", "changed", "only_a", "only_b"}
    counts = body["summary"]["counts"]
    assert sum(counts.values()) == len(body["pairs"])
    assert any(s["section"] == "PHỤ LỤC" for s in body["summary"]["sections"])


def test_compare_uses_stored_vectors_and_finds_the_points(body, reader):
    def line(needle):
        (hit,) = [p for p in body["pairs"] if p["b_text"] and needle in p["b_text"]]
        return hit

    assert line("Nghị định số 118/2025/NĐ-CP")["status"] in ("same", "changed")
    satisfaction = line("trên 86%")
    assert satisfaction["status"] == "changed"
    assert satisfaction["a_text"].startswith("Tiếp tục nâng cao mức độ hài lòng")
    assert any(op["op"] in ("insert", "replace") for op in satisfaction["diff"])
    assert line("Hệ thống ISO điện tử")["status"] == "only_b"
    # the route and the core called on the reader agree
    core = compare_documents(reader, A, B)
    assert [p.status for p in core.pairs] == [p["status"] for p in body["pairs"]]


def test_plan_compared_with_itself_is_all_same(client):
    r = client.get("/compare", params={"a": B, "b": B})
    assert r.status_code == 200
    pairs = r.json()["pairs"]
    assert pairs and {p["status"] for p in pairs} == {"same"}


def test_unknown_id_is_404_naming_the_valid_ids(client):
    r = client.get("/compare", params={"a": A, "b": "no-such-plan"})
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "document_not_found"
    assert "no-such-plan" in err["message"] and A in err["message"] and B in err["message"]


def test_missing_parameter_is_422(client):
    r = client.get("/compare", params={"a": A})
    assert r.status_code == 422 and "b" in r.json()["error"]["message"]


# -- CLI ----------------------------------------------------------------------------------------
runner = CliRunner()


def test_cli_table(index_dir):
    res = runner.invoke(cli_app, ["compare", A, B, "--index", str(index_dir)])
    assert res.exit_code == 0, res.output
    assert "Giống nhau" in res.output and "Chỉ có ở B" in res.output
    assert "PHỤ LỤC" in res.output


def test_cli_json_matches_the_api(index_dir, body):
    res = runner.invoke(cli_app, ["compare", A, B, "--index", str(index_dir), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["summary"]["counts"] == body["summary"]["counts"]
    assert data["a"]["id"] == A


def test_cli_html_report(index_dir, tmp_path):
    out = tmp_path / "so-sanh.html"
    res = runner.invoke(cli_app, ["compare", A, B, "--index", str(index_dir), "--html", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert 'lang="vi"' in page and "Đối chiếu từng đoạn" in page and "<ins>" in page
    assert "Ban Quản lý" in page and "Trường Cao đẳng Y tế" in page


def test_cli_unknown_id_is_one_line_and_exit_code(index_dir):
    res = runner.invoke(cli_app, ["compare", A, "nope", "--index", str(index_dir)])
    assert res.exit_code == 6
    assert res.stdout == ""
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "nope" in lines[0] and A in lines[0]


def test_a_repeated_compare_is_answered_from_the_generation_cache(client):
    """A comparison changes only with a build: the second request computes nothing."""
    params = {"a": "2026-truong-cao-dang-y-te-khanh-hoa", "b": "2025-ban-quan-ly-kkt-kcn-khanh-hoa"}
    first = client.get("/compare", params=params)
    answers = client.app.state.holder.snapshot.answers
    misses = answers.misses
    again = client.get("/compare", params=params)
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json() and answers.misses == misses
