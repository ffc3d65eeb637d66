"""``make eval``: the pair scorer that compare and coverage share, on labels made by reading.

- **compare**: every counterpart pair of whole plan pairs (``eval/compare_pairs.json``);
  precision = compare's pairs that are labelled counterparts / compare's pairs (a pair between
  two paragraphs the labels left unpaired counts against it), recall = labelled pairs compare
  finds / every labelled pair (not only those compare proposed).
- **coverage**: (requirement, plan) cells (``eval/coverage_cells.json``); precision and recall
  of ``covered``, accuracy of the three statuses, and how many labelled requirements the
  reference's requirement extraction keeps; ``--sweep`` shows both against the threshold.

Both run on the many-document index (corpus/ + ../shared/corpus-real, built by
``eval.run``), since the labelled plans come from both.

    python -m eval.pairing [--index DIR] [--json] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.run import MANY, build_many_index, squash
from service.compare import compare_documents
from service.coverage.matrix import COVERED, PARTIAL, best_cells, status_of
from service.coverage.model import Requirement
from service.coverage.requirements import reference_requirements

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "compare_pairs.json"
CELLS = HERE / "coverage_cells.json"


class Paragraphs:
    """Paragraphs of the labelled documents, found by a distinctive substring."""

    def __init__(self, reader: Any):
        self.reader = reader
        self._docs: dict[str, list[tuple[Any, str]]] = {}

    def of(self, doc_id: str) -> list[Any]:
        return [p for p, _ in self._load(doc_id)]

    def _load(self, doc_id: str) -> list[tuple[Any, str]]:
        if doc_id not in self._docs:
            self._docs[doc_id] = [(p, squash(p.text)) for p in self.reader.paragraphs(doc_id)]
        return self._docs[doc_id]

    def find(self, doc_id: str, needle: str) -> Any:
        """The one paragraph of ``doc_id`` containing ``needle`` (ValueError otherwise)."""
        found = [p for p, _ in self._load(doc_id) if needle in p.text]  # as the labels quote
        if len(found) != 1:
            key = squash(needle)  # robust to line joins and spacing
            found = [p for p, text in self._load(doc_id) if key in text]
        if len(found) != 1:
            raise ValueError(f"{doc_id}: {len(found)} paragraphs contain {needle!r}")
        return found[0]


# -- compare ----------------------------------------------------------------------------------
def _prf(found: set, gold: set) -> tuple[float, float]:
    hit = len(found & gold)
    return (hit / len(found) if found else 0.0, hit / len(gold) if gold else 0.0)


def score_compare(reader: Any, path: Path = PAIRS) -> list[dict[str, Any]]:
    """Precision and recall of compare's pairing on each labelled plan pair, against the
    adjudicated gold (``pairs``; all of it, and its "sure" pairs for recall), against the
    first reading alone, and — where a second reading exists — the second reader scored
    against the first: how far two careful readers agree, the ceiling any scorer is measured
    under."""
    paras = Paragraphs(reader)
    out = []
    for entry in json.loads(path.read_text("utf-8"))["plan_pairs"]:
        a, b = entry["a"], entry["b"]

        def ids(labels: list[dict], a: str = a, b: str = b) -> dict[tuple[str, str], Any]:
            return {
                (paras.find(a, x["a"]).id, paras.find(b, x["b"]).id): x.get("confidence")
                for x in labels
            }

        gold = ids(entry["pairs"])
        first = set(ids(entry.get("first") or entry["pairs"]))
        result = compare_documents(reader, a, b)
        found = {(p.a_id, p.b_id) for p in result.pairs if p.status in ("same", "changed")}
        sure = {k for k, c in gold.items() if c != "unsure"}
        precision, recall = _prf(found, set(gold))
        row = {
            "a": a,
            "b": b,
            "labelled": len(gold),
            "proposed": len(found),
            "precision": precision,
            "recall": recall,
            "recall_sure": _prf(found, sure)[1],
            "vs_first_reading": dict(zip(("precision", "recall"), _prf(found, first), strict=True)),
            "missed": [f"{x} ↔ {y}" for x, y in sorted(set(gold) - found)],
            "extra": [f"{x} ↔ {y}" for x, y in sorted(found - set(gold))],
        }
        if entry.get("second"):
            second = set(ids(entry["second"]))
            row["readers"] = dict(zip(("precision", "recall"), _prf(second, first), strict=True))
        out.append(row)
    return out


def reader_agreement(path: Path = CELLS) -> dict[str, Any] | None:
    """How the two readings of the coverage cells agree: three-way agreement, Cohen's kappa,
    and the second reader's ``covered`` scored against the first's."""
    cells = [
        c
        for ref in json.loads(path.read_text("utf-8"))["references"]
        for q in ref["requirements"]
        for c in q["cells"]
        if c.get("first") and c.get("second")
    ]
    if not cells:
        return None
    one = [c["first"]["status"] for c in cells]
    two = [c["second"]["status"] for c in cells]
    agree = float(np.mean([x == y for x, y in zip(one, two, strict=True)]))
    c1, c2, n = Counter(one), Counter(two), len(cells)
    chance = sum(c1[k] * c2[k] for k in c1) / n / n
    covered1 = {i for i, x in enumerate(one) if x == "covered"}
    covered2 = {i for i, x in enumerate(two) if x == "covered"}
    precision, recall = _prf(covered2, covered1)
    return {
        "cells": n,
        "agreement": agree,
        "kappa": (agree - chance) / (1 - chance) if chance < 1 else 1.0,
        "covered_precision": precision,
        "covered_recall": recall,
        "adjudicated": sum(c.get("source") == "adjudicated" for c in cells),
    }


# -- coverage ---------------------------------------------------------------------------------
def labelled_cells(reader: Any, path: Path = CELLS) -> list[dict[str, Any]]:
    """Every labelled cell with its score: the requirement paragraph against the plan (as
    the matrix scores it), whether the extraction keeps the requirement, the gold status."""
    paras = Paragraphs(reader)
    rows = []
    for ref in json.loads(path.read_text("utf-8"))["references"]:
        ref_id = ref["reference"]
        kept = {r.id for r in reference_requirements(reader, ref_id)}
        for lab in ref["requirements"]:
            p = paras.find(ref_id, lab["text"])
            # a working point the parser took for a heading is still scored as a point
            kind = "item" if p.kind == "heading" else p.kind
            req = Requirement(p.id, p.text, list(p.section or []), kind, p.rowid)
            vec = reader.vectors([p.rowid])
            for cell in lab["cells"]:
                plan = paras.of(cell["plan"])
                vectors = reader.vectors([q.rowid for q in plan])
                got = best_cells([req], vec, plan, vectors, covered=-1.0, partial=-1.0)[0]
                evidence = (
                    paras.find(cell["plan"], cell["evidence"]).id if cell.get("evidence") else None
                )
                rows.append(
                    {
                        "reference": ref_id,
                        "requirement": p.id,
                        "extracted": p.id in kept,
                        "plan": cell["plan"],
                        "gold": cell["status"],
                        "first": (cell.get("first") or cell)["status"],
                        "confidence": cell.get("confidence"),
                        "score": got.score,
                        "matched": got.paragraph_id,
                        "evidence": evidence,
                    }
                )
    return rows


def coverage_scores(
    rows: Sequence[dict[str, Any]], covered: float, partial: float
) -> dict[str, Any]:
    """Precision / recall of ``covered`` and three-way accuracy at these thresholds."""
    pred = [status_of(r["score"], covered, partial) for r in rows]
    gold = [r["gold"] for r in rows]
    tp = sum(p == g == "covered" for p, g in zip(pred, gold, strict=True))
    n_pred = sum(p == "covered" for p in pred)
    n_gold = sum(g == "covered" for g in gold)
    right_place = [
        r["matched"] == r["evidence"]
        for r, p in zip(rows, pred, strict=True)
        if r["gold"] == "covered" and p == "covered"
    ]
    return {
        "covered": covered,
        "partial": partial,
        "precision": tp / n_pred if n_pred else 0.0,
        "recall": tp / n_gold if n_gold else 0.0,
        "accuracy": float(np.mean([p == g for p, g in zip(pred, gold, strict=True)])),
        "found_at_labelled_paragraph": float(np.mean(right_place)) if right_place else 0.0,
        "confusion": dict(Counter(f"{g}→{p}" for p, g in zip(pred, gold, strict=True))),
    }


def first_reading_scores(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Precision / recall of ``covered`` at the thresholds in use, against the first reading."""
    pred = [status_of(r["score"], COVERED, PARTIAL) == "covered" for r in rows]
    gold = [r["first"] == "covered" for r in rows]
    hit = sum(p and g for p, g in zip(pred, gold, strict=True))
    return {"precision": hit / max(1, sum(pred)), "recall": hit / max(1, sum(gold))}


