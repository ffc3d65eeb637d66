"""Answer accuracy: who / when / how much / how often / what target, read from the plans.

    python -m eval.answers [--json] [--errors] [--questions FILE …]

``eval/questions_answers.json`` (its "about" key says how it was labelled: by reading the
documents of ``corpus/`` and ``../shared/corpus-real``, never from the system's output) holds
60 answerable questions with the exact answer and its paragraph, and 8 that no document
answers; the reading rules of ``service.search.facts`` were worked out on it.
``eval/questions_heldout.json`` was written afterwards the same way from documents the first
set does not use, to see how the rules carry over (``docs/search.md`` says what was changed
after its misses were read); ``eval/questions_blind.json`` later still, from documents
neither uses, by a reader who saw no project code, once the rules were frozen: it is marked
``"blind"`` and its misses are never listed (``--errors`` and ``--json`` give its figures
only), so it stays a measure of documents nobody tuned the rules on. Each question is
searched as served
(``Searcher.search``, hybrid, understanding on) on the many-document index ``make eval``
builds, and answered by ``service.search.facts``.

**When an answer counts as right** — its first fact (the best plan's):

- it comes from a document of the gold paragraphs, and
- *exact*: its text equals the labelled answer in the compared form (folded, lower case,
  punctuation and spaces collapsed, a leading "trước", "trong", "từ", "kể từ", "vào", "đến",
  "chậm nhất", "ít nhất", "khoảng", "trên", "dưới", "định kỳ" dropped from both);
- *field*: or, for money, its amount in đồng equals the labelled ``amount_vnd``; for a target
  its numbers and unit sign are the labelled ones (a year after "năm" left out: "100% kế
  hoạch vốn đầu tư công năm 2025" is 100 %); for a date or frequency its numbers; otherwise
  one compared form contains the other and the shorter is at least 60 % of the longer.

An unanswerable question is right when no fact is given ("not found"). Rates are per kind
and overall; ``answer accuracy`` = (answerable right by field + unanswerable right) / all.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indexer.text.vietnamese import fold
from service.search.spans import question_kind
from service.settings import Settings

QUESTIONS = Path(__file__).with_name("questions_answers.json")
# written afterwards, from documents the first set does not use (its misses were read later)
HELD_OUT = Path(__file__).with_name("questions_heldout.json")
# written later still, from documents neither uses, once the rules were frozen: blind, its
# misses are never listed
BLIND = Path(__file__).with_name("questions_blind.json")
SETS = (QUESTIONS, HELD_OUT, BLIND)
_LEADS = (
    "truoc", "trong", "tu", "ke tu", "vao", "den", "cham nhat", "cham nhat la", "it nhat",
    "khoang", "tren", "duoi", "dinh ky", "hoan thanh truoc", "toi thieu", "dat",
)  # fmt: skip
_LEAD_RX = re.compile(r"^(?:" + "|".join(sorted(_LEADS, key=len, reverse=True)) + r")\s+")


def compared(text: str | None) -> str:
    out = " ".join(re.sub(r"[^\w%/]+", " ", fold(text or "").lower()).split())
    for _ in range(2):
        out = _LEAD_RX.sub("", out)
    return out


def is_right(fact: dict[str, Any] | None, q: dict[str, Any]) -> tuple[bool, bool]:
    """(exact, by field) for one question's first fact."""
    if q.get("answer") is None:
        return fact is None, fact is None
    if fact is None or fact["doc_id"] not in {g["doc_id"] for g in q["gold"]}:
        return False, False
    got, want = compared(fact["text"]), compared(q["answer"])
    exact = bool(got) and got == want
    if exact:
        return True, True
    gold_amount = (q.get("answer_normalized") or {}).get("amount_vnd")
    if q["kind"] == "money" and gold_amount is not None:
        return False, fact["normalized"].get("amount_vnd") == gold_amount
    if q["kind"] == "target":  # the figure: its numbers and unit sign, in order; the year of
        # what it is a share of is not the figure ("100% kế hoạch vốn … năm 2025" is 100 %)
        return False, _figures(_YEAR.sub("", fact["text"])) == _figures(_YEAR.sub("", q["answer"]))
    if q["kind"] in ("when", "frequency") and _figures(q["answer"]):
        return False, _figures(fact["text"]) == _figures(q["answer"])
    short, long = sorted((got, want), key=len)
    return False, bool(short) and short in long and len(short) >= 0.6 * len(long)


_YEAR = re.compile(r"(?i)\bnăm\s+(?:19|20)\d\d\b")


def _figures(text: str) -> list[str]:
    """The numbers of a figure or date ("trước ngày 31/3/2026" → 31, 3, 2026; leading zeros
    dropped) with "%" kept, and its quarter ("Quý II" → q2)."""
    out = [n.lstrip("0") or "0" for n in re.findall(r"\d+(?:[.,]\d+)*", text)]
    out += ["%"] * text.count("%")
    quarter = re.search(r"(?i)quý\s+(IV|III|II|I)\b", text)
    if quarter:
        out.append("q" + str(("I", "II", "III", "IV").index(quarter.group(1).upper()) + 1))
    return out


