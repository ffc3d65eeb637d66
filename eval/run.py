"""Retrieval-quality harness: dense alone, lexical alone and hybrid, side by side.

    python -m eval.run [--index DIR] [--json] [--sweep] [--queries FILE]

Without ``--index`` it builds a temporary index of ``corpus/``. The gold answers in
``eval/queries.json`` are (doc_id, distinctive substring) pairs resolved to paragraphs at run
time (folded, whitespace removed), so they survive re-parsing. Each query is retrieved once
per retriever (to ``DEPTH``); the fusions are then computed from those rankings, so
``--sweep`` can compare many fusion settings quickly. Metrics: hit@5, MRR@10 and recall@50
over the paragraphs that answer (grade 2), nDCG@10 with graded gains (2 answers, 1 related).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eval.metrics import METRICS, mean, score_all, score_groups
from indexer.errors import IndexerError
from indexer.text import fold
from service.live.holder import IndexHolder
from service.search import GROUP_WINDOW, FusionParams, Ranking, Searcher, rank
from service.search.grouping import group_duplicates
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUERIES = Path(__file__).with_name("queries.json")
MANY_QUERIES = Path(__file__).with_name("queries_multidoc.json")
REAL = ROOT.parent / "shared" / "corpus-real"
MANY = ROOT / "var" / "eval" / "many"
SET_TITLES = {
    "plans": "two plans (corpus/, eval/queries.json)",
    "many": "many documents (corpus/ + corpus-real/, eval/queries_multidoc.json)",
}
DEPTH = 100
K = 10
RECALL_K = 50
METHODS = ("dense", "lexical", "hybrid")


class GoldError(IndexerError):
    """A gold answer of queries.json that matches no paragraph of the index."""

    exit_code = 7


@dataclass(slots=True)
class EvalQuery:
    id: str
    query: str
    tags: list[str]
    gold: list[dict]
    relevant: dict[int, int] = field(default_factory=dict)  # rowid → grade (2 answers, 1 related)
    relevant_ids: list[str] = field(default_factory=list)  # paragraph ids, for the report


@dataclass(slots=True)
class EvalReport:
    index: str
    generation: str
    fusion: dict[str, Any]
    metrics: dict[str, dict[str, float]]  # method → metric → mean, over paragraphs
    by_tag: dict[str, dict[str, dict[str, float]]]  # tag → method → metric → mean
    per_query: list[dict[str, Any]]
    served: dict[str, dict[str, float]] = field(default_factory=dict)  # over hits as served
    served_by_tag: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    @property
    def n_queries(self) -> int:
        return len(self.per_query)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "generation": self.generation,
            "queries": self.n_queries,
            "k": K,
            "fusion": self.fusion,
            "metrics": self.metrics,
            "by_tag": self.by_tag,
            "served": self.served,
            "served_by_tag": self.served_by_tag,
            "per_query": self.per_query,
        }

    def hybrid_dominates(self, served: bool = False) -> bool:
        """The hybrid is at least as good as the better single retriever on every metric."""
        m = self.served if served else self.metrics
        return all(
            m["hybrid"][name] >= max(m["dense"][name], m["lexical"][name]) - 1e-9
            for name in METRICS
        )


def load_queries(path: Path = DEFAULT_QUERIES, pooled: bool = True) -> list[EvalQuery]:
    """The queries of ``path``; ``pooled=False`` keeps only the answers found by reading the
    documents (not those judged from the pool of retrieved paragraphs)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        EvalQuery(
            q["id"],
            q["query"],
            list(q.get("tags", [])),
            [g for g in q["gold"] if pooled or not g.get("pooled")],
        )
        for q in data["queries"]
    ]


def squash(text: str) -> str:
    """Folded text without any whitespace: robust to line joins and spacing."""
    return re.sub(r"\s+", "", fold(text))


