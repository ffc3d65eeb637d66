"""The HTML reader is linear in the page (indexer/readers/html.py; review 2026-12-06, N7).

800 tables each nested in the previous one's cell (44 KB, the review's recipe) took 107 s and
gave a 5.1-million-character paragraph: every table re-read the rows and the deep text of all
the tables inside it, and choosing the main content re-read every paragraph under every
container. Pages are made here, at test time.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from indexer.errors import UnreadableFileError
from indexer.parse import parse_file
from indexer.readers.html import html_blocks, read_html

PARAGRAPH_CAP = 4000  # the pipeline's longest paragraph (CCHC_MAX_PARAGRAPH_CHARS, N6)
CELL = "ô bảng lồng nhau"


def nested_tables(n: int) -> str:
    return (
        "<html><body><p>Kế hoạch cải cách hành chính năm 2025.</p>"
        + f"<table><tr><td>{CELL}" * n
        + "</td></tr></table>" * n
        + "</body></html>"
    )


def nested_divs(n: int) -> str:
    return (
        "<html><body><p>Kế hoạch cải cách hành chính năm 2025.</p>"
        + "<div>khối lồng nhau " * n
        + "</div>" * n
        + "</body></html>"
    )


def seconds(page: str, folder: Path) -> float:
    """Parsing the page as the build does, the best of three (the machine is shared: the least
    disturbed run counts)."""
    path = folder / "2025-trang.html"
    path.write_text(page, encoding="utf-8")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        parse_file(path, folder)
        best = min(best, time.perf_counter() - start)
    return best


def test_800_nested_tables_read_fast_and_each_cell_once(tmp_path):
    path = tmp_path / "2025-bang-long.html"
    path.write_text(nested_tables(800), encoding="utf-8")
    start = time.perf_counter()
    doc = parse_file(path, tmp_path)
    took = time.perf_counter() - start
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Kế hoạch cải cách hành chính năm 2025."
    assert "\n".join(texts).count(CELL) == 800  # each table's cell once, not its nested ones
    assert max(len(t) for t in texts) <= PARAGRAPH_CAP
    assert took < 30, took  # was 107 s; a few hundredths of a second here, on a busy machine


@pytest.mark.parametrize("page", [nested_tables, nested_divs], ids=["tables", "divs"])
def test_cost_grows_linearly_with_nesting(page, tmp_path):
    small, large = seconds(page(100), tmp_path), seconds(page(400), tmp_path)
    # quadratic would be 16×, cubic 64× (the old reader: 200 → 400 nested tables 1.2 → 10.7 s)
    assert large / small < 10, (small, large)


def test_a_table_reads_only_its_own_rows():
    """An outer table's rows are its own; a nested table follows it as a table of its own,
    and the outer cell keeps its own text without the nested table's."""
    page = (
        "<html><body><table>"
        "<tr><td>Ngoài 1</td><td>Ngoài 2<table><tr><td>Trong 1</td><td>Trong 2</td></tr>"
        "</table></td><td>Ngoài 3</td></tr>"
        "<tbody><tr><td>Ngoài 4</td><td>Ngoài 5</td><td>Ngoài 6</td></tr></tbody>"
        "</table></body></html>"
    )
    tables = [b for b in html_blocks(page) if not isinstance(b, str)]
    assert tables == [
        [["Ngoài 1", "Ngoài 2", "Ngoài 3"], ["Ngoài 4", "Ngoài 5", "Ngoài 6"]],
        [["Trong 1", "Trong 2"]],
    ]


def test_a_block_after_text_starts_its_own_line():
    """Nested blocks are lines of their own, as a browser shows them, not one paragraph."""
    blocks = html_blocks(nested_divs(3))
    assert blocks == [
        "Kế hoạch cải cách hành chính năm 2025.",
        "khối lồng nhau",
        "khối lồng nhau",
        "khối lồng nhau",
    ]


def test_a_page_nested_too_deep_is_refused_in_one_line_before_parsing(tmp_path):
    """20,000 nested divs took 162 s and ended in a RecursionError; the HTML parser alone
    slows down with the square of the depth, so the depth is checked on the tags first."""
    path = tmp_path / "2025-khoi-long.html"
    start = time.perf_counter()
    with pytest.raises(UnreadableFileError) as info:
        read_html(path, nested_divs(20_000).encode())
    assert time.perf_counter() - start < 10
    message = str(info.value)
    assert "\n" not in message and path.name in message
    assert "CCHC_MAX_HTML_DEPTH" in message and "4096" in message


def test_the_limits_are_settings(tmp_path, monkeypatch):
    path = tmp_path / "trang.html"
    page = "<html><body>" + "<p>Đoạn văn của kế hoạch.</p>" * 300 + "</body></html>"
    assert read_html(path, page.encode()).text.count("Đoạn văn") == 300
    monkeypatch.setenv("CCHC_MAX_HTML_NODES", "200")
    with pytest.raises(UnreadableFileError, match="CCHC_MAX_HTML_NODES=400"):
        read_html(path, page.encode())
    monkeypatch.delenv("CCHC_MAX_HTML_NODES")
    monkeypatch.setenv("CCHC_MAX_HTML_DEPTH", "50")
    with pytest.raises(UnreadableFileError, match="CCHC_MAX_HTML_DEPTH=100"):
        read_html(path, nested_divs(60).encode())
    assert "khối lồng nhau" in read_html(path, nested_divs(40).encode()).text


def test_a_sloppy_page_of_unclosed_tags_is_not_mistaken_for_a_deep_one(tmp_path):
    """Cells, rows, list items and paragraphs close their open siblings (and what is left
    open inside them), as the parser does: 10,000 unclosed cells with an unclosed <font>
    each, 10,000 unclosed <li> and <p> (all deeper than the limit if counted naively) are
    read, not refused."""
    pages = {
        "cells": "<table>" + "<tr><td><font face=x>ô" * 10_000 + "</table>",
        "items": "<ul>" + "<li>mục <b>đậm" * 10_000 + "</ul>",
        "paragraphs": "<div>" + "<p>đoạn <i>nghiêng" * 10_000 + "</div>",
    }
    for name, body in pages.items():
        raw = read_html(Path(f"{name}.html"), f"<html><body>{body}</body></html>".encode())
        assert raw.text.strip(), name
