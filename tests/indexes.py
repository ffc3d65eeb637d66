"""Comparing two index directories: what a build wrote, by paragraph."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from indexer.store import IndexReader


def contents(index: Path) -> dict:
    """Documents, paragraphs (with rowids), both vectors per paragraph, and the ANN and
    lexical counts of the live generation."""
    with IndexReader.open(index) as r:
        docs = [(d.doc_id, d.path, d.sha256, d.unit, d.year, d.n_paragraphs) for d in r.documents()]
        paragraphs = [
            (p.rowid, p.id, p.ordinal, tuple(p.section), p.kind, p.text)
            for d in docs
            for p in r.paragraphs(d[0])
        ]
        rowids = [p[0] for p in paragraphs]
        return {
            "documents": docs,
            "paragraphs": paragraphs,
            "vectors": r.vectors(rowids),
            "context": r.context_vectors(rowids),
            "ann": r._ann.count,
            "lexical": r._lexical.num_docs,
        }


def assert_same_index(a: Path, b: Path, atol: float = 1e-5) -> None:
    """The same documents, paragraphs and ids, and vectors equal within ``atol``."""
    x, y = contents(a), contents(b)
    assert x["documents"] == y["documents"]
    assert x["paragraphs"] == y["paragraphs"]
    assert x["ann"] == y["ann"] == x["lexical"] == y["lexical"] == len(x["paragraphs"])
    np.testing.assert_allclose(x["vectors"], y["vectors"], atol=atol)
    np.testing.assert_allclose(x["context"], y["context"], atol=atol)
