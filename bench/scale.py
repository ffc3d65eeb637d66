"""Search-side figures at one corpus size: the product's index built from a synthetic corpus,
latency in process and over HTTP, service memory, recall vs exact, and the baselines.

Every figure is for distinct queries: the Searcher's query-vector cache is off here
(``cache_size=0``) and in the HTTP service (``CCHC_QUERY_CACHE=0``), since each query is
repeated ``repeat`` times and a cache would answer all repeats but the first.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np

from bench.baselines import NumpyDense, RankBM25, TxtaiHybrid
from bench.httpbench import ServiceProcess, drive
from bench.measure import PeakRSS, exact_topk, percentiles, recall_at_k, time_calls
from bench.synth import QUERIES, SynthCorpus
from bench.synthindex import build_synthetic_index

K = 10
N_SYNTH_QUERIES = 200  # held-out synthetic query vectors for recall (plus the real queries)


def _searcher(index_dir: Path, embedder):
    from indexer.store import IndexReader
    from service.search import Searcher

    reader = IndexReader.open(index_dir)
    return reader, Searcher(reader, embedder, cache_size=0)


def search_latency(searcher, embedder, queries: list[str], repeat: int) -> dict:
    """p50/p95/p99 (ms) of the product's search per mode, query embedding included; plus the
    query embedding alone and the retrieval-only parts, to show where the time goes.
    ``hybrid_sequential``: hybrid with the two retrievers run one after the other (no worker
    thread), timed alternately with ``hybrid`` so both see the same machine load."""
    from service.search import Searcher

    out = {}
    for mode in ("dense", "lexical"):
        searcher.search(queries[0], K, mode=mode)  # warm
        out[mode] = percentiles(
            time_calls(lambda q, m=mode: searcher.search(q, K, mode=m), queries, repeat)
        )
    sequential = Searcher(searcher.reader, embedder, searcher.params, parallel=False, cache_size=0)
    searcher.search(queries[0], K)  # warm (starts the worker thread)
    sequential.search(queries[0], K)
    out |= alternated(
        {
            "hybrid": lambda q: searcher.search(q, K),
            "hybrid_sequential": lambda q: sequential.search(q, K),
            "embed_query": lambda q: embedder.embed_queries([q]),  # every core when alone
        },
        queries,
        repeat,
    )
    out["hybrid_over_embed_query"] = round(out["hybrid"]["p50"] / out["embed_query"]["p50"], 3)
    qvecs = embedder.embed_queries(queries)
    reader = searcher.reader
    depth = searcher.params.candidates
    out["ann_only"] = percentiles(
        time_calls(lambda v: reader.dense_search(v, depth), list(qvecs), repeat)
    )
    out["lexical_only"] = percentiles(
        time_calls(lambda q: reader.lexical_search(q, depth), queries, repeat)
    )
    return out


def recall(reader, corpus: SynthCorpus, rowids: np.ndarray, qvecs: np.ndarray) -> dict:
    """recall@10 of the vector index (reader.dense_search) against numpy brute force."""
    vectors = corpus.vectors()
    truth = exact_topk(vectors, rowids, qvecs, K)
    found = [[r for r, _ in reader.dense_search(q, K)] for q in qvecs]
    del vectors
    return {"recall@10": round(recall_at_k(found, truth, K), 4), "queries": int(len(qvecs))}


def http_figures(index_dir: Path, queries: list[str], clients: int, requests: int) -> dict:
    """Requests/s of GET /search through uvicorn on loopback, and the service's peak RSS."""
    no_cache = {"CCHC_QUERY_CACHE": "0"}
    with ServiceProcess(index_dir, env=no_cache) as svc, PeakRSS(svc.pid) as rss:
        idle = rss.sample()
        drive(
            svc.url,
            lambda n: ("search", f"/search?q={queries[n % len(queries)]}&k={K}"),
            concurrency=clients,
            max_requests=clients,
        )  # warm every connection
        res = drive(
            svc.url,
            lambda n: ("search", f"/search?q={queries[n % len(queries)]}&k={K}"),
            concurrency=clients,
            max_requests=requests,
        )
    s = res.summary()
    return {
        "clients": clients,
        "requests": s["requests"],
        "errors": s["errors"],
        "rps": s["rps"],
        "latency_ms": s["latency_ms"],
        "startup_seconds": round(svc.startup_seconds, 2),
        "rss_idle_mb": round(idle / 2**20, 1),
        "rss_peak_mb": round(rss.peak / 2**20, 1),
    }


