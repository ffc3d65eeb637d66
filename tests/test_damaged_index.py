"""Damaged index files (issue 13, item 6, service side): made at test time on a copy of the
session index, each ends in one log line or one CLI error naming the damaged part and the
repair command, and the API answers 503 with that message, never a traceback.

Before: a truncated or random catalog, a truncated ``vectors.faiss``, a cut manifest or a
missing ``lexical/`` gave 51–86-line tracebacks, a 500, or a 503 saying "no index yet".
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.build import build_index
from indexer.store import manifest as mf
from service.settings import Settings
from service.web.app import create_app
from tests.conftest import DERIVED_EXCERPT
from tests.http import LOCAL

pytestmark = pytest.mark.slow  # every test needs the session index or the model

REPO = Path(__file__).resolve().parents[1]


def _generation(index: Path) -> Path:
    return index / mf.current_generation(index)


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


DAMAGE = {
    "catalog truncated": (lambda i: _truncate(i / mf.CATALOG), "catalog.sqlite"),
    "catalog random bytes": (
        lambda i: (i / mf.CATALOG).write_bytes(random.Random(13).randbytes(64 * 1024)),
        "catalog.sqlite",
    ),
    "vectors truncated": (lambda i: _truncate(_generation(i) / mf.VECTORS), "vectors.faiss"),
    "manifest cut": (
        lambda i: (_generation(i) / mf.MANIFEST).write_text('{"format_version": 2, "mo'),
        "manifest.json",
    ),
    "lexical missing": (lambda i: shutil.rmtree(_generation(i) / mf.LEXICAL), "lexical"),
}


@pytest.fixture(params=sorted(DAMAGE))
def damaged(request, index_dir, tmp_path) -> tuple[Path, str]:
    """A copy of the session index with one part damaged, and the part's file name."""
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    damage, part = DAMAGE[request.param]
    damage(index)
    return index, part


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def service_log():
    handler = _Records()
    logger = logging.getLogger("service")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def test_startup_on_a_damaged_index_is_one_line_and_503(damaged, service_log):
    index, part = damaged
    with TestClient(
        create_app(Settings(index_dir=index)), base_url=LOCAL, raise_server_exceptions=False
    ) as c:
        answers = [c.get(p) for p in ("/health", "/documents", "/search?q=c%E1%BA%A3i%20c%C3%A1ch")]
        page = c.get("/", params={"q": "cải cách"})
    lines = [r.getMessage() for r in service_log]
    assert len(lines) == 1, lines
    assert part in lines[0] and str(index) in lines[0] and "--rebuild" in lines[0]
    assert "\n" not in lines[0] and not any(r.exc_info for r in service_log)
    for resp in answers:
        assert resp.status_code == 503, resp.text
        error = resp.json()["error"]
        assert error["code"] == "damaged_index"
        assert part in error["message"] and "--rebuild" in error["message"]
        assert str(index) not in resp.text and "Traceback" not in resp.text
    assert page.status_code == 503 and "Chỉ mục bị hỏng" in page.text
    assert "Traceback" not in page.text


def test_serve_on_a_damaged_index_fails_in_one_line(damaged):
    index, part = damaged
    proc = subprocess.run(
        [sys.executable, "-m", "service", "serve", "--index", str(index), "--port", "9"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 10, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: index at ") and part in lines[0]
    assert "python -m indexer build --corpus CORPUS --index" in lines[0] and "--rebuild" in lines[0]


def test_a_damaged_new_generation_keeps_the_old_one_serving(index_dir, tmp_path, service_log):
    """A build writes a new generation; its vectors are truncated before the service swaps."""
    index, corpus = tmp_path / "index", tmp_path / "corpus"
    shutil.copytree(index_dir, index)
    corpus.mkdir()
    for plan in (REPO / "corpus").glob("*.txt"):
        shutil.copy(plan, corpus)
    (corpus / "derived-excerpt.txt").write_text(DERIVED_EXCERPT, encoding="utf-8")
    old = mf.current_generation(index)
    settings = Settings(index_dir=index, reload_interval=0)
    with TestClient(create_app(settings), base_url=LOCAL, raise_server_exceptions=False) as c:
        assert c.get("/health").json()["generation"] == old
        build_index(corpus, index, quiet=True)
        _truncate(_generation(index) / mf.VECTORS)
        answers = [c.get("/health"), c.get("/search", params={"q": "cải cách hành chính"})]
    assert [r.status_code for r in answers] == [200, 200]
    assert answers[0].json()["generation"] == old
    lines = [r.getMessage() for r in service_log]
    assert len(lines) == 1, lines
    assert "vectors.faiss" in lines[0] and "--rebuild" in lines[0] and "\n" not in lines[0]