def resolve_gold(reader: Any, queries: Iterable[EvalQuery]) -> None:
    """Fill each query's relevant rowids from its (doc_id, substring) pairs."""
    cache: dict[str, list[tuple[Any, str]]] = {}
    for q in queries:
        for g in q.gold:
            doc_id, needle = g["doc_id"], squash(g["contains"])
            if doc_id not in cache:
                cache[doc_id] = [(p, squash(p.text)) for p in reader.paragraphs(doc_id)]
            found = [p for p, text in cache[doc_id] if needle in text]
            if not found:
                raise GoldError(
                    f"{q.id}: no paragraph of {doc_id} contains {g['contains']!r} — "
                    "fix eval/queries.json (or the parser)"
                )
            grade = int(g.get("grade", 2))
            for p in found:
                if p.rowid not in q.relevant:
                    q.relevant_ids.append(p.id)
                q.relevant[p.rowid] = max(grade, q.relevant.get(p.rowid, 0))


def retrieve_all(searcher: Searcher, queries: Sequence[EvalQuery]) -> list[tuple[Ranking, Ranking]]:
    """(dense, lexical) rankings of every query, DEPTH deep."""
    return [searcher.retrieve(q.query, DEPTH, None) for q in queries]


def context_reranker(
    searcher: Searcher, queries: Sequence[EvalQuery]
) -> Callable[[int, Ranking], Ranking]:
    """The hybrid's re-ranking in context for each query (its query vector computed once)."""
    vecs = [searcher.query_vector(searcher.for_dense(searcher.expanded(q.query))) for q in queries]
    return lambda i, fused: searcher.in_context(vecs[i], fused)


def fetch_paragraphs(
    reader: Any, queries: Sequence[EvalQuery], runs: Sequence[tuple[Ranking, Ranking]]
) -> dict[int, Any]:
    """The rows of every retrieved and every relevant paragraph (for grouping)."""
    wanted = {r for q in queries for r in q.relevant}
    wanted |= {r for dense, lexical in runs for r, _ in (*dense, *lexical)}
    return reader.paragraphs_by_rowid(sorted(wanted))


def _first_rank(ranked: Sequence[int], relevant: set[int]) -> int | None:
    return next((i for i, r in enumerate(ranked, 1) if r in relevant), None)


def clusters(q: EvalQuery, paragraphs: Mapping[int, Any]) -> dict[int, int]:
    """Each relevant paragraph's answer cluster: relevant copies of one text in several
    documents (near-identical, as the service groups them) are one answer."""
    ordered = sorted(q.relevant, key=lambda r: -q.relevant[r])
    grouped = group_duplicates([paragraphs[r] for r in ordered], _text, _doc, limit=len(ordered))
    return {p.rowid: i for i, (head, members) in enumerate(grouped) for p in (head, *members)}


def served_groups(ranked: Sequence[int], paragraphs: Mapping[int, Any], k: int) -> list[list[int]]:
    """The k hits the service returns for a ranking: near-identical paragraphs of other
    documents within its window of candidates folded into the best-ranked copy
    (``Searcher.search``)."""
    window = ranked[: max(3 * k, GROUP_WINDOW)]
    grouped = group_duplicates([paragraphs[r] for r in window], _text, _doc, limit=k)
    return [[head.rowid, *(m.rowid for m in members)] for head, members in grouped]


def _text(p: Any) -> str:
    return p.text


def _doc(p: Any) -> str:
    return p.doc_id


