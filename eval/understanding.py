"""Query understanding measured: the same searches with and without it, side by side.

    python -m eval.understanding [--json] [--weights 0.25,0.5,1]

On the many-document index (``var/eval/many``, as ``make eval`` builds it), three sets:
``eval/queries_constraints.json`` (57 queries that name a place, a unit, a year or a kind,
labelled by reading the documents: an answer counts only in a document that meets them),
``eval/queries_multidoc.json`` (113) and, on the two plans' own index, ``eval/queries.json``
(42). The hybrid is scored as ``make eval`` scores it (as served and paragraph by paragraph),
once reading the query whole and once understood: the topic retrieved, the documents that
meet the constraints added to the candidates and raised by ``prefer_weight`` × the share of
the constraints they meet, then the re-rank in context and the chosen documents' candidates
re-ordered by their headings (``service.search.headings``). ``end_to_end`` then scores what
``Searcher.search`` itself returns, the answer's paragraph first included.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from eval.metrics import METRICS, score_groups
from eval.run import (
    DEFAULT_QUERIES,
    DEPTH,
    MANY_QUERIES,
    K,
    build_many_index,
    build_temporary_index,
    clusters,
    fetch_paragraphs,
    load_queries,
    resolve_gold,
    score,
)
from service.live.holder import IndexHolder
from service.search import FusionParams, Searcher
from service.settings import Settings

CONSTRAINTS = Path(__file__).with_name("queries_constraints.json")
WEIGHTS = (0.25, 0.5)
# what was tried (FusionParams): which documents rise, and what the retrievers read
VARIANTS = {
    "all/query": {"prefer_by": "all", "retrieve_text": "query"},
    "all/topic": {"prefer_by": "all", "retrieve_text": "topic"},
    "share/query": {"prefer_by": "share", "retrieve_text": "query"},
    "share/topic": {"prefer_by": "share", "retrieve_text": "topic"},
}


def measure(index_dir: Path, queries: list, weights: Sequence[float]) -> dict[str, Any]:
    """Hybrid metrics without understanding and with it at each weight."""
    settings = Settings(index_dir=index_dir)
    holder = IndexHolder(settings).open()
    try:
        snap = holder.snapshot
        resolve_gold(snap.reader, queries)
        base = FusionParams.from_settings(settings)
        searcher = Searcher(snap.reader, snap.embedder, base)
        plain = [searcher.retrieve(q.query, DEPTH, None) for q in queries]
        understood = [searcher.understand(q.query) for q in queries]
        runs: dict[str, tuple[Searcher, list]] = {}
        for name, variant in VARIANTS.items():
            s = Searcher(snap.reader, snap.embedder, replace(base, **variant))
            s._vocabulary = searcher.vocabulary()
            runs[name] = (
                s,
                [
                    s.retrieve(q.query, DEPTH, None, understood=u)
                    for q, u in zip(queries, understood, strict=True)
                ],
            )
        paragraphs = fetch_paragraphs(
            snap.reader, queries, [*plain, *(r for _s, rs in runs.values() for r in rs)]
        )

        def vector(text: str):
            return searcher.query_vector(searcher.for_dense(searcher.expanded(text)))

        plain_vecs = [vector(q.query) for q in queries]
        topic_vecs = [vector(u.topic) for u in understood]
        out: dict[str, Any] = {
            "queries": len(queries),
            "understood": sum(bool(u.constraints) for u in understood),
            "preferred": sum(u.applies for u in understood),
        }
        metrics, _, _ = score(
            queries,
            plain,
            base,
            paragraphs,
            lambda i, fused: searcher.in_context(plain_vecs[i], fused),
        )
        out["without"] = _hybrid(metrics)
        for name, (variant, ranked) in runs.items():
            # the union of both searches, as served
            wide = replace(variant.params, candidates=2 * DEPTH)
            vecs = topic_vecs if wide.retrieve_text == "topic" else plain_vecs
            for weight in weights:
                params = replace(wide, prefer_weight=weight)
                tuned = Searcher(snap.reader, snap.embedder, params)
                tuned._vocabulary = searcher.vocabulary()
                metrics, _, _per_query = score(
                    queries,
                    ranked,
                    params,
                    paragraphs,
                    lambda i, fused, s=tuned, v=vecs: s.by_heading(
                        understood[i],
                        s.in_context(v[i], s.prefer(understood[i], fused)),
                        paragraphs,
                    ),
                )
                out[f"with {name} {weight:g}"] = _hybrid(metrics)
        out["end to end"] = end_to_end(snap, queries)
        out["examples"] = [
            {
                "query": u.query,
                "topic": u.topic,
                "constraints": [c.to_dict() for c in u.constraints],
            }
            for u in understood[:5]
        ]
        return out
    finally:
        holder.close()


def end_to_end(snap: Any, queries: list) -> dict[str, dict[str, float]]:
    """The hits ``Searcher.search`` returns, without and with understanding — everything a
    user gets, the answer's source paragraph first included (the rankings ``measure``
    scores stop before it): hit@5, MRR@10 and nDCG@10 of the ten hits as served; and
    understanding's own job (the place, unit, year or kind picks the document; which line
    of it answers is the retrievers'): the share of queries whose first hit is in a document
    with a grade-2 answer, and whose five first hits all are. ``snap``: the open index
    (``IndexHolder.snapshot``); the queries' gold resolved on it."""
    rows = snap.reader.paragraphs_by_rowid(sorted({r for q in queries for r in q.relevant}))
    out: dict[str, dict[str, float]] = {}
    for name, understand in (("without", False), ("understood", True)):
        sums = dict.fromkeys(("hit@5", "mrr@10", "ndcg@10"), 0.0)
        first = all5 = 0
        for q in queries:
            hits = snap.searcher.search(q.query, K, understand=understand).hits
            rowid = {rows[r].id: r for r in q.relevant}  # the answers' ids; others -1
            groups = [[h.rowid, *(rowid.get(a["paragraph_id"], -1) for a in h.also)] for h in hits]
            got = score_groups(groups, groups, q.relevant, clusters(q, rows))
            for m in sums:
                sums[m] += got[m]
            answering = {g["doc_id"] for g in q.gold if int(g.get("grade", 2)) == 2}
            docs = [h.doc_id for h in hits]
            first += bool(docs) and docs[0] in answering
            all5 += bool(docs) and all(d in answering for d in docs[:5])
        n = len(queries)
        out[name] = {m: round(v / n, 4) for m, v in sums.items()}
        out[name]["first hit's document answers"] = round(first / n, 4)
        out[name]["five first hits' documents answer"] = round(all5 / n, 4)
    return out


