"""The lexical index (tantivy, BM25) over our own analysed tokens.

Each paragraph is stored as its ``analyze`` tokens joined by spaces in a field with
tantivy's ``whitespace`` tokenizer, so pyvi segmentation + folding (indexer.text) is the
only analysis. Queries are built with tantivy's query API from the same tokens — user text
never reaches a query parser, so quotes, ``*``, ``AND``, ``NEAR`` or parentheses are just
characters that analysis drops or keeps as plain terms.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import tantivy

from indexer.text import analyze, analyze_segmented

FIELD = "tokens"
ROWID = "rowid"
WRITER_HEAP = 64_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(FIELD, stored=False, tokenizer_name="whitespace")
    builder.add_integer_field(ROWID, stored=True, indexed=True, fast=True)
    return builder.build()


class LexicalWriter:
    """Adds and deletes paragraphs in a tantivy index directory (created if empty)."""

    def __init__(self, path: Path):
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(_schema(), path=str(path), reuse=True)
        self.writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)

    def delete(self, rowids: Iterable[int]) -> None:
        for rowid in rowids:
            self.writer.delete_documents_by_term(ROWID, int(rowid))

    def add(self, rowid: int, text_seg: str) -> None:
        doc = tantivy.Document()
        doc.add_integer(ROWID, int(rowid))
        doc.add_text(FIELD, " ".join(analyze_segmented(text_seg)))
        self.writer.add_document(doc)

    def commit(self) -> None:
        self.writer.commit()
        self.writer.wait_merging_threads()


class LexicalIndex:
    """Read side: BM25 search from analysed query tokens."""

    def __init__(self, path: Path):
        self._copy: str | None = None
        try:
            self.index = tantivy.Index.open(str(path))
        except ValueError as exc:
            if "Lockfile" not in str(exc):
                raise
            # A read-only directory: tantivy takes a lock file even to read. Read a private
            # copy instead (the lexical index is small next to the vectors), removed on close.
            self._copy = tempfile.mkdtemp(prefix="cchc-lexical-")
            shutil.copytree(path, self._copy, dirs_exist_ok=True)
            for lock in Path(self._copy).glob(".tantivy-*.lock"):
                lock.unlink()
            self.index = tantivy.Index.open(self._copy)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def close(self) -> None:
        if self._copy is not None:
            shutil.rmtree(self._copy, ignore_errors=True)
            self._copy = None

    def query_for(self, text: str, rowids: np.ndarray | None = None) -> tantivy.Query | None:
        """An OR of the query's distinct tokens; ``rowids`` (if given) is a pure filter that
        adds nothing to the BM25 score."""
        tokens = list(dict.fromkeys(analyze(text)))
        if not tokens:
            return None
        terms = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, FIELD, t)) for t in tokens
        ]
        query = tantivy.Query.boolean_query(terms)
        if rowids is None:
            return query
        allowed = tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(self.schema, ROWID, [int(r) for r in rowids]), 0.0
        )
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, allowed)]
        )

    def search(
        self, text: str, k: int, rowids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``k`` (rowid, BM25 score)."""
        if k <= 0 or (rowids is not None and len(rowids) == 0):
            return []
        query = self.query_for(text, rowids)
        if query is None:
            return []
        hits = self.searcher.search(query, limit=k, count=False).hits
        return [(int(self.searcher.doc(a)[ROWID][0]), float(score)) for score, a in hits]

    @property
    def num_docs(self) -> int:
        return int(self.searcher.num_docs)