def measure(index_dir: Path, sets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Each set of questions (by name) searched and judged, on one open index."""
    from service.live.holder import IndexHolder

    holder = IndexHolder(Settings(index_dir=index_dir)).open()
    try:
        searcher = holder.snapshot.searcher
        out = {}
        for name, questions in sets.items():
            rows = [_judged(searcher, q) for q in questions]
            out[name] = {"summary": summarize(rows), "rows": rows}
        return out
    finally:
        holder.close()


def _judged(searcher: Any, q: dict[str, Any]) -> dict[str, Any]:
    result = searcher.search(q["question"], 10)
    got = result.answer  # as served: search reads it (service.search.facts)
    first = got.facts[0].to_dict() if got and got.facts else None
    exact, by_field = is_right(first, q)
    return {
        "id": q["id"],
        "kind": q["kind"],
        "read_as": question_kind(q["question"]),
        "answerable": q.get("answer") is not None,
        "expected": q.get("answer"),
        "got": first["text"] if first else None,
        "got_doc": first["doc_id"] if first else None,
        "exact": exact,
        "right": by_field,
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def rate(part: list[dict[str, Any]], key: str) -> float:
        return round(sum(r[key] for r in part) / len(part), 3) if part else 0.0

    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    kinds = sorted({r["kind"] for r in answerable})
    return {
        "questions": len(rows),
        "answer_accuracy": rate(rows, "right"),
        "answerable": len(answerable),
        "answerable_right": rate(answerable, "right"),
        "answerable_exact": rate(answerable, "exact"),
        "answered_at_all": rate([{"x": r["got"] is not None} for r in answerable], "x"),
        "kind_read_right": rate([{"x": r["read_as"] == r["kind"]} for r in rows], "x"),
        "unanswerable": len(unanswerable),
        "unanswerable_said_so": rate(unanswerable, "right"),
        "by_kind": {
            k: {
                "questions": len([r for r in answerable if r["kind"] == k]),
                "right": rate([r for r in answerable if r["kind"] == k], "right"),
                "exact": rate([r for r in answerable if r["kind"] == k], "exact"),
            }
            for k in kinds
        },
    }


def answer_figures(quiet: bool = True, paths: Sequence[Path] = SETS) -> dict[str, Any] | None:
    """The figures of each set of questions (by file name) on the many-document index, built
    once (None when ../shared/corpus-real is absent)."""
    from eval.run import build_many_index

    index = build_many_index(quiet=quiet)
    if index is None:
        return None
    data = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in paths}
    figures = measure(index, {name: d["questions"] for name, d in data.items()})
    for name, d in data.items():
        if d.get("blind"):  # its misses are not for reading: the rows are left out
            figures[name] = {"summary": figures[name]["summary"], "rows": [], "blind": True}
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.answers", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list the questions answered wrong")
    parser.add_argument(
        "--questions",
        type=Path,
        action="append",
        help=f"a set of questions (default: {', '.join(p.name for p in SETS)})",
    )
    args = parser.parse_args(argv)
    figures = answer_figures(paths=args.questions or SETS)
    if figures is None:
        print("skipped: ../shared/corpus-real is absent", file=sys.stderr)
        return 0
    reports = {name: r if args.errors else r["summary"] for name, r in figures.items()}
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=1))
        return 0
    for name, report in reports.items():
        blind = " (blind: its misses are not listed)" if figures[name].get("blind") else ""
        print(f"{name}{blind}:")
        _print(report if args.errors else {"summary": report}, args.errors)
    return 0


def _print(report: dict[str, Any], errors: bool) -> None:
    s = report["summary"]
    print(
        f"answer accuracy {s['answer_accuracy']:.3f} over {s['questions']} questions; "
        f"answerable right {s['answerable_right']:.3f} (exact {s['answerable_exact']:.3f}, "
        f"answered at all {s['answered_at_all']:.3f}); unanswerable said so "
        f"{s['unanswerable_said_so']:.3f} of {s['unanswerable']}; kind read right "
        f"{s['kind_read_right']:.3f}"
    )
    for kind, k in s["by_kind"].items():
        n, right, exact = k["questions"], k["right"], k["exact"]
        print(f"  {kind:<10} {n:>3} questions  right {right:.3f}  exact {exact:.3f}")
    if errors:
        for r in report["rows"]:
            if not r["right"]:
                asked = f"{r['kind']}/{r['read_as']}"
                got = f"got {r['got']!r} ({r['got_doc']})"
                print(f"  ✗ {r['id']} {asked}: want {r['expected']!r} {got}")


if __name__ == "__main__":
    sys.exit(main())
