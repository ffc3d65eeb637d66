"""A tiny run of the benchmark code (a few hundred paragraphs): every section produces
results of the right shape with sane values. No timing thresholds: speed is `make bench`'s
business."""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from bench import synth
from bench.build_bench import pipeline_figures
from bench.coverage_bench import coverage_figures
from bench.loadtest import request_plan
from bench.loadtest import run as loadtest_run
from bench.querypath import eval_queries, querypath_figures
from bench.report import render_table, targets
from bench.run import write_results
from bench.scale import run_size

pytestmark = pytest.mark.bench  # a tiny run of bench/; most tests also need the model

N = 300
PLAN_2026 = "2026-truong-cao-dang-y-te-khanh-hoa.txt"


@pytest.fixture(scope="module")
def base(tmp_path_factory, corpus_dir, embedder):
    cache = tmp_path_factory.mktemp("bench-cache")
    return synth.load_base(corpus_dir, cache, n_base=16, embedder=embedder, fidelity_sample=4)


@pytest.fixture(scope="module")
def small_plan(tmp_path_factory, corpus_dir) -> Path:
    """The opening of the real 2026 plan (its first 40 lines) as a plan file of its own."""
    d = tmp_path_factory.mktemp("small-corpus")
    lines = (corpus_dir / PLAN_2026).read_text(encoding="utf-8").splitlines()[:40]
    path = d / "2026-excerpt.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def size_result(tmp_path_factory, base, embedder, small_plan):
    work = tmp_path_factory.mktemp("bench-work")
    opts = argparse.Namespace(
        repeat=1,
        clients=2,
        http_requests=6,
        bm25_max=1000,
        txtai_max=1000,
        keep=True,
        incremental=True,
        plan=small_plan,
        ann_params={"approximate_threshold": 100},
    )
    return run_size(N, base, embedder, work, opts), work