def score(
    queries: Sequence[EvalQuery],
    runs: Sequence[tuple[Ranking, Ranking]],
    params: FusionParams,
    paragraphs: Mapping[int, Any] | None = None,
    in_context: Callable[[int, Ranking], Ranking] | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, float]]], list[dict]]:
    """Mean metrics per view and method, per tag, and per-query details for one fusion
    setting. Views: ``paragraphs`` (each paragraph a result) and, given the ``paragraphs``
    rows, ``served`` (near-identical copies grouped into one hit, as ``/search`` answers).
    ``in_context(i, fused)``: the hybrid's last step for query i (``Searcher.in_context``)."""
    views = ("paragraphs", "served") if paragraphs is not None else ("paragraphs",)
    rows = {v: {m: [] for m in METHODS} for v in views}
    tag_rows: dict[str, dict[str, dict[str, list[dict[str, float]]]]] = {v: {} for v in views}
    per_query = []
    for i, (q, (dense, lexical)) in enumerate(zip(queries, runs, strict=True)):
        depth = params.candidates
        detail: dict[str, Any] = {"id": q.id, "query": q.query, "tags": q.tags}
        detail["relevant"] = q.relevant_ids
        cluster = clusters(q, paragraphs) if paragraphs is not None else {}
        for method in METHODS:
            fused = rank(dense[:depth], lexical[:depth], params, method)
            if method == "hybrid" and in_context is not None:
                fused = in_context(i, fused)
            full = [r for r, _ in fused]
            ranked = full[:RECALL_K]
            scores = {"paragraphs": score_all(ranked, q.relevant)}
            if paragraphs is not None:
                scores["served"] = score_groups(
                    served_groups(full, paragraphs, K),
                    served_groups(full, paragraphs, RECALL_K),
                    q.relevant,
                    cluster,
                )
            for view, s in scores.items():
                rows[view][method].append(s)
                for tag in q.tags:
                    by = tag_rows[view].setdefault(tag, {m: [] for m in METHODS})
                    by[method].append(s)
            detail[method] = {"first_relevant_rank": _first_rank(ranked, q.relevant)}
            detail[method] |= scores["paragraphs"]
            if "served" in scores:
                detail[method]["served"] = scores["served"]
        per_query.append(detail)
    metrics = {v: {m: mean(rows[v][m]) for m in METHODS} for v in views}
    by_tag = {
        v: {t: {m: mean(r[m]) for m in METHODS} for t, r in sorted(tag_rows[v].items())}
        for v in views
    }
    return metrics, by_tag, per_query


def evaluate(
    index_dir: Path,
    queries_path: Path = DEFAULT_QUERIES,
    params: FusionParams | None = None,
    holder: IndexHolder | None = None,
    pooled: bool = True,
) -> EvalReport:
    """Run every query against the index at ``index_dir`` and score the three methods."""
    own = holder is None
    settings = Settings(index_dir=index_dir)
    holder = holder or IndexHolder(settings).open()
    try:
        snap = holder.snapshot
        params = params or FusionParams.from_settings(settings)
        queries = load_queries(queries_path, pooled)
        resolve_gold(snap.reader, queries)
        searcher = Searcher(snap.reader, snap.embedder, params)
        runs = retrieve_all(searcher, queries)
        paragraphs = fetch_paragraphs(snap.reader, queries, runs)
        rerank = context_reranker(searcher, queries)
        metrics, by_tag, per_query = score(queries, runs, params, paragraphs, rerank)
        return EvalReport(
            index=str(index_dir),
            generation=snap.generation,
            fusion=_params_dict(params),
            metrics=metrics["paragraphs"],
            by_tag=by_tag["paragraphs"],
            per_query=per_query,
            served=metrics["served"],
            served_by_tag=by_tag["served"],
        )
    finally:
        if own:
            holder.close()


def _params_dict(p: FusionParams) -> dict[str, Any]:
    return {
        "method": p.method,
        "rrf_k": p.rrf_k,
        "dense_weight": p.dense_weight,
        "lexical_weight": p.lexical_weight,
        "candidates": p.candidates,
        "expand": p.expand,
    }


