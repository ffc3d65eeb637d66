"""The retrieval-quality harness on the session index: the hybrid beats both retrievers."""

from __future__ import annotations

import json

import pytest

from eval import run as ev
from eval.metrics import hit_at, mrr_at, ndcg_at


def test_metrics_on_toy_rankings():
    assert hit_at([5, 1, 2], {2}, 3) == 1.0 and hit_at([5, 1, 2], {2}, 2) == 0.0
    assert mrr_at([5, 1, 2], {1, 2}, 10) == 0.5 and mrr_at([5], {1}, 10) == 0.0
    assert ndcg_at([1, 2], {1, 2}, 10) == pytest.approx(1.0)
    assert 0 < ndcg_at([9, 1], {1, 2}, 10) < ndcg_at([1, 9], {1, 2}, 10) < 1


def test_queries_file_is_rich_enough():
    queries = ev.load_queries()
    assert len(queries) >= 30
    tags = {t for q in queries for t in q.tags}
    assert {"paraphrase", "no_diacritics", "one_unit", "both_units"} <= tags
    both = [q for q in queries if "both_units" in q.tags]
    assert all(len({g["doc_id"] for g in q.gold}) == 2 for q in both)


@pytest.fixture(scope="module")
def report(index_dir):
    return ev.evaluate(index_dir)


@pytest.mark.slow
def test_every_gold_answer_resolves(report):
    assert all(q["relevant"] for q in report.per_query)


@pytest.mark.slow
def test_hybrid_at_least_as_good_as_each_retriever(report):
    m = report.metrics
    for name in ("hit@5", "mrr@10", "ndcg@10"):
        assert m["hybrid"][name] >= max(m["dense"][name], m["lexical"][name]) - 1e-9, (name, m)
    assert report.hybrid_dominates()


@pytest.mark.slow
def test_sane_floors(report):
    m = report.metrics
    assert m["hybrid"]["hit@5"] >= 0.85
    assert m["hybrid"]["mrr@10"] >= 0.75
    assert m["hybrid"]["ndcg@10"] >= 0.75
    assert m["dense"]["ndcg@10"] >= 0.4 and m["lexical"]["ndcg@10"] >= 0.6
    q01 = next(q for q in report.per_query if q["id"] == "q01")
    assert q01["hybrid"]["first_relevant_rank"] == 1


@pytest.mark.slow
def test_broken_gold_is_one_clear_error(index_dir, tmp_path):
    bad = {
        "queries": [
            {
                "id": "x1",
                "query": "q",
                "gold": [
                    {
                        "doc_id": "2025-ban-quan-ly-kkt-kcn-khanh-hoa",
                        "contains": "không hề có câu này",
                    }
                ],
            }
        ]
    }
    path = tmp_path / "q.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ev.GoldError, match="x1"):
        ev.evaluate(index_dir, path)


@pytest.mark.slow
def test_cli_json(index_dir, capsys):
    assert ev.main(["--index", str(index_dir), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["queries"] >= 30 and set(body["metrics"]) == {"dense", "lexical", "hybrid"}
    assert body["fusion"]["method"] in ("rrf", "weighted")