@pytest.mark.slow
def test_base_and_synthetic_corpus_are_real_text_and_unit_vectors(base):
    assert len(base.texts) == 16 and len(base.segs) == 16
    assert base.vectors.shape == (16, 384)
    assert np.allclose(np.linalg.norm(base.vectors, axis=1), 1.0, atol=1e-4)
    assert 0.8 < base.fidelity <= 1.0  # the mix model is close to the real embedding
    assert 0 < base.sigma < 0.05
    corpus = synth.SynthCorpus.make(base, N)
    assert corpus.text(0) == f"{base.texts[corpus.a[0]]} {base.texts[corpus.b[0]]}"
    v = corpus.vectors()
    assert v.shape == (N, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(corpus.vectors(100, 200), v[100:200])  # deterministic by chunk
    assert np.array_equal(synth.SynthCorpus.make(base, N).vectors(), v)  # fixed seed


@pytest.mark.slow
def test_lexical_tokens_of_a_synthetic_paragraph_are_the_concatenation(base):
    """synthindex relies on analysis being word by word: tokens(a + b) = tokens(a) + tokens(b)."""
    from indexer.text import analyze_segmented

    a, b = base.segs[0], base.segs[1]
    assert analyze_segmented(f"{a} {b}") == analyze_segmented(a) + analyze_segmented(b)


@pytest.mark.slow
def test_synthetic_model_record_matches_the_real_embedder(embedder):
    from bench.synthindex import _model_info

    assert _model_info(embedder.dim) == embedder.model_info()


@pytest.mark.slow
def test_search_figures_at_a_few_hundred_paragraphs(size_result):
    r, _ = size_result
    assert r["paragraphs"] == N and r["documents"] == 2
    assert r["ann"]["type"] == "ivf_sq8"  # threshold lowered: the approximate path is exercised
    for mode in ("dense", "lexical", "hybrid", "embed_query", "ann_only", "lexical_only"):
        lat = r["latency_ms"][mode]
        assert lat["n"] > 0 and 0 < lat["p50"] <= lat["p95"] <= lat["p99"]
    assert r["recall"]["queries"] == len(synth.QUERIES) + 200
    assert r["recall"]["recall@10"] >= 0.9  # IVF + exact re-rank against brute force
    http = r["http"]
    assert http["errors"] == 0 and http["requests"] == 6 and http["rps"] > 0
    assert 50 < http["rss_peak_mb"] < 4000
    b = r["baselines"]
    assert b["numpy_dense"]["latency_ms"]["n"] > 0
    assert b["rank_bm25"]["build_seconds"] >= 0 and b["rank_bm25"]["latency_ms"]["n"] > 0
    assert b["txtai_hybrid"]["build_seconds"] > 0
    assert b["txtai_hybrid"]["faiss"]  # txtai's own FAISS choice is recorded


@pytest.mark.slow
def test_incremental_run_adds_one_real_plan(size_result):
    inc = size_result[0]["incremental"]
    assert inc["added"] == 1
    assert inc["index_paragraphs"] == N + inc["plan_paragraphs"]
    assert inc["embedded"] > 0 and inc["ratio"] > 0


@pytest.mark.slow
def test_loadtest_mix_against_the_synthetic_index(size_result):
    from bench.httpbench import ServiceProcess

    _, work = size_result
    with ServiceProcess(work / f"synth-{N}") as svc:
        res = loadtest_run(svc.url, clients=4, duration=2.0, pid=svc.pid)
    assert res["requests"] > 0 and res["errors"] == 0, res["error_samples"]
    assert {"search", "documents"} <= set(res["by_kind"])


def test_request_plan_covers_every_endpoint():
    nxt = request_plan({"doc_ids": ["a", "b"], "units": ["U"], "refs": ["09-NQ/TW"]})
    paths = [nxt(n)[1] for n in range(40)]
    prefixes = (
        "/search?",
        "/documents",
        "/documents/a",
        "/documents/b",
        "/mentions?ref=",
        "/compare?a=a&b=b",
        "/compare?a=b&b=a",
    )
    for prefix in prefixes:
        assert any(p.startswith(prefix) for p in paths), prefix


@pytest.fixture(scope="module")
def coverage_result(tmp_path_factory, base):
    return coverage_figures(base, tmp_path_factory.mktemp("coverage"), plans_n=3, requirements_n=5)


@pytest.mark.slow
def test_coverage_figures_time_the_matrix_and_the_cached_request(coverage_result):
    c = coverage_result
    assert (c["plans"], c["requirements"]) == (3, 5)
    assert c["paragraphs"] == 4 * synth.PARAGRAPHS_PER_DOC
    assert c["matrix_cold_seconds"] > 0 and len(c["matrix_seconds"]["all"]) == 3
    assert c["whole_reference_requirements"] >= 5
    assert 0 < c["http_cached_ms_p50"] < 1000 * c["http_cold_seconds"]


@pytest.fixture(scope="module")
def querypath_result(tmp_path_factory, index_dir, embedder):
    queries = eval_queries()
    assert len(queries) >= 150 and len(set(queries)) == len(queries)
    return querypath_figures(
        index_dir,
        embedder,
        tmp_path_factory.mktemp("querypath"),
        duration=0.5,
        clients=(1, 4),
        queries=queries[:12],
    )


@pytest.mark.slow
def test_querypath_figures_time_http_txtai_clients_and_compare(querypath_result):
    q = querypath_result
    single = q["single_client"]
    assert single["queries"] == 12
    for path in ("http_hybrid", "txtai_hybrid", "embed_query"):
        assert single[path]["n"] == 12 and single[path]["p50"] > 0
    assert set(q["clients"]) == {"one_thread_per_query", "dynamic_batching"}
    for runs in q["clients"].values():
        assert [r["clients"] for r in runs] == [1, 4]
        assert all(r["errors"] == 0 and r["requests"] > 0 for r in runs)
    assert q["mix16"]["errors"] == 0 and q["mix16"]["requests"] > 0
    assert 0 < q["compare"]["cached"]["p50"] < q["compare"]["cold_ms"]


@pytest.mark.slow
def test_pipeline_figures_and_report(
    tmp_path, small_plan, embedder, size_result, coverage_result, querypath_result
):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy2(small_plan, corpus / small_plan.name)
    build = pipeline_figures(corpus, embedder, tmp_path)
    assert build["documents"] == 1 and build["paragraphs"] > 3
    for key in ("parse_per_s", "segment_per_s", "embed_per_s", "pipeline_per_s"):
        assert build[key] > 0
    # the pipeline does the embedder's work and more: ≈ 1 or below on a steady machine. Each
    # rate is timed on its own, so a burst of other work during one skews the ratio; 20 lets
    # load through, not a wrong figure (a unit, or a count of the wrong texts)
    ratio = build["pipeline_per_s"] / build["embed_per_s"]
    assert build["pipeline_vs_embedder"] == pytest.approx(ratio, rel=0.01, abs=0.002)
    assert 0 < build["pipeline_vs_embedder"] < 20
    results = {
        "build": build,
        "sizes": {str(N): size_result[0]},
        "synthetic": {"note": "x", "noise_sigma": 0.01},
        "coverage": coverage_result,
        "querypath": querypath_result,
    }
    results["targets"] = targets(results)
    names = [t["target"] for t in results["targets"]]
    assert f"recall@10 @ {N}" in names and "pipeline / embedder throughput" in names
    assert "GET /coverage again (cached) p50 ms" in names
    assert "HTTP hybrid p50 ÷ txtai in-process p50 (1 client)" in names
    assert f"hybrid p50 ÷ query embedding alone p50 @ {N}" in names
    assert all(t["met"] in (True, False) for t in results["targets"])
    out = io.StringIO()
    render_table(results, Console(file=out, width=200))
    assert "hybrid search ms" in out.getvalue() and "targets" in out.getvalue()
    assert "GET /search under load" in out.getvalue()
    path = write_results(results, tmp_path / "results")
    assert json.loads(path.read_text(encoding="utf-8"))["sizes"][str(N)]["paragraphs"] == N
    assert (tmp_path / "results" / "latest.json").is_file()


@pytest.mark.converters
@pytest.mark.slow
@pytest.mark.usefixtures("patient_converters")  # Tesseract's page timeout, ten times longer
def test_ocr_figures_time_a_page_and_the_rebuild_from_the_cache():
    from bench.ocr_bench import ocr_figures
    from indexer.readers import ocr

    if ocr.missing():
        pytest.skip(f"OCR needs {ocr.missing()}")
    o = ocr_figures(pages=2, rounds=1)
    assert o["pages"] == 2 and o["seconds_per_page"] > 0 and o["seconds_per_page_before"] > 0
    assert o["same_text_both_ways"] and o["speedup"] > 0
    assert o["rebuild_same_text"] and o["rebuild_seconds_per_page"] < o["seconds_per_page"]