def alternated(calls: dict, queries: list[str], repeat: int) -> dict[str, dict]:
    """Latency of each ``calls[name](q)`` timed alternately, query by query, so all see the
    same machine load (the machine is shared); percentiles by name."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for q in queries:
            for name, fn in calls.items():
                samples[name] += time_calls(fn, [q])
    return {name: percentiles(v) for name, v in samples.items()}


def paired(ours, theirs, queries: list[str], repeat: int) -> tuple[dict, dict]:
    """``alternated`` for two: (ours, theirs) percentiles."""
    both = alternated({"ours": ours, "theirs": theirs}, queries, repeat)
    return both["ours"], both["theirs"]


def baselines(
    corpus: SynthCorpus,
    rowids: np.ndarray,
    embedder,
    searcher,
    queries: list[str],
    repeat: int,
    bm25_max: int,
    txtai_max: int,
) -> dict:
    """Each baseline timed query by query alternately with our search in the matching mode
    (``ours_ms``), so the ratio is not skewed by the load of the shared machine."""
    n = len(corpus)
    embed_q = lambda q: embedder.embed_queries([q])[0]  # noqa: E731
    mode = lambda m: lambda q: searcher.search(q, K, mode=m)  # noqa: E731
    out: dict = {}
    dense = NumpyDense(rowids, corpus.vectors(), embed_q)
    ours, theirs = paired(mode("dense"), dense.search, queries, repeat)
    out["numpy_dense"] = {"latency_ms": theirs, "ours_ms": ours, "ours_mode": "dense"}
    del dense
    if n <= bm25_max:
        from indexer.text import analyze_segmented

        base_tokens = [analyze_segmented(s) for s in corpus.base.segs]
        tokens = [base_tokens[a] + base_tokens[b] for a, b in zip(corpus.a, corpus.b, strict=True)]
        bm = RankBM25(rowids, tokens)
        ours, theirs = paired(mode("lexical"), bm.search, queries, 1)
        out["rank_bm25"] = {
            "build_seconds": round(bm.build_seconds, 2),
            "latency_ms": theirs,
            "ours_ms": ours,
            "ours_mode": "lexical",
        }
        del bm, tokens
    else:
        out["rank_bm25"] = {"skipped": f"size {n} > --bm25-max {bm25_max}"}
    if n <= txtai_max:
        texts = [corpus.text(i) for i in range(n)]
        tx = TxtaiHybrid(rowids, texts, corpus.vectors(), embed_q)
        tx.search(queries[0], K)
        ours, theirs = paired(mode("hybrid"), lambda q: tx.search(q, K), queries, repeat)
        out["txtai_hybrid"] = {
            "build_seconds": round(tx.build_seconds, 2),
            "save_seconds": round(tx.save_seconds, 2),
            "faiss": tx.emb.config.get("build", {}).get("settings", {}),
            "latency_ms": theirs,
            "ours_ms": ours,
            "ours_mode": "hybrid",
        }
        tx.close()
    else:
        out["txtai_hybrid"] = {"skipped": f"size {n} > --txtai-max {txtai_max}"}
    return out


def run_size(n: int, base, embedder, work: Path, opts) -> dict:
    """Every search-side figure at ``n`` paragraphs; the index is deleted afterwards unless
    ``opts.keep``. ``opts``: repeat, clients, http_requests, bm25_max, txtai_max,
    incremental (bool), plan (Path)."""
    corpus = SynthCorpus.make(base, n)
    index_dir = work / f"synth-{n}"
    corpus_dir = work / f"synth-{n}-corpus" if opts.incremental else None
    shutil.rmtree(index_dir, ignore_errors=True)
    t0 = time.perf_counter()
    built = build_synthetic_index(corpus, index_dir, corpus_dir, getattr(opts, "ann_params", None))
    build_s = time.perf_counter() - t0
    reader, searcher = _searcher(index_dir, embedder)
    rowids = built.rowids
    out: dict = {
        "load_avg_start": os.getloadavg(),
        "paragraphs": n,
        "documents": corpus.n_docs,
        "build_seconds": round(build_s, 2),
        "build_layers_seconds": {k: round(v, 2) for k, v in built.seconds.items()},
        "ann": built.ann,
    }
    out["latency_ms"] = search_latency(searcher, embedder, QUERIES, opts.repeat)
    qvecs = np.concatenate([embedder.embed_queries(QUERIES), corpus.query_vectors(N_SYNTH_QUERIES)])
    out["recall"] = recall(reader, corpus, rowids, qvecs)
    out["baselines"] = baselines(
        corpus, rowids, embedder, searcher, QUERIES, opts.repeat, opts.bm25_max, opts.txtai_max
    )
    reader.close()
    out["http"] = http_figures(index_dir, QUERIES, opts.clients, opts.http_requests)
    if opts.incremental:
        from bench.build_bench import incremental_figures

        out["incremental"] = incremental_figures(index_dir, corpus_dir, opts.plan, embedder)
    out["load_avg_end"] = os.getloadavg()
    if not opts.keep:
        shutil.rmtree(index_dir, ignore_errors=True)
        if corpus_dir is not None:
            shutil.rmtree(corpus_dir, ignore_errors=True)
    return out
