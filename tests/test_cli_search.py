"""`python -m service search|serve`: readable and JSON output, one-line errors, a real server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from service.cli import app

D26 = "2026-truong-cao-dang-y-te-khanh-hoa"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.slow
def test_search_json(index_dir):
    result = run("search", "ứng dụng trí tuệ nhân tạo", "--index", str(index_dir), "--json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["query"] == "ứng dụng trí tuệ nhân tạo" and body["total"] == 10
    assert body["results"][0]["doc_id"] == D26
    assert "ứng dụng AI" in body["results"][0]["text"]


@pytest.mark.slow
def test_search_json_filters_and_k(index_dir):
    args = ["search", "tuyen truyen", "--index", str(index_dir), "--json", "-k", "4"]
    body = json.loads(run(*args, "--year", "2025").stdout)
    assert len(body["results"]) == 4 and {r["year"] for r in body["results"]} == {2025}
    body = json.loads(run(*args, "--unit", "Không có").stdout)
    assert body["results"] == []


@pytest.mark.slow
def test_search_readable(index_dir):
    result = run("search", "so hoa ho so", "--index", str(index_dir), "-k", "3")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "3 results" in out and " 1. " in out
    assert "số hóa hồ sơ" in out and "<mark>" not in out  # marks shown as bold, not tags
    assert "2026" in out or "2025" in out
    assert "relevant" in out and "score" not in out  # the level in words, not a number


@pytest.mark.slow
def test_search_readable_says_when_nothing_is_relevant(index_dir):
    result = run("search", "công thức nấu phở bò", "--index", str(index_dir), "-k", "3")
    assert result.exit_code == 0, result.stderr
    assert "Nothing relevant enough for “công thức nấu phở bò”" in result.stdout
    assert result.stdout.count("close (below the floor)") == 3
    body = json.loads(
        run("search", "công thức nấu phở bò", "--index", str(index_dir), "--json").stdout
    )
    assert body["answered"] is False and {h["level"] for h in body["results"]} == {"low"}


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["search", "   "], 2, "empty"),
        (["search", "x", "-k", "0"], 2, "k must be"),
        (["search", "x", "-k", "500"], 2, "k must be"),
        (["search", "x", "--mode", "magic"], 2, "unknown mode"),
    ],
)
@pytest.mark.slow
def test_search_errors_are_one_line(index_dir, args, code, fragment):
    result = run(*args, "--index", str(index_dir))
    assert result.exit_code == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0]
    assert result.stdout == ""


def test_missing_index_is_one_line(tmp_path):
    for args in (["search", "x"], ["serve"]):
        result = run(*args, "--index", str(tmp_path / "none"))
        assert result.exit_code == 3
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "no index" in lines[0] and str(tmp_path / "none") in lines[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_http(index_dir):
    port = _free_port()
    cmd = [sys.executable, "-m", "service", "serve", "--index", str(index_dir), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.5)
        assert health.json()["status"] == "ok"
        resp = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "cau lac bo tieng anh"})
        assert "Câu lạc bộ tiếng Anh" in resp.json()["results"][0]["text"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_search_and_compare_write_excel_and_word(index_dir, tmp_path):
    import docx
    from openpyxl import load_workbook

    xlsx, word = tmp_path / "kq.xlsx", tmp_path / "kq.docx"
    args = ["search", "tuyên truyền", "--index", str(index_dir), "-k", "7", "--year", "2025"]
    result = run(*args, "--xlsx", str(xlsx), "--docx", str(word))
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(xlsx).active
    assert "năm 2025" in sheet["A2"].value
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 7 and {r[2] for r in rows} == {2025}
    assert all(r[6].startswith("/doc/2025-") and "#p-" in r[6] for r in rows)
    assert len(docx.Document(str(word)).tables[0].rows) == 8
    a, b = "2025-ban-quan-ly-kkt-kcn-khanh-hoa", D26
    out = tmp_path / "ss.xlsx"
    result = run("compare", a, b, "--index", str(index_dir), "--xlsx", str(out))
    assert result.exit_code == 0, result.stderr
    body = json.loads(run("compare", a, b, "--index", str(index_dir), "--json").stdout)
    rows = list(load_workbook(out).active.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(body["pairs"])
    bad = run(*args, "--xlsx", str(tmp_path / "no" / "such" / "dir.xlsx"))
    assert bad.exit_code == 2 and "cannot write" in bad.stderr


@pytest.mark.slow
def test_documents_lists_each_plan_and_how_it_was_read(index_dir):
    result = run("documents", "--index", str(index_dir), "--json")
    assert result.exit_code == 0, result.stderr
    docs = {d["doc_id"]: d for d in json.loads(result.stdout)}
    assert set(docs) == {D26, "2025-ban-quan-ly-kkt-kcn-khanh-hoa"}
    assert docs[D26]["year"] == 2026 and docs[D26]["n_paragraphs"] > 50
    assert docs[D26]["reading"] == {
        "method": "text",
        "source_format": "txt",
        "pages": None,
        "ocr_pages": [],
        "ocr_confidence": None,
    }
    only = run("documents", "--index", str(index_dir), "--year", "2025", "--json")
    assert [d["year"] for d in json.loads(only.stdout)] == [2025]
    readable = run("documents", "--index", str(index_dir))
    assert readable.exit_code == 0 and "2 plans" in readable.stdout and "text" in readable.stdout