def sweep_grid(base: FusionParams) -> list[FusionParams]:
    """The fusion settings ``--sweep`` compares."""
    grid = []
    for rrf_k in (1, 5, 10, 20, 40, 60, 100):
        for wd, wl in ((1, 1), (1, 0.75), (0.75, 1), (1, 0.5), (0.5, 1), (1, 0.25), (0.25, 1)):
            grid.append(
                replace(base, method="rrf", rrf_k=rrf_k, dense_weight=wd, lexical_weight=wl)
            )
    for i in range(1, 10):
        wd = i / 10
        grid.append(replace(base, method="weighted", dense_weight=wd, lexical_weight=1 - wd))
    return grid


def sweep(index_dir: Path, queries_path: Path = DEFAULT_QUERIES) -> list[dict[str, Any]]:
    """Metrics of every fusion in ``sweep_grid``, best first (by the sum of the metrics)."""
    settings = Settings(index_dir=index_dir)
    holder = IndexHolder(settings).open()
    try:
        snap = holder.snapshot
        queries = load_queries(queries_path)
        resolve_gold(snap.reader, queries)
        base = FusionParams.from_settings(settings)
        out = []
        for expand in (True, False):
            searcher = Searcher(snap.reader, snap.embedder, replace(base, expand=expand))
            runs = retrieve_all(searcher, queries)
            rerank = context_reranker(searcher, queries)
            for params in sweep_grid(replace(base, expand=expand)):
                by_view, _, _ = score(queries, runs, params, in_context=rerank)
                metrics = by_view["paragraphs"]
                best_single = {n: max(metrics["dense"][n], metrics["lexical"][n]) for n in METRICS}
                out.append(
                    {
                        "fusion": _params_dict(params),
                        "hybrid": metrics["hybrid"],
                        "dominates": all(
                            metrics["hybrid"][n] >= best_single[n] - 1e-9 for n in METRICS
                        ),
                        "best_single": best_single,
                    }
                )
        out.sort(key=lambda r: -sum(r["hybrid"].values()))
        return out
    finally:
        holder.close()


