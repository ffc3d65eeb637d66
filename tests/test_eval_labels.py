"""The labelled sets of compare pairs and coverage cells (eval/compare_pairs.json,
eval/coverage_cells.json) still name exactly one parsed paragraph each: a parser change that
splits or merges a labelled paragraph shows here, not as a silent drop in ``make eval``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from eval.run import squash
from indexer.parse import parse_file
from tests.conftest import CORPUS, real_corpus

REPO = Path(__file__).resolve().parents[1]
PAIRS = json.loads((REPO / "eval" / "compare_pairs.json").read_text("utf-8"))
CELLS = json.loads((REPO / "eval" / "coverage_cells.json").read_text("utf-8"))


def _in_corpus(doc_id: str) -> bool:
    return (CORPUS / f"{doc_id}.txt").is_file()


def _labelled(entries: list[dict], docs: Callable[[dict], list[str]]) -> list:
    """The entries as parameters; one that names a document outside corpus/ (one of
    ../shared/corpus-real) is marked ``real_corpus``."""
    real = pytest.mark.real_corpus
    return [pytest.param(e, marks=() if all(map(_in_corpus, docs(e))) else real) for e in entries]


def _pair_docs(entry: dict) -> list[str]:
    return [entry["a"], entry["b"]]


def _cell_docs(ref: dict) -> list[str]:
    return [ref["reference"], *(c["plan"] for q in ref["requirements"] for c in q["cells"])]


PAIR_PARAMS = _labelled(PAIRS["plan_pairs"], _pair_docs)
CELL_PARAMS = _labelled(CELLS["references"], _cell_docs)


def _source(doc_id: str) -> Path:
    """The plan in corpus/, else the document in the real corpus (skips where it is absent)."""
    if _in_corpus(doc_id):
        return CORPUS / f"{doc_id}.txt"
    return real_corpus() / f"{doc_id}.md"


_parsed: dict[str, list[str]] = {}


def paragraphs(doc_id: str) -> list[str]:
    path = _source(doc_id)
    if doc_id not in _parsed:
        _parsed[doc_id] = [p.text for p in parse_file(path, path.parent).paragraphs]
    return _parsed[doc_id]


def found_once(doc_id: str, needle: str) -> int:
    texts = paragraphs(doc_id)
    exact = [i for i, t in enumerate(texts) if needle in t]
    if len(exact) == 1:
        return exact[0]
    loose = [i for i, t in enumerate(texts) if squash(needle) in squash(t)]
    assert len(loose) == 1, f"{doc_id}: {len(loose)} paragraphs contain {needle!r}"
    return loose[0]


@pytest.mark.parametrize("entry", PAIR_PARAMS, ids=lambda e: f"{e['a'][:8]}-{e['b'][:8]}")
def test_compare_labels_are_one_to_one(entry):
    a = [found_once(entry["a"], p["a"]) for p in entry["pairs"]]
    b = [found_once(entry["b"], p["b"]) for p in entry["pairs"]]
    assert len(set(a)) == len(a) and len(set(b)) == len(b), "each paragraph in one pair at most"


@pytest.mark.parametrize("ref", CELL_PARAMS, ids=lambda r: r["reference"][:12])
def test_coverage_labels_resolve(ref):
    seen = set()
    for req in ref["requirements"]:
        i = found_once(ref["reference"], req["text"])
        assert i not in seen
        seen.add(i)
        for cell in req["cells"]:
            assert cell["status"] in ("covered", "partial", "missing")
            if cell["status"] != "missing":
                found_once(cell["plan"], cell["evidence"])


def test_the_sets_are_as_large_as_the_issue_asks():
    cells = [c for r in CELLS["references"] for q in r["requirements"] for c in q["cells"]]
    assert len(cells) >= 60
    assert len(PAIRS["plan_pairs"]) >= 3


@pytest.mark.parametrize("entry", PAIR_PARAMS, ids=lambda e: f"{e['a'][:8]}-{e['b'][:8]}")
def test_both_readings_resolve_and_the_gold_keeps_what_they_agree_on(entry):
    readings = [entry["first"], *([entry["second"]] if entry.get("second") else [])]
    sets = []
    for labels in readings:
        a = [found_once(entry["a"], p["a"]) for p in labels]
        b = [found_once(entry["b"], p["b"]) for p in labels]
        assert len(set(a)) == len(a) and len(set(b)) == len(b)
        sets.append(set(zip(a, b, strict=True)))
    gold = {
        (found_once(entry["a"], p["a"]), found_once(entry["b"], p["b"])) for p in entry["pairs"]
    }
    agreed = set.intersection(*sets)
    assert agreed <= gold <= set.union(*sets), "the gold is agreed pairs plus adjudicated ones"
    sources = {p.get("source") for p in entry["pairs"]}
    assert sources <= {"both readings", "adjudicated", None}


@pytest.mark.parametrize("ref", CELL_PARAMS, ids=lambda r: r["reference"][:12])
def test_cells_keep_both_readings_and_the_gold_follows_their_agreement(ref):
    cells = [c for q in ref["requirements"] for c in q["cells"]]
    statuses = {"covered", "partial", "missing"}
    for c in cells:
        first, second = c["first"], c["second"]
        assert {first["status"], second["status"], c["status"]} <= statuses
        if first["status"] == second["status"]:
            assert c["status"] == first["status"] and c["source"] == "both readings"
        else:
            assert c["source"] == "adjudicated"
        for reading in (first, second):
            if reading["status"] != "missing":
                found_once(c["plan"], reading["evidence"])
