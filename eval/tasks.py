"""Task-extraction accuracy: the parser's task rows against rows labelled by reading.

    python -m eval.tasks [--gold eval/tasks_gold.json] [--real ../shared/corpus-real]
                         [--json] [--errors]

``tasks_gold.json`` labels, row by row, every table of 15 documents (``corpus/`` and
``../shared/corpus-real/``) that pairs a task, step or procedure with who does it or by
when (its "about" key says how). Each labelled document is parsed with the project's own
parser (``indexer.parse.parse_file``); every other document of corpus-real is parsed too,
and the rows found there count as spurious (the gold's survey found no such table in them).

**Alignment.** A document's labelled rows (all its tables, in order) are aligned with its
extracted rows (in order) by a monotone alignment that maximises the summed pair scores. A
pair can be aligned when the labelled ``task_contains`` (an exact substring of the task
cell; a leading row number dropped) occurs in the extracted task, or else when the labelled
whole task and the extracted one are at least ``MIN_SIMILARITY`` alike (difflib ratio on
the compared form below); the same row number adds a little. Each row is aligned at most
once.

**Compared form** (``compared``): NFC, ``indexer.text.vietnamese.fold`` (lower case, no
diacritics, đ → d), ``*`` marks dropped, dashes made ``-``, whitespace collapsed, spaces
before ``, . ; :`` removed, leading bullets (``- + •``) and trailing ``. , ; : …`` stripped;
null and empty are the same.

**When a field counts as right** (a labelled row that was not found is wrong on every field):

- *rows*: recall = labelled rows aligned / labelled rows; precision = aligned / rows
  extracted (in the labelled documents and in the others);
- *lead*: the extracted responsible cell equals the labelled ``lead`` (the responsible cell
  as written) in the compared form;
- *deadline*: the extracted time cell equals the labelled ``deadline`` in the compared form
  (a label of null: the row has no time cell, so the extracted one must be empty);
- *period*: of the rows whose labelled deadline ``parse_deadline`` reads as a date, a
  period or a repetition, those where the extracted time cell gives the same ``Deadline``
  (start, end, recurring; the plan's year from its metadata);
- *partners*: over the rows with labelled partners, the extracted partners equal them; over
  all rows, also null ↔ empty;
- *products*: over the rows with a labelled product, the extracted products equal it.

Rates are per labelled row, per document, per table kind and overall.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from indexer.model import TaskRow
from indexer.parse import discover, parse_file
from indexer.structure.deadlines import parse_deadline
from indexer.text.vietnamese import fold

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = Path(__file__).with_name("tasks_gold.json")
CORPUS = ROOT / "corpus"
REAL = ROOT.parent / "shared" / "corpus-real"
MIN_SIMILARITY = 0.6
FIELDS = ("lead", "deadline", "period", "partners", "partners_all", "products")
TARGETS = {"lead": 0.95, "deadline": 0.95}  # issue 30

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "−": "-"})
_LEADING_NUMBER = re.compile(r"^\d{1,3}[.)]?\s+")


def compared(value: object) -> str:
    """The form two cells are compared in ("" for null or empty)."""
    if value is None:
        return ""
    text = fold(unicodedata.normalize("NFC", str(value)).replace("*", "")).translate(_DASHES)
    text = " ".join(text.split())
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    return text.lstrip("-+• ").rstrip(" .,;:…")


@dataclass(slots=True)
class GoldRow:
    kind: str
    table: int  # 1-based table of the document's labelled tables
    number: str
    contains: str
    task: str
    lead: str | None
    deadline: str | None
    partners: str | None
    products: str | None


@dataclass(slots=True)
class Tally:
    """Counts over a set of labelled rows (a document, a table kind, everything)."""

    labelled: int = 0
    extracted: int = 0
    aligned: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    counted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))

    def add(self, other: Tally) -> None:
        self.labelled += other.labelled
        self.extracted += other.extracted
        self.aligned += other.aligned
        for name in FIELDS:
            self.right[name] += other.right[name]
            self.counted[name] += other.counted[name]

    def to_dict(self) -> dict:
        out: dict = {
            "labelled_rows": self.labelled,
            "extracted_rows": self.extracted,
            "aligned_rows": self.aligned,
            "recall": _rate(self.aligned, self.labelled),
            "precision": _rate(self.aligned, self.extracted),
        }
        for name in FIELDS:
            n, ok = self.counted[name], self.right[name]
            out[name] = {"right": ok, "of": n, "rate": _rate(ok, n)}
        return out


def _rate(right: int, n: int) -> float | None:
    return round(right / n, 3) if n else None


def load_gold(path: Path = DEFAULT_GOLD) -> dict[str, list[GoldRow]]:
    """Labelled rows per document, in document order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, list[GoldRow]] = {}
    for entry in data["documents"]:
        rows = out.setdefault(entry["doc_id"], [])
        tables = [entry["rows"]] + ([entry["rows_table2"]] if entry.get("rows_table2") else [])
        for t, table in enumerate(tables):
            table_no = int(entry.get("table_no") or 1) + t
            for r in table:
                rows.append(
                    GoldRow(
                        entry["table_kind"],
                        table_no,
                        str(r.get("stt") or r.get("step") or ""),
                        r["task_contains"],
                        r.get("task") or r["task_contains"],
                        r.get("lead"),
                        r.get("deadline"),
                        r.get("partners"),
                        r.get("product"),
                    )
                )
    return out


