"""Excel and Word exports hold any text (security review N9).

Before: U+FFFE / U+FFFF (Unicode noncharacters, not XML characters) in a query, a filter or a
paragraph made openpyxl / python-docx raise, so ``/search`` and ``/compare`` with
``format=xlsx|docx`` answered 500 — from a query alone, or for every search whose hits held
such a paragraph. Now every string that reaches a file passes ``service.exports.xml_safe``.

The paragraphs come from a real plan: an excerpt of it with the characters inserted, added to
a copy of the session index (an incremental build embeds only it).
"""

from __future__ import annotations

import io
import shutil

import docx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from indexer.build import build_index
from service.exports import (
    ExportTable,
    render,
    safe_cell,
    word_text,
    xml_safe,
)
from service.settings import Settings
from service.web.app import create_app
from tests.http import LOCAL

KKT = "2025-ban-quan-ly-kkt-kcn-khanh-hoa"
YTE = "2026-truong-cao-dang-y-te-khanh-hoa"
ODD = "2025-ban-quan-ly-kkt-ky-tu-la"  # the excerpt with the characters
# what XML 1.0 cannot hold: two noncharacters, C0 controls, a lone surrogate
NOT_XML = ["\ufffe", "\uffff", "\x01", "\x0b", "\x1f", "\ud800", "\udfff"]
WORD = "cải cách hành chính"


def opens(body: bytes, fmt: str) -> str:
    """The file's text (every cell, or every paragraph and table cell); it must open."""
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(body))
        return "\n".join(
            str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
        )
    document = docx.Document(io.BytesIO(body))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# -- the one cleaning ----------------------------------------------------------------------------
@pytest.mark.parametrize("ch", NOT_XML)
def test_every_string_is_cleaned_the_same_way(ch):
    assert xml_safe(f"a{ch}b") == "ab"
    assert safe_cell(f"={ch}x") == "'=x" and safe_cell(f"{ch}=x") == "'=x"
    assert word_text(f"a{ch}b") == "ab" and word_text(safe_cell(f"=a{ch}")) == "=a"


def test_what_xml_holds_is_kept():
    kept = "tab\tnew\nline\rend; tiếng Việt 😀 \ue000 \ufffd \U0010fffd"
    assert xml_safe(kept) == kept


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("ch", NOT_XML)
def test_a_table_with_the_character_anywhere_renders_and_opens(fmt, ch):
    """In the title (built from the query), the subtitle (the filters), a header and cells."""
    table = ExportTable(
        title=f"Kết quả tìm kiếm: «{WORD}{ch}»",
        subtitle=f"Lọc theo: đơn vị x{ch}",
        header=["STT", f"Đoạn{ch}"],
        rows=[[1, f"{WORD}{ch} năm 2025"], [2, f"={ch}SUM(A1)"], [3, None]],
        widths=[6, 80],
    )
    text = opens(render(table, fmt), fmt)
    assert f"{WORD} năm 2025" in text and f"«{WORD}»" in text
    assert ch not in text


# -- the API over a plan holding the characters -------------------------------------------------
@pytest.fixture(scope="module")
def odd_client(index_dir, corpus_dir, tmp_path_factory):
    """The session index plus an excerpt of a real plan with U+FFFE, U+FFFF inserted in its
    paragraphs (as a TXT export or an HTML page can hold them)."""
    root = tmp_path_factory.mktemp("odd")
    corpus = root / "corpus"
    corpus.mkdir()
    for f in corpus_dir.glob("*.txt"):
        shutil.copy(f, corpus / f.name)
    lines = (corpus_dir / f"{KKT}.txt").read_text(encoding="utf-8").splitlines()[:240]
    text = "\n".join(lines).replace("cải cách hành chính", "cải cách\ufffe hành chính\uffff")
    (corpus / f"{ODD}.txt").write_text(text, encoding="utf-8")
    shutil.copytree(index_dir, root / "index")
    build_index(corpus, root / "index", quiet=True)
    app = create_app(Settings(index_dir=root / "index"))
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        paragraphs = c.get(f"/documents/{ODD}").json()["paragraphs"]
        assert any("\ufffe" in p["text"] for p in paragraphs)  # the index holds them
        yield c


def download(client, path: str, params, fmt: str) -> str:
    r = client.get(path, params=[*params, ("format", fmt)])
    assert r.status_code == 200, (path, params, r.text[:300])
    return opens(r.content, fmt)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize(
    "params",
    [
        [("q", f"{WORD}\ufffe")],  # the query alone
        [("q", f"{WORD}\uffff"), ("unit", "x\ufffe")],  # the filters line
        [("q", WORD), ("doc_id", ODD), ("k", "100")],  # hits holding the characters
        [("q", f"{WORD}\ufffe"), ("doc_id", ODD), ("k", "100")],
    ],
    ids=["query", "filter", "paragraphs", "both"],
)
def test_search_exports_hold_any_character(odd_client, params, fmt):
    text = download(odd_client, "/search", params, fmt)
    assert "\ufffe" not in text and "\uffff" not in text
    assert "cải cách hành chính" in text or "Kết quả tìm kiếm" in text


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_a_lone_surrogate_in_the_address_is_harmless(odd_client, fmt):
    """A lone surrogate cannot travel in a URL (its UTF-8 bytes are invalid and decode to
    U+FFFD); sent as those bytes anyway, the export is made."""
    r = odd_client.get(f"/search?q=c%E1%BA%A3i%20c%C3%A1ch%ED%A0%80&format={fmt}")
    assert r.status_code == 200, r.text[:300]
    opens(r.content, fmt)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("pair", [(ODD, KKT), (ODD, YTE), (YTE, ODD), (ODD, ODD)])
def test_compare_exports_hold_any_character(odd_client, pair, fmt):
    text = download(odd_client, "/compare", [("a", pair[0]), ("b", pair[1])], fmt)
    assert "\ufffe" not in text and "\uffff" not in text
    assert "cải cách hành chính" in text


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_coverage_and_citation_exports_hold_any_character(odd_client, fmt):
    for path, params in (
        ("/coverage", [("reference", ODD)]),
        ("/coverage", [("reference", KKT), ("kind", "x\ufffe")]),
        ("/coverage/citations", []),
        ("/coverage/citations", [("issuer", "x\uffff")]),
    ):
        r = odd_client.get(path, params=[*params, ("format", fmt)])
        assert r.status_code in (200, 422), (path, params, r.text[:300])  # 422: no plan matches
        if r.status_code == 200 and fmt != "csv":
            text = opens(r.content, fmt)
            assert "\ufffe" not in text and "\uffff" not in text
