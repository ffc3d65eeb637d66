"""``make bench``: the coverage matrix at the size the issue names — 100 plans × 50
requirements — over a synthetic index written like the search bench's (``bench.synthindex``:
real base paragraphs recombined, their vectors mixed; 250 paragraphs a plan). The matrix is
computed by the product's own ``match_plans`` (catalog reads, pair score); the HTTP figures
time ``GET /coverage`` of the whole reference (every requirement it has) cold, then the same
request again, answered from the generation's cache."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from bench.synth import PARAGRAPHS_PER_DOC, SynthCorpus
from bench.synthindex import build_synthetic_index

PLANS = 100
REQUIREMENTS = 50
ROUNDS = 3


def coverage_figures(
    base, work: Path, plans_n: int = PLANS, requirements_n: int = REQUIREMENTS
) -> dict:
    """Seconds to answer the ``plans_n`` × ``requirements_n`` matrix (the first time, and the
    median of ``ROUNDS``), and the API's cold and cached request for the whole reference."""
    from fastapi.testclient import TestClient

    from indexer.store import IndexReader
    from service.coverage.matrix import match_plans, resolve_requirements
    from service.settings import Settings
    from service.web.app import create_app

    corpus = SynthCorpus.make(base, (plans_n + 1) * PARAGRAPHS_PER_DOC)
    index_dir = work / "synth-coverage"
    shutil.rmtree(index_dir, ignore_errors=True)
    build_synthetic_index(corpus, index_dir)
    reference = corpus.doc_meta(0)["doc_id"]
    out: dict = {"plans": plans_n, "requirements": requirements_n, "paragraphs": len(corpus)}
    try:
        with IndexReader.open(index_dir) as reader:
            reqs, vectors, meta = resolve_requirements(reader, None, reference=reference)
            reqs, vectors = reqs[:requirements_n], vectors[:requirements_n]
            plans = [d for d in reader.documents() if d.doc_id != reference]
            assert len(plans) == plans_n
            times = []
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                m = match_plans(reader, reqs, vectors, plans, meta)
                times.append(time.perf_counter() - t0)
            assert len(m.cells) == requirements_n and len(m.cells[0]) == plans_n
            out["matrix_cold_seconds"] = round(times[0], 3)  # no paragraph's words known yet
            out["matrix_seconds"] = {
                "median": round(statistics.median(times), 3),
                "all": [round(t, 3) for t in times],
            }
            out["whole_reference_requirements"] = len(
                resolve_requirements(reader, None, reference)[0]
            )
        app = create_app(Settings(index_dir=index_dir, request_timeout=0))
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            url = f"/coverage?reference={reference}"
            t0 = time.perf_counter()
            first = client.get(url)
            cold = time.perf_counter() - t0
            cached = []
            for _ in range(20):
                t0 = time.perf_counter()
                again = client.get(url)
                cached.append(time.perf_counter() - t0)
            assert first.status_code == again.status_code == 200
            assert first.json() == again.json()
        out["http_cold_seconds"] = round(cold, 3)
        out["http_cached_ms_p50"] = round(1000 * statistics.median(cached), 2)
    finally:
        shutil.rmtree(index_dir, ignore_errors=True)
    return out