def find_file(doc_id: str, roots: Sequence[Path]) -> tuple[Path, Path] | None:
    """The plan file of ``doc_id`` and its corpus root."""
    for root in roots:
        for path in sorted(root.glob(f"{doc_id}.*")):
            if path.suffix.lower() in (".txt", ".md", ".pdf", ".docx", ".doc", ".html", ".rtf"):
                return path, root
    return None


def _number(text: str) -> str:
    m = re.match(r"\s*(?:bước\s+)?(\d+)", fold(text))
    return str(int(m.group(1))) if m else ""


def pair_score(gold: GoldRow, row: TaskRow) -> float:
    """How well an extracted row matches a labelled one (0: not the same row)."""
    got = compared(row.task)
    if not got:
        return 0.0
    same_number = 0.05 if _number(gold.number) and _number(gold.number) == str(row.number) else 0
    for probe in (gold.contains, _LEADING_NUMBER.sub("", gold.contains)):
        if len(compared(probe)) >= 8 and compared(probe) in got:
            return 1.0 + same_number
    want = compared(gold.task.replace("…", " "))
    ratio = SequenceMatcher(None, want, got, autojunk=False).ratio()
    return ratio + same_number if ratio >= MIN_SIMILARITY else 0.0


def align(gold: list[GoldRow], rows: list[TaskRow]) -> list[int | None]:
    """For each labelled row, the index of its extracted row (None when not found): the
    monotone one-to-one alignment with the largest summed score."""
    n, m = len(gold), len(rows)
    scores = [[pair_score(g, r) for r in rows] for g in gold]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = scores[i][j] + best[i + 1][j + 1] if scores[i][j] > 0 else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out: list[int | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        if scores[i][j] > 0 and best[i][j] == scores[i][j] + best[i + 1][j + 1]:
            out[i] = j
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return out


# the extracted row's attribute and the label's key each field compares
_ATTR = {
    "lead": ("responsible", "lead"),
    "deadline": ("timeline", "deadline"),
    "period": ("timeline", "deadline"),
    "partners": ("partners", "partners"),
    "partners_all": ("partners", "partners"),
    "products": ("products", "products"),
}


def score_document(
    doc_id: str, gold: list[GoldRow], rows: list[TaskRow], year: int | None
) -> tuple[dict[str, Tally], list[dict]]:
    """Tallies per table kind of one document's labelled rows, and its errors."""
    tallies: dict[str, Tally] = {}
    errors: list[dict] = []
    for g, j in zip(gold, align(gold, rows), strict=True):
        tally = tallies.setdefault(g.kind, Tally())
        row = rows[j] if j is not None else None
        tally.labelled += 1
        tally.aligned += row is not None
        same = row is not None and compared(row.partners) == compared(g.partners)
        checks: dict[str, bool | None] = {
            "lead": row is not None and compared(row.responsible) == compared(g.lead),
            "deadline": row is not None and compared(row.timeline) == compared(g.deadline),
            "period": _same_deadline(g.deadline, row.timeline if row else None, year),
            "partners": same if compared(g.partners) else None,  # rows with partners only
            "partners_all": same,
            "products": (
                row is not None and compared(row.products) == compared(g.products)
                if compared(g.products)
                else None
            ),
        }
        for name, ok in checks.items():
            if ok is not None:
                tally.counted[name] += 1
                tally.right[name] += bool(ok)
        wrong = [n for n, ok in checks.items() if ok is False and n != "partners_all"]
        if row is None or wrong:
            errors.append(
                {
                    "doc_id": doc_id,
                    "table": g.table,
                    "number": g.number,
                    "task": g.task[:100],
                    "found": row is not None,
                    "wrong": {
                        n: {"want": getattr(g, _ATTR[n][1]), "got": getattr(row, _ATTR[n][0])}
                        for n in wrong
                        if row is not None
                    },
                }
            )
    return tallies, errors


def _same_deadline(want: str | None, got: str | None, year: int | None) -> bool | None:
    """Whether the extracted time cell (None: the row was not found) reads as the same
    ``Deadline`` as the labelled one; None when the labelled one names no date, period or
    repetition."""
    target = parse_deadline(want, year) if want else None
    if target is None or (target.start is None and target.end is None and not target.recurring):
        return None
    if got is None:
        return False
    found = parse_deadline(got, year)
    return (found.start, found.end, found.recurring) == (target.start, target.end, target.recurring)


def evaluate(gold_path: Path = DEFAULT_GOLD, real: Path = REAL, corpus: Path = CORPUS) -> dict:
    """Every figure, per document, per table kind and overall, with the errors."""
    gold = load_gold(gold_path)
    overall = Tally()
    by_kind: dict[str, Tally] = {}
    documents: list[dict] = []
    errors: list[dict] = []
    missing: list[str] = []
    for doc_id, rows in gold.items():
        found = find_file(doc_id, [corpus, real])
        if found is None:
            missing.append(doc_id)
            continue
        doc = parse_file(*found)
        tallies, errs = score_document(doc_id, rows, doc.tasks, doc.meta.year)
        errors += errs
        whole = Tally(extracted=len(doc.tasks))
        for kind, tally in tallies.items():
            whole.add(tally)
            by_kind.setdefault(kind, Tally()).add(tally)
        by_kind[min(tallies)].extracted += len(doc.tasks)  # each document has one kind
        overall.add(whole)
        documents.append({"doc_id": doc_id, "kinds": sorted(tallies), **whole.to_dict()})
    spurious: dict[str, int] = {}
    if real.is_dir():
        for path in discover(real):
            if path.stem in gold:
                continue
            try:
                doc = parse_file(path, real)
            except Exception:  # a file that cannot be read has no rows either
                continue
            if doc.tasks:
                spurious[doc.doc_id] = len(doc.tasks)
    overall.extracted += sum(spurious.values())
    return {
        "overall": {"documents": len(documents), **overall.to_dict()},
        "by_kind": {k: t.to_dict() for k, t in sorted(by_kind.items())},
        "documents": documents,
        "spurious": spurious,
        "missing": missing,
        "targets": TARGETS,
        "errors": errors,
    }


def task_figures(gold_path: Path = DEFAULT_GOLD, real: Path = REAL) -> dict:
    """The figures ``make eval`` reports: overall and per table kind, rows (labelled,
    extracted, aligned, recall, precision) and each field's right / of / rate; ``skipped``
    when corpus-real is absent (then corpus/'s two plans only)."""
    report = evaluate(gold_path, real)
    return {
        "overall": report["overall"],
        "by_kind": report["by_kind"],
        "spurious_rows": sum(report["spurious"].values()),
        "missing": report["missing"],
        "targets": TARGETS,
    }


def _line(name: str, t: dict) -> str:
    def r(key: str) -> str:
        v = t[key]
        return f"{v['right']:>3}/{v['of']:<3} {v['rate'] if v['rate'] is not None else '-':>5}"

    rec = "-" if t["recall"] is None else f"{t['recall']:.3f}"
    prec = "-" if t["precision"] is None else f"{t['precision']:.3f}"
    return (
        f"{name[:34]:<34} {t['labelled_rows']:>4} {t['extracted_rows']:>4} {t['aligned_rows']:>4}"
        f" {rec:>5} {prec:>5}  {r('lead')}  {r('deadline')}  {r('period')}  {r('partners')}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.tasks", description=__doc__.split("\n")[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--real", type=Path, default=REAL, help="the corpus-real folder")
    ap.add_argument("--json", action="store_true", help="print JSON")
    ap.add_argument("--errors", action="store_true", help="list the rows that are wrong")
    args = ap.parse_args(argv)
    report = evaluate(args.gold, args.real)
    if args.json:
        if not args.errors:
            report.pop("errors")
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    head = (
        f"{'document / kind':<34} {'gold':>4} {'got':>4} {'alig':>4} {'rec':>5} {'prec':>5}"
        f"  {'lead':^13}  {'deadline':^13}  {'period':^13}  {'partners':^13}"
    )
    print(head)
    for d in report["documents"]:
        print(_line(d["doc_id"], d))
    print("-" * len(head))
    for kind, t in report["by_kind"].items():
        print(_line(kind, t))
    print(_line("all", report["overall"]))
    if report["spurious"]:
        print(f"rows in unlabelled documents (counted as wrong): {report['spurious']}")
    if report["missing"]:
        print(f"labelled documents not found: {', '.join(report['missing'])}", file=sys.stderr)
    if args.errors:
        for e in report["errors"]:
            print(json.dumps(e, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
