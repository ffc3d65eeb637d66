"""Ways to give search's re-rank its context, side by side (issue 28, item 2).

    python -m eval.context [--set plans|many|both] [--json]

The hybrid's last step re-ranks its best 30 by the query's similarity to each paragraph "in
its context" (document title › two nearest headings › text; ``Searcher.in_context``). Until
now that vector was a second embedding of every paragraph, which doubles the build's
embedding. Compared here, on the same rankings of the same index, scored as ``make eval``
scores the hybrid (as served and paragraph by paragraph):

- ``embedded``: the vector the index stores — "title › headings › text" embedded whole;
- ``prefix``: "title › headings" embedded once per distinct pair in the corpus, mixed with
  the paragraph's own vector, each weighted by its share of the characters (a text's
  embedding is close to the character-weighted mix of its parts' embeddings: bench/synth.py
  measured 0.98 for two joined clauses);
- ``parts``: no second embedding of any paragraph — the title embedded once per document,
  the headings' own vectors (headings are paragraphs; one not found is embedded), and the
  paragraph's own vector, mixed by their shares of the characters;
- ``own``: the paragraph's own vector only (no context).

For each: the texts it embeds beyond one per paragraph (and their characters), its mean
cosine to the embedded vector, and the metrics. Nothing here changes the index.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.metrics import METRICS
from eval.run import (
    DEFAULT_QUERIES,
    MANY_QUERIES,
    build_many_index,
    build_temporary_index,
    fetch_paragraphs,
    load_queries,
    resolve_gold,
    retrieve_all,
    score,
)
from indexer.embeddings.context import context_parts
from indexer.text.analyze import passage_context
from service.live.holder import IndexHolder
from service.search import FusionParams, Ranking, Searcher
from service.search.fusion import _minmax
from service.settings import Settings

SCHEMES = ("embedded", "prefix", "parts", "own")
CACHE = Path(__file__).resolve().parent.parent / "var" / "eval" / "context-embedded.npz"
GAINS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0)  # the context's weight against the paragraph's own
BATCH = 16


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    n[n == 0] = 1.0
    return (v / n).astype(np.float32)


def _name(scheme: str, gain: float) -> str:
    return scheme if gain == 1.0 else f"{scheme}×{gain:g}"


class Corpus:
    """Every paragraph of an index with what the schemes need: own vectors, the document's
    title, the section path and the text; and "embedded": each paragraph's
    "title › headings › text" embedded whole — the catalog's stored vector where the index
    was built that way (its ``text_hash`` is that text's), else embedded here and kept in
    ``CACHE`` for the next run."""

    def __init__(self, reader: Any, embed: Callable[[list[str]], np.ndarray]):
        self.rowids: list[int] = []
        self.title: list[str] = []
        self.section: list[list[str]] = []
        self.text: list[str] = []
        self.docs: list[str] = []
        self.documents: list[tuple[str | None, list[Any]]] = []  # (title, paragraphs)
        for doc in reader.documents():
            paragraphs = reader.paragraphs(doc.doc_id)
            self.documents.append((doc.title, paragraphs))
            for p in paragraphs:
                self.rowids.append(p.rowid)
                self.title.append(doc.title or "")
                self.section.append(p.section)
                self.text.append(p.text)
                self.docs.append(doc.doc_id)
        self.at = {r: i for i, r in enumerate(self.rowids)}
        self.own = reader.vectors(self.rowids)
        self.embedded = self._embedded(reader, embed)

    def _embedded(self, reader: Any, embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        from indexer.store import catalog

        texts = [
            passage_context(t, s, x)
            for t, s, x in zip(self.title, self.section, self.text, strict=True)
        ]
        hashes = [catalog.text_hash(t) if t else "" for t in texts]
        cache: dict[str, np.ndarray] = {}
        if CACHE.is_file():
            with np.load(CACHE) as stored:
                cache = {h: stored[h] for h in stored.files}
        wanted = {h for h in hashes if h and h not in cache}
        if wanted:
            with reader._lock:  # the stored vectors of an index built with them
                found = catalog.vectors_for_hashes(reader._conn, wanted, context=True)
            cache |= {h: np.frombuffer(v, dtype=np.float32) for h, v in found.items()}
        todo = list(
            dict.fromkeys(t for t, h in zip(texts, hashes, strict=True) if t and h not in cache)
        )
        for at in range(0, len(todo), BATCH):
            chunk = todo[at : at + BATCH]
            for t, v in zip(chunk, embed(chunk), strict=True):
                cache[catalog.text_hash(t)] = np.asarray(v, dtype=np.float32)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        np.savez(CACHE, **cache)
        out = np.array(self.own, copy=True)
        for i, h in enumerate(hashes):
            if h:
                out[i] = cache[h]
        return out


def _names() -> list[str]:
    return [
        "embedded",
        *(_name("prefix", g) for g in GAINS),
        *(_name("parts", g) for g in GAINS),
        "own",
    ]


def scheme_vectors(corpus: Corpus, embed: Callable[[list[str]], np.ndarray]) -> dict[str, Any]:
    """Each scheme's context vector for every paragraph, and what it costs to build."""
    n = len(corpus.rowids)
    texts = corpus.text
    cache: dict[str, np.ndarray] = {}

    def vectors(wanted: Sequence[str]) -> None:
        todo = [t for t in dict.fromkeys(wanted) if t and t not in cache]
        for at in range(0, len(todo), BATCH):
            chunk = todo[at : at + BATCH]
            for t, v in zip(chunk, embed(chunk), strict=True):
                cache[t] = np.asarray(v, dtype=np.float32)

    out: dict[str, Any] = {
        "embedded": {
            "vectors": corpus.embedded,
            "extra_texts": n,
            "extra_chars": sum(
                len(passage_context(t, s, x) or "")
                for t, s, x in zip(corpus.title, corpus.section, texts, strict=True)
            ),
        },
        "own": {"vectors": corpus.own, "extra_texts": 0, "extra_chars": 0},
    }
    # prefix: "title › headings" once per distinct pair
    prefixes = []
    for t, s in zip(corpus.title, corpus.section, strict=True):
        title, heads = context_parts(t, s)
        prefixes.append(" › ".join([p for p in (title, " › ".join(heads)) if p]))
    vectors(prefixes)
    around = np.zeros_like(corpus.own)  # the context's part of the mix, unnormalised
    mine = np.zeros(n, dtype=np.float32)  # the paragraph's own weight
    for i, (pre, x) in enumerate(zip(prefixes, texts, strict=True)):
        mine[i] = len(x)
        if pre:
            around[i] = len(pre) * cache[pre]
    distinct = set(p for p in prefixes if p)
    for gain in GAINS:
        out[_name("prefix", gain)] = {
            "vectors": _unit(mine[:, None] * corpus.own + gain * around),
            "extra_texts": len(distinct),
            "extra_chars": sum(len(p) for p in distinct),
        }
    # parts: the product's own (indexer.embeddings.context), at each gain
    from indexer.embeddings import context as product

    extra: dict[str, None] = {}
    for title, paragraphs in corpus.documents:
        extra.update(dict.fromkeys(product.context_sources(title, paragraphs)))
    vectors(list(extra))
    saved = product.GAIN
    try:
        for gain in GAINS:
            product.GAIN = gain
            mixed = np.array(corpus.own, copy=True)
            for title, paragraphs in corpus.documents:
                rows = [corpus.at[p.rowid] for p in paragraphs]
                _labels, vecs = product.in_context(
                    title, paragraphs, corpus.own[rows], lambda t: cache[t]
                )
                mixed[rows] = vecs
            out[_name("parts", gain)] = {
                "vectors": mixed,
                "extra_texts": len(extra),
                "extra_chars": sum(len(t) for t in extra),
            }
    finally:
        product.GAIN = saved
    for item in out.values():
        item["fidelity"] = float(np.mean(np.sum(item["vectors"] * corpus.embedded, axis=1)))
    out["paragraphs"] = n
    out["chars"] = sum(len(x) for x in texts)
    return out


def evaluate_schemes(index_dir: Path, queries_path: Path) -> dict[str, Any]:
    """The schemes' metrics on one index and query set, on the same rankings."""
    settings = Settings(index_dir=index_dir)
    holder = IndexHolder(settings).open()
    try:
        snap = holder.snapshot
        corpus = Corpus(snap.reader, snap.embedder.embed_passages)
        schemes = scheme_vectors(corpus, snap.embedder.embed_passages)
        params = FusionParams.from_settings(settings)
        queries = load_queries(queries_path)
        resolve_gold(snap.reader, queries)
        searcher = Searcher(snap.reader, snap.embedder, params)
        runs = retrieve_all(searcher, queries)
        paragraphs = fetch_paragraphs(snap.reader, queries, runs)
        qvecs = [
            searcher.query_vector(searcher.for_dense(searcher.expanded(q.query))) for q in queries
        ]
        report: dict[str, Any] = {
            "index": str(index_dir),
            "queries": len(queries),
            "paragraphs": schemes["paragraphs"],
            "chars": schemes["chars"],
        }
        for name in _names():
            table = schemes[name]["vectors"]

            def rerank(i: int, fused: Ranking, table: np.ndarray = table) -> Ranking:
                depth, weight = params.context_depth, params.context_weight
                if weight <= 0 or len(fused) < 2:
                    return fused
                head = fused[:depth]
                rows = [corpus.at.get(r) for r, _ in head]
                sims = [float(table[j] @ qvecs[i]) if j is not None else 0.0 for j in rows]
                norm = _minmax([(r, s) for (r, _), s in zip(head, sims, strict=True)])
                head = sorted(((r, s + weight * norm[r]) for r, s in head), key=lambda h: -h[1])
                return head + fused[depth:]

            metrics, _by_tag, _ = score(queries, runs, params, paragraphs, rerank)
            report[name] = {
                "extra_texts": schemes[name]["extra_texts"],
                "extra_chars": schemes[name]["extra_chars"],
                "fidelity": round(schemes[name]["fidelity"], 4),
                "served": {k: round(v, 4) for k, v in metrics["served"]["hybrid"].items()},
                "paragraphs": {k: round(v, 4) for k, v in metrics["paragraphs"]["hybrid"].items()},
            }
        return report
    finally:
        holder.close()


def print_report(name: str, report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{name}: {report['queries']} queries, {report['paragraphs']} paragraphs "
        f"({report['chars']:,} characters); hybrid, as served"
    )
    for col in ("context", "texts embedded beyond one per paragraph", "their characters"):
        table.add_column(col)
    table.add_column("cos to embedded", justify="right")
    for m in METRICS:
        table.add_column(m, justify="right")
    for scheme in _names():
        r = report[scheme]
        table.add_row(
            scheme,
            f"{r['extra_texts']:,} ({r['extra_texts'] / report['paragraphs']:.0%})",
            f"{r['extra_chars']:,} ({r['extra_chars'] / report['chars']:.0%})",
            f"{r['fidelity']:.3f}",
            *(f"{r['served'][m]:.3f}" for m in METRICS),
        )
    Console().print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.context", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--set", choices=("plans", "many", "both"), default="both")
    parser.add_argument("--index", type=Path, help="the many-document index (default: built)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    reports = {}
    with tempfile.TemporaryDirectory(prefix="cchc-context-") as tmp:
        if args.set in ("plans", "both"):
            reports["plans"] = evaluate_schemes(build_temporary_index(Path(tmp)), DEFAULT_QUERIES)
        if args.set in ("many", "both"):
            many = args.index or build_many_index(quiet=True)
            if many is None:
                print("skipped the many-document set: corpus-real is absent", file=sys.stderr)
            else:
                reports["many"] = evaluate_schemes(many, MANY_QUERIES)
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=1))
    else:
        for name, report in reports.items():
            print_report(name, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
