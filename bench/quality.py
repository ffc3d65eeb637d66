"""Retrieval quality on the eval set (eval/queries.json) over the real index: our hybrid
search against txtai hybrid fed the same paragraphs and the same vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.baselines import TxtaiHybrid
from bench.measure import percentiles, time_calls

K = 10


def quality_vs_txtai(index_dir: Path, embedder) -> dict:
    from eval.metrics import mean, score_all
    from eval.run import load_queries, resolve_gold
    from indexer.store import IndexReader
    from service.search import Searcher

    reader = IndexReader.open(index_dir)
    try:
        queries = load_queries()
        resolve_gold(reader, queries)
        rowids = [p.rowid for d in reader.documents() for p in reader.paragraphs(d.doc_id)]
        rows = reader.paragraphs_by_rowid(rowids)
        texts = [rows[r].text for r in rowids]
        vectors = np.asarray(reader.vectors(rowids), dtype=np.float32)
        searcher = Searcher(reader, embedder, cache_size=0)  # every query embedded, as txtai
        tx = TxtaiHybrid(rowids, texts, vectors, lambda q: embedder.embed_queries([q])[0])
        ours_rows, tx_rows = [], []
        for q in queries:
            ours = [h.rowid for h in searcher.search(q.query, K).hits]
            theirs = tx.search(q.query, K)
            ours_rows.append(score_all(ours, q.relevant))
            tx_rows.append(score_all(theirs, q.relevant))
        texts_q = [q.query for q in queries]
        lat_ours = percentiles(time_calls(lambda q: searcher.search(q, K), texts_q))
        lat_tx = percentiles(time_calls(lambda q: tx.search(q, K), texts_q))
        tx.close()
        return {
            "queries": len(queries),
            "paragraphs": len(rowids),
            "ours_hybrid": {k: round(v, 4) for k, v in mean(ours_rows).items()},
            "txtai_hybrid": {k: round(v, 4) for k, v in mean(tx_rows).items()},
            "latency_ms": {"ours_hybrid": lat_ours, "txtai_hybrid": lat_tx},
        }
    finally:
        reader.close()