def _hybrid(metrics: dict) -> dict[str, dict[str, float]]:
    return {
        view: {m: round(metrics[view]["hybrid"][m], 4) for m in METRICS}
        for view in ("served", "paragraphs")
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.understanding", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--weights", default=",".join(f"{w:g}" for w in WEIGHTS))
    args = parser.parse_args(argv)
    weights = [float(w) for w in args.weights.split(",") if w.strip()]
    report: dict[str, Any] = {}
    many = build_many_index(quiet=True)
    if many is not None:
        report["constraints"] = measure(many, load_queries(CONSTRAINTS), weights)
        report["many"] = measure(many, load_queries(MANY_QUERIES), weights)
    with tempfile.TemporaryDirectory(prefix="cchc-understanding-") as tmp:
        report["plans"] = measure(
            build_temporary_index(Path(tmp)), load_queries(DEFAULT_QUERIES), weights
        )
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="hybrid as served, without and with query understanding")
    for col in ("set", "queries (understood / preferred)", "search", *METRICS):
        table.add_column(col)
    for name, r in report.items():
        for key in [k for k in r if k == "without" or k.startswith("with ")]:
            table.add_row(
                name,
                f"{r['queries']} ({r['understood']} / {r['preferred']})",
                key,
                *(f"{r[key]['served'][m]:.3f}" for m in METRICS),
            )
    Console().print(table)
    for name, r in report.items():
        for search, found in r.get("end to end", {}).items():
            shares = ", ".join(f"{k} {v:.3f}" for k, v in found.items())
            print(f"{name}, Searcher.search end to end, {search}: {shares}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
