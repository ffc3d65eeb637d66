"""The query path over HTTP on the real corpus, in one run (issue 17):

- single client, query by query alternately: ``GET /search`` (hybrid) over HTTP, txtai's
  hybrid search in process over the same paragraphs with the same embedder and vectors, and
  embedding the query alone (every core);
- ``GET /search`` throughput and latency at 1, 4, 16 and 64 clients, with and without
  dynamic batching of query embeddings (two services over the same index, alternated);
- the ``make loadtest`` mix (search, documents, mentions, compare) at 16 clients;
- ``GET /compare``: the first request of a generation (cold) and repeated ones (cached).

Queries are the evaluation sets' (eval/queries.json and eval/queries_multidoc.json), each
distinct; the services run with the query-vector cache off (``CCHC_QUERY_CACHE=0``) so every
request embeds its query. ``baseline``: a git revision of this project whose service runs the
16-client search and mix beside today's (a worktree under the work directory).
"""

from __future__ import annotations

import json
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import httpx
import numpy as np

from bench.httpbench import ServiceProcess, drive
from bench.measure import percentiles
from service.settings import Settings

CLIENTS = (1, 4, 16, 64)
DEFAULT_BATCHING = Settings.model_fields["query_batching"].default
EVAL = Path(__file__).resolve().parent.parent / "eval"


def eval_queries() -> list[str]:
    """The distinct queries of both evaluation sets, in file order."""
    out: list[str] = []
    for name in ("queries.json", "queries_multidoc.json"):
        out += [q["query"] for q in json.loads((EVAL / name).read_text("utf-8"))["queries"]]
    return list(dict.fromkeys(out))


def _search_plan(queries: list[str]):
    def next_request(n: int) -> tuple[str, str]:
        return "search", f"/search?q={quote(queries[n % len(queries)])}&k=10"

    return next_request


def single_client(url: str, index_dir: Path, embedder, queries: list[str]) -> dict:
    """p50/p95 of HTTP hybrid search, txtai's in-process hybrid and the query embedding
    alone, timed alternately query by query."""
    from bench.baselines import TxtaiHybrid
    from indexer.store import IndexReader

    with IndexReader.open(index_dir) as reader:
        rowids = [p.rowid for d in reader.documents() for p in reader.paragraphs(d.doc_id)]
        rows = reader.paragraphs_by_rowid(rowids)
        texts = [rows[r].text for r in rowids]
        vectors = np.asarray(reader.vectors(rowids), dtype=np.float32)
    tx = TxtaiHybrid(rowids, texts, vectors, lambda q: embedder.embed_queries([q])[0])
    times: dict[str, list[float]] = {"http_hybrid": [], "txtai_hybrid": [], "embed_query": []}
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            calls = {
                "http_hybrid": lambda q: client.get("/search", params={"q": q, "k": 10}),
                "txtai_hybrid": lambda q: tx.search(q, 10),
                "embed_query": lambda q: embedder.embed_queries([q]),
            }
            for fn in calls.values():  # warm each path
                fn(queries[0])
            for q in queries:
                for name, fn in calls.items():
                    t0 = time.perf_counter()
                    fn(q)
                    times[name].append((time.perf_counter() - t0) * 1000.0)
    finally:
        tx.close()
    out = {name: percentiles(v) for name, v in times.items()}
    out["queries"] = len(queries)
    return out


def _load(url: str, plan, clients: int, duration: float, ok=None) -> dict:
    kwargs = {"ok": ok} if ok is not None else {}
    s = drive(url, plan, concurrency=clients, duration=duration, **kwargs).summary()
    return {
        "clients": clients,
        "rps": s["rps"],
        "p50": s["latency_ms"]["p50"],
        "p95": s["latency_ms"]["p95"],
        "errors": s["errors"],
        "requests": s["requests"],
        **({"search_p50": s["by_kind"]["search"]["p50"]} if "search" in s["by_kind"] else {}),
    }


def compare_figures(url: str, repeat: int = 30) -> dict:
    """The first GET /compare of a generation (cold), then the same again (cached)."""
    with httpx.Client(base_url=url, timeout=120) as client:
        ids = [d["id"] for d in client.get("/documents").json()["documents"]]
        if len(ids) < 2:
            return {}
        params = {"a": ids[0], "b": ids[1]}
        t0 = time.perf_counter()
        client.get("/compare", params=params).raise_for_status()
        cold = (time.perf_counter() - t0) * 1000.0
        again = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            client.get("/compare", params=params).raise_for_status()
            again.append((time.perf_counter() - t0) * 1000.0)
    return {"cold_ms": round(cold, 1), "cached": percentiles(again)}


def worktree(revision: str, work: Path) -> Path:
    """A checkout of ``revision`` of this repository under ``work`` (made once)."""
    root = Path(__file__).resolve().parent.parent
    path = work / f"baseline-{revision}"
    if not path.exists():
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--detach", "--force", str(path), revision],
            check=True,
            capture_output=True,
        )
    return path


def querypath_figures(
    index_dir: Path,
    embedder,
    work: Path,
    duration: float = 8.0,
    clients: tuple[int, ...] = CLIENTS,
    baseline: str | None = None,
    queries: list[str] | None = None,
) -> dict:
    from bench.loadtest import _ok, discover, request_plan

    queries = queries or eval_queries()
    plan = _search_plan(queries)
    env = {"CCHC_QUERY_CACHE": "0"}
    out: dict = {"queries": len(queries), "duration_s": duration}
    with ExitStack() as stack:
        plain = stack.enter_context(
            ServiceProcess(index_dir, env={**env, "CCHC_QUERY_BATCHING": "0"})
        )
        batched = stack.enter_context(
            ServiceProcess(index_dir, env={**env, "CCHC_QUERY_BATCHING": "1"})
        )
        old = None
        if baseline:
            checkout = worktree(baseline, work)
            old = stack.enter_context(ServiceProcess(index_dir, env=env, checkout=checkout))
        out["compare"] = compare_figures(batched.url)
        out["single_client"] = single_client(batched.url, index_dir, embedder, queries)
        services = {"one_thread_per_query": plain, "dynamic_batching": batched}
        for svc in [*services.values(), *([old] if old else [])]:
            drive(svc.url, plan, concurrency=4, max_requests=40)  # warm
        out["clients"] = {name: [] for name in services}
        for n in clients:  # the two ways alternated at each client count
            for name, svc in services.items():
                out["clients"][name].append(_load(svc.url, plan, n, duration))
        today = batched if DEFAULT_BATCHING else plain
        mix = request_plan(discover(today.url))
        out["mix16"] = _load(today.url, mix, 16, duration, ok=_ok)
        if old is not None:  # today's and the baseline's, alternated
            out["baseline"] = {
                "revision": baseline,
                "mix16": _load(old.url, request_plan(discover(old.url)), 16, duration, ok=_ok),
                "search16": _load(old.url, plan, 16, duration),
            }
            out["search16_again"] = _load(today.url, plan, 16, duration)
    return out
