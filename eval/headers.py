"""Header-field accuracy: the reader's metadata against labels made by reading documents.

    python -m eval.headers [--corpus ../shared/corpus-real] [--gold eval/headers_gold.jsonl]
                           [--json] [--errors]

``headers_gold.jsonl`` holds one line per document of ``../shared/corpus-real/`` (labels
only, no document text): unit, province, kind, number, date, year, period, place, title,
signer and signer_title, each read by a person from the document. Values are compared after
normalisation — NFC, case, whitespace, "Uỷ"/"Ủy" tone placement, ``**`` marks — so a field
counts as right when it says the same thing; a label of null counts as right only when the
reader also finds nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexerError
from indexer.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = Path(__file__).with_name("headers_gold.jsonl")
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus-real"
FIELDS = (
    "unit", "province", "kind", "number", "date", "year", "title",
    "period", "place", "signer", "signer_title",
)  # fmt: skip
TARGETS = {"unit": 0.97, "province": 0.97, "kind": 0.97, "number": 0.97, "date": 0.97,
           "year": 0.97, "title": 0.9}  # fmt: skip
_TONES = {"uỷ": "ủy", "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
          "uý": "úy", "uỳ": "ùy", "uỹ": "ũy", "uỵ": "ụy", "oè": "òe", "oé": "óe"}  # fmt: skip


def normalize(value: object) -> str | None:
    """The form two values are compared in (None for an empty value)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).replace("*", "").lower()
    for old, new in _TONES.items():
        text = text.replace(old, new)
    text = text.replace("–", "-").replace("—", "-")
    text = " ".join(text.split()).strip(" .;:…")  # "…/ĐA": a number left blank
    return text or None


@dataclass(slots=True)
class HeaderReport:
    n: int
    accuracy: dict[str, float]
    errors: list[dict]

    def to_dict(self) -> dict:
        return {"documents": self.n, "accuracy": self.accuracy, "targets": TARGETS,
                "errors": self.errors}  # fmt: skip


def load_gold(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def evaluate(corpus: Path, gold_path: Path = DEFAULT_GOLD) -> HeaderReport:
    gold = load_gold(gold_path)
    right = dict.fromkeys(FIELDS, 0)
    errors: list[dict] = []
    for row in gold:
        meta = parse_file(corpus / row["file"], corpus).meta.to_dict()
        for name in FIELDS:
            want, got = normalize(row.get(name)), normalize(meta.get(name))
            if want == got:
                right[name] += 1
            else:
                errors.append({"file": row["file"], "field": name, "gold": row.get(name),
                               "read": meta.get(name)})  # fmt: skip
    n = len(gold)
    return HeaderReport(n, {f: right[f] / n for f in FIELDS} if n else {}, errors)


def format_report(report: HeaderReport) -> str:
    lines = [f"Header fields over {report.n} labelled documents (eval/headers_gold.jsonl)"]
    for name in FIELDS:
        acc = report.accuracy.get(name, 0.0)
        target = TARGETS.get(name)
        mark = "" if target is None else ("  ✓" if acc >= target else f"  ✗ target {target}")
        lines.append(f"  {name:<13} {acc:6.3f}{mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.headers", description=__doc__)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--errors", action="store_true", help="list every disagreement")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"header eval skipped: {args.corpus} is not there", file=sys.stderr)
        return 0
    try:
        report = evaluate(args.corpus, args.gold)
    except IndexerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(format_report(report))
    if args.errors:
        for e in report.errors:
            print(f"  {e['file']} {e['field']}: gold {e['gold']!r} read {e['read']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