# -- printing ----------------------------------------------------------------------------------
def print_report(report: EvalReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    f = report.fusion
    fusion = (
        f"rrf k={f['rrf_k']}" if f["method"] == "rrf" else "weighted (min-max)"
    ) + f", w_dense={f['dense_weight']}, w_lexical={f['lexical_weight']}"
    fusion += ", expand" if f.get("expand") else ""
    views = (
        ("as served: near-identical copies of other units grouped into one hit", True),
        ("paragraph by paragraph", False),
    )
    for title, served in views:
        metrics = report.served if served else report.metrics
        by_tag = report.served_by_tag if served else report.by_tag
        table = Table(title=f"{report.n_queries} queries, {title} (generation {report.generation})")
        table.add_column("method")
        for name in METRICS:
            table.add_column(name, justify="right")
        for method in METHODS:
            label = f"hybrid ({fusion})" if method == "hybrid" else method
            table.add_row(label, *(f"{metrics[method][n]:.3f}" for n in METRICS))
        console.print(table)
        tags = Table(title=f"nDCG@10 by query tag, {title.split(':')[0]}")
        tags.add_column("tag")
        for method in METHODS:
            tags.add_column(method, justify="right")
        for tag, by_method in by_tag.items():
            tags.add_row(tag, *(f"{by_method[m]['ndcg@10']:.3f}" for m in METHODS))
        console.print(tags)
        verdict = "yes" if report.hybrid_dominates(served) else "NO"
        console.print(f"hybrid ≥ best single retriever on every metric: {verdict}")


def print_sweep(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="fusion sweep (best first)")
    for col in ("expand", "method", "rrf_k", "w_dense", "w_lex", *METRICS, "≥ best single"):
        table.add_column(col, justify="right")
    for r in rows:
        f = r["fusion"]
        table.add_row(
            "yes" if f["expand"] else "no",
            f["method"],
            str(f["rrf_k"]) if f["method"] == "rrf" else "",
            f"{f['dense_weight']:g}",
            f"{f['lexical_weight']:g}",
            *(f"{r['hybrid'][n]:.3f}" for n in METRICS),
            "yes" if r["dominates"] else "",
        )
    console = Console()
    console.print(table)
    for expand in (True, False):
        best = next((r["best_single"] for r in rows if r["fusion"]["expand"] == expand), {})
        console.print(
            f"best single retriever (expand={'yes' if expand else 'no'}): "
            + ", ".join(f"{n} {v:.3f}" for n, v in best.items())
        )


def build_temporary_index(tmp: Path) -> Path:
    """Index ``corpus/`` into ``tmp/index`` (for a run without --index)."""
    from indexer.build import build_index

    index_dir = tmp / "index"
    build_index(ROOT / "corpus", index_dir, quiet=True)
    return index_dir


def build_many_index(quiet: bool = False) -> Path | None:
    """The many-document index: ``corpus/`` and ``../shared/corpus-real/`` copied into
    ``var/eval/many/corpus`` (real documents stay out of the repository) and indexed into
    ``var/eval/many/index``, incrementally (the first build embeds ~25,000 paragraphs: tens of
    minutes on two cores; later runs only what changed). None when corpus-real is absent."""
    import shutil

    from indexer.build import build_index

    if not REAL.is_dir():
        return None
    corpus = MANY / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    wanted = {p.name: p for p in (ROOT / "corpus").glob("*.txt")}
    wanted |= {p.name: p for p in REAL.glob("*.md") if p.name != "README.md"}
    for stale in set(os.listdir(corpus)) - set(wanted):
        (corpus / stale).unlink()
    for name, src in wanted.items():
        dst = corpus / name
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            shutil.copyfile(src, dst)
    build_index(corpus, MANY / "index", quiet=quiet)
    return MANY / "index"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--set",
        choices=("plans", "many", "both"),
        default="both",
        help="plans: the two plans of corpus/ (eval/queries.json); many: those plus the 124 "
        "documents of ../shared/corpus-real (eval/queries_multidoc.json); both (default)",
    )
    parser.add_argument("--index", type=Path, help="index directory (default: build it)")
    parser.add_argument("--queries", type=Path, help="queries file (default: the set's own)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--sweep", action="store_true", help="compare fusion settings")
    parser.add_argument(
        "--no-pooled",
        dest="pooled",
        action="store_false",
        help="score against the answers found by reading only (without the pooled judgements)",
    )
    args = parser.parse_args(argv)
    sets = ["plans", "many"] if args.set == "both" else [args.set]
    if args.index is not None and args.set == "both":
        sets = ["plans"]  # one given index: the two-plan set unless --set many says otherwise
    reports = {}
    try:
        with tempfile.TemporaryDirectory(prefix="cchc-eval-") as tmp:
            for name in sets:
                queries = args.queries or (DEFAULT_QUERIES if name == "plans" else MANY_QUERIES)
                index_dir = args.index
                if index_dir is None and name == "plans":
                    print("building a temporary index of corpus/ …", file=sys.stderr)
                    index_dir = build_temporary_index(Path(tmp))
                elif index_dir is None:
                    print(f"updating the many-document index in {MANY} …", file=sys.stderr)
                    index_dir = build_many_index()
                    if index_dir is None:
                        print(f"skipped the many-document set: {REAL} is absent", file=sys.stderr)
                        continue
                if args.sweep:
                    rows = sweep(index_dir, queries)
                    if args.json:
                        print(json.dumps(rows, ensure_ascii=False, indent=2))
                    else:
                        print_sweep(rows)
                    continue
                reports[name] = evaluate(index_dir, queries, pooled=args.pooled)
    except IndexerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    if args.json and reports:
        body = {n: r.to_dict() for n, r in reports.items()}
        print(json.dumps(body if len(body) > 1 else next(iter(body.values())), ensure_ascii=False))
    else:
        for name, report in reports.items():
            print(f"\n== {SET_TITLES[name]}")
            print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
