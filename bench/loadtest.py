"""``make loadtest``: drive the service on loopback with many concurrent clients.

    python -m bench.loadtest --index var/index [--clients 64] [--duration 60] [--json]
    python -m bench.loadtest --url http://127.0.0.1:8000      # a service already running

Without ``--url`` it starts ``python -m service serve`` over ``--index`` on a free loopback
port and stops it afterwards. Requests mix /search (hybrid, dense, lexical, with and without
filters), /documents, /documents/{id}, /mentions and /compare, in fixed proportions. Only
127.0.0.1 is ever targeted. Exit code 1 when any request failed (a non-2xx status other than
the 404/422 a request was designed to get, or a transport error).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

import httpx

from bench.httpbench import LOOPBACK, ServiceProcess, drive
from bench.measure import PeakRSS
from bench.synth import QUERIES

# One cycle of 20 requests, kinds interleaved so even a short run sees every kind:
# 10 search, 2 filtered search, 2 document lists, 2 documents, 2 mentions, 2 compares.
SCHEDULE = [
    "search",
    "documents",
    "search",
    "document",
    "search",
    "mentions",
    "search",
    "compare",
    "search",
    "search_filtered",
] * 2


def discover(url: str) -> dict:
    """Document ids, units and reference keys the index holds (for realistic requests)."""
    docs = httpx.get(url + "/documents", timeout=60).json()["documents"]
    try:
        refs = httpx.get(url + "/references", timeout=120).json().get("references", [])
    except (httpx.HTTPError, ValueError):
        refs = []
    return {
        "doc_ids": [d["id"] for d in docs],
        "units": sorted({d["unit"] for d in docs if d.get("unit")}),
        "refs": [r["key"] for r in refs[:50]],
    }


def request_plan(found: dict):
    """``next_request(n)`` for ``drive``: the n-th request of the mix, deterministically."""
    schedule = SCHEDULE
    ids, units, refs = found["doc_ids"], found["units"], found["refs"]
    modes = ("hybrid", "hybrid", "dense", "lexical")

    def next_request(n: int) -> tuple[str, str]:
        kind = schedule[n % len(schedule)]
        cycle = n // len(schedule)  # rotates documents and references from cycle to cycle
        q = quote(QUERIES[n % len(QUERIES)])
        if kind == "search":
            return kind, f"/search?q={q}&k=10&mode={modes[n % len(modes)]}"
        if kind == "search_filtered" and units:
            return kind, f"/search?q={q}&k=10&unit={quote(units[n % len(units)])}"
        if kind == "document" and ids:
            return kind, f"/documents/{quote(ids[cycle % len(ids)])}"
        if kind == "mentions" and refs:
            return kind, f"/mentions?ref={quote(refs[cycle % len(refs)])}"
        if kind == "compare" and len(ids) >= 2:
            a, b = ids[cycle % len(ids)], ids[(cycle + 1) % len(ids)]
            return kind, f"/compare?a={quote(a)}&b={quote(b)}"
        return "documents", "/documents"

    return next_request


def _ok(kind: str, resp: httpx.Response) -> bool:
    return resp.status_code == 200


def run(url: str, clients: int, duration: float, pid: int | None = None) -> dict:
    found = discover(url)
    nxt = request_plan(found)
    if pid is not None:
        with PeakRSS(pid) as rss:
            res = drive(url, nxt, concurrency=clients, duration=duration, ok=_ok)
        peak = round(rss.peak / 2**20, 1)
    else:
        res = drive(url, nxt, concurrency=clients, duration=duration, ok=_ok)
        peak = None
    return {
        "url": url,
        "clients": clients,
        "duration": duration,
        "service_rss_peak_mb": peak,
        "documents": len(found["doc_ids"]),
        **res.summary(),
    }


def _check_loopback(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "http" or parsed.hostname != LOOPBACK:
        raise SystemExit(
            f"error: --url must be http://{LOOPBACK}:<port> (got {url}); "
            "the load test never targets another host"
        )
    return url.rstrip("/")


def print_report(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"load test: {r['clients']} clients, {r['duration']} s, {r['url']}")
    for c in ("kind", "requests", "p50 ms", "p95 ms", "p99 ms"):
        t.add_column(c, justify="right" if c != "kind" else "left")
    for kind, p in r["by_kind"].items():
        t.add_row(kind, str(p["n"]), str(p["p50"]), str(p["p95"]), str(p["p99"]))
    a = r["latency_ms"]
    t.add_row("[b]all[/]", str(r["requests"]), str(a["p50"]), str(a["p95"]), str(a["p99"]))
    con = Console()
    con.print(t)
    con.print(
        f"requests {r['requests']}  errors {r['errors']}  {r['rps']} req/s  "
        f"status {r['status']}  service peak RSS {r['service_rss_peak_mb']} MB"
    )
    for s in r["error_samples"]:
        con.print(f"[red]error:[/] {s}", markup=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.loadtest", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--index", type=Path, default=Path("var/index"))
    ap.add_argument("--url", default=None, help=f"a running service (http://{LOOPBACK}:PORT)")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds")
    ap.add_argument("--json", action="store_true", help="print JSON")
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.duration <= 0:
        raise SystemExit("error: --clients must be >= 1 and --duration > 0")
    if args.url:
        result = run(_check_loopback(args.url), args.clients, args.duration)
    else:
        if not args.index.is_dir():
            raise SystemExit(f"error: no index at {args.index} — build one with `make index`")
        with ServiceProcess(args.index) as svc:
            result = run(svc.url, args.clients, args.duration, pid=svc.pid)
    if args.out:
        args.out.write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_report(result)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
