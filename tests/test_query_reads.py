"""A query reads the index once per kind of data (issue 27, item 2), and the search core
imports nothing of the document readers or of the HTTP edge.

Catalog reads are counted with SQLite's own statement trace on the reader's connection:
every statement a search runs against the catalog is seen, whichever module issues it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from indexer.store import IndexReader
from service.search import FusionParams, Searcher, SearchFilters

KINDS = ("SELECT", "WITH")


@pytest.fixture()
def traced(index_dir, embedder):
    """A searcher over its own reader whose catalog statements are recorded."""
    reader = IndexReader.open(index_dir)
    statements: list[str] = []
    reader._conn.set_trace_callback(statements.append)
    searcher = Searcher(reader, embedder, FusionParams(), cache_size=0)
    yield searcher, statements
    searcher.close()
    reader.close()


def _reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(KINDS)]


@pytest.mark.slow  # the session index of the two plans, the real embedder
@pytest.mark.parametrize(
    ("query", "filters", "most"),
    [
        ("ứng dụng trí tuệ nhân tạo", None, 1),  # the candidates only
        ("ứng dụng trí tuệ nhân tạo", SearchFilters(year=2026), 2),  # + the filter
        ("tuyên truyền Nghị quyết 09-NQ/TW", None, 2),  # + the paragraphs citing it
        ("tuyên truyền Nghị quyết 09-NQ/TW", SearchFilters(unit="Trường Cao đẳng Y tế"), 3),
    ],
)
def test_a_search_reads_the_catalog_at_most_three_times(traced, query, filters, most):
    searcher, statements = traced
    searcher.search("cải cách hành chính", 10)  # what a searcher reads once and keeps
    searcher.search("Nghị quyết 09-NQ/TW", 10)
    statements.clear()
    result = searcher.search(query, 10, filters)
    assert result.total > 0 or filters is not None
    reads = _reads(statements)
    assert 1 <= len(reads) <= most, reads


@pytest.mark.slow
def test_the_candidates_read_gives_what_the_separate_reads_gave(reader):
    rowids = [p.rowid for p in reader.paragraphs("2026-truong-cao-dang-y-te-khanh-hoa")][:40]
    rowids += [10**9]  # not in the catalog: no row, a zero vector
    bundle = reader.candidates(rowids)
    assert bundle.rows == reader.paragraphs_by_rowid(rowids)
    assert (bundle.vectors(rowids) == reader.vectors(rowids)).all()
    assert (bundle.context_vectors(rowids) == reader.context_vectors(rowids)).all()
    fields = ("unit", "year", "province", "kind")
    assert bundle.facets(fields) == reader.facets(rowids, fields)


def test_the_search_core_imports_no_reader_and_no_web_edge():
    code = (
        "import sys, service.search, service.live.holder, service.compare, service.coverage, "
        "service.mentions\n"
        "bad = ('indexer.readers', 'indexer.structure', 'indexer.cleaning', 'service.web')\n"
        "print(sorted(m for m in sys.modules if m.startswith(bad)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]", out