def sweep(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    grid = np.round(np.arange(0.20, 0.61, 0.02), 2)
    return [coverage_scores(rows, float(c), min(PARTIAL, float(c))) for c in grid]


def evaluate(index_dir: Path) -> dict[str, Any]:
    from indexer.store import IndexReader

    with IndexReader.open(index_dir) as reader:
        rows = labelled_cells(reader)
        return {
            "index": str(index_dir),
            "compare": score_compare(reader),
            "coverage": coverage_scores(rows, COVERED, PARTIAL)
            | {
                "cells": len(rows),
                "requirements": len({(r["reference"], r["requirement"]) for r in rows}),
                "requirements_extracted": float(
                    np.mean(
                        [
                            r["extracted"]
                            for r in {(x["reference"], x["requirement"]): x for x in rows}.values()
                        ]
                    )
                ),
                "gold": dict(Counter(r["gold"] for r in rows)),
            },
            "coverage_vs_first_reading": first_reading_scores(rows),
            "readers": reader_agreement(),
            "sweep": sweep(rows),
            "cells": rows,
        }


def print_report(report: dict[str, Any], show_sweep: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title="compare: pairing against every labelled counterpart pair (adjudicated)")
    cols = ("plan pair", "labelled", "proposed", "precision", "recall", "recall (sure)")
    for col in (*cols, "vs 1st reading P / R", "2nd reader vs 1st P / R"):
        t.add_column(col, justify="right" if col != "plan pair" else "left")
    for r in report["compare"]:
        first, readers = r["vs_first_reading"], r.get("readers")
        t.add_row(
            f"{r['a']} × {r['b']}",
            str(r["labelled"]),
            str(r["proposed"]),
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['recall_sure']:.3f}",
            f"{first['precision']:.3f} / {first['recall']:.3f}",
            f"{readers['precision']:.3f} / {readers['recall']:.3f}" if readers else "one reading",
        )
    console.print(t)
    c = report["coverage"]
    console.print(
        f"coverage: {c['cells']} labelled cells ({c['gold']}), {c['requirements']} requirements "
        f"({c['requirements_extracted']:.0%} kept by the requirement extraction); thresholds "
        f"covered ≥ {c['covered']}, partial ≥ {c['partial']}: precision {c['precision']:.3f}, "
        f"recall {c['recall']:.3f}, three-way accuracy {c['accuracy']:.3f}, matched at the "
        f"labelled paragraph {c['found_at_labelled_paragraph']:.3f}"
    )
    f = report["coverage_vs_first_reading"]
    console.print(
        f"coverage against the first reading alone: precision {f['precision']:.3f}, "
        f"recall {f['recall']:.3f}"
    )
    readers = report.get("readers")
    if readers:
        console.print(
            f"the two readings of the {readers['cells']} cells: agreement "
            f"{readers['agreement']:.3f}, Cohen's kappa {readers['kappa']:.3f}; the second "
            f"reader's 'covered' against the first's: precision "
            f"{readers['covered_precision']:.3f}, recall {readers['covered_recall']:.3f} "
            f"({readers['adjudicated']} cells decided by a third reading)"
        )
    if show_sweep:
        s = Table(title="coverage: threshold of 'covered'")
        for col in ("covered ≥", "precision", "recall", "accuracy"):
            s.add_column(col, justify="right")
        for r in report["sweep"]:
            s.add_row(
                f"{r['covered']:.2f}",
                f"{r['precision']:.3f}",
                f"{r['recall']:.3f}",
                f"{r['accuracy']:.3f}",
            )
        console.print(s)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.pairing", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--index", type=Path, help=f"index directory (default: {MANY}/index)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--sweep", action="store_true", help="show the threshold sweep")
    args = parser.parse_args(argv)
    index_dir = args.index or build_many_index(quiet=True)
    if index_dir is None:
        print("skipped compare/coverage pairing: ../shared/corpus-real is absent", file=sys.stderr)
        return 0
    report = evaluate(index_dir)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print_report(report, args.sweep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
