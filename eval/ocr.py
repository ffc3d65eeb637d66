"""``make eval``: OCR of scanned plans — character error rate and header fields.

Scans are made here from real plans (corpus/ and, when present, a few documents of
../shared/corpus-real): the plan's opening lines are drawn on A4 pages at ``DPI`` with a
Vietnamese-capable font (DejaVu Serif, Debian ``fonts-dejavu-core``), skewed a little, with
light speckle noise and blur, and wrapped as a PDF without a text layer. The product then
reads that PDF (``indexer.parse.parse_file``: OCR of the scanned pages, cleaning, header).

- CER: edit distance between the OCR text and the drawn lines (both NFC, whitespace runs as
  one space) over the drawn characters;
- header: unit, number, date and year read from the scan against those read from the same
  pages as a text file (a plan's number may stand on its last page, beyond the pages drawn).

    python -m eval.ocr [--pages 2] [--json]
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import random
import re
import sys
import tempfile
import textwrap
import unicodedata
from pathlib import Path
from typing import Any

DPI = 300
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES_PER_PAGE = 38
WRAP = 78
ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus-real"
HEADER_FIELDS = ("unit", "number", "date", "year")


def page_lines(text: str, pages: int) -> list[list[str]]:
    """The text's first lines, wrapped as a typed page would hold them, ``pages`` pages."""
    lines: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            lines += textwrap.wrap(line, WRAP) or [line]
        if len(lines) >= pages * LINES_PER_PAGE:
            break
    lines = lines[: pages * LINES_PER_PAGE]
    return [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]


def render_page(lines: list[str], seed: int = 0):
    """One A4 page image: the lines in DejaVu Serif 12 pt, skewed 0.3–0.8°, speckled, blurred."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    width, height = int(8.27 * DPI), int(11.69 * DPI)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, int(12 / 72 * DPI))
    y = int(0.8 * DPI)
    for line in lines:
        draw.text((int(0.9 * DPI), y), line, font=font, fill=0)
        y += int(12 / 72 * DPI * 1.5)
    rng = random.Random(seed)
    image = image.rotate(rng.uniform(0.3, 0.8), resample=Image.BICUBIC, fillcolor=255)
    pixels = image.load()
    for _ in range(width * height // 2000):  # speckle: 0.05 % of the pixels
        pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 255))
    return image.filter(ImageFilter.GaussianBlur(0.5))


def scanned_pdf(pages: list[list[str]], seed: int = 0) -> bytes:
    """The pages as a PDF of images only (no text layer), as a scanner makes."""
    images = [render_page(lines, seed + i).convert("RGB") for i, lines in enumerate(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return out.getvalue()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edits (replace, insert, delete) over the reference's length."""
    ref, hyp = _norm(reference), _norm(hypothesis)
    matcher = difflib.SequenceMatcher(None, ref, hyp, autojunk=False)
    edits = sum(
        max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"
    )
    return edits / max(1, len(ref))


def sources(limit_real: int = 3) -> list[Path]:
    """The plans scanned: corpus/'s, and the first few of ../shared/corpus-real (sorted)."""
    found = sorted((ROOT / "corpus").glob("*.txt"))
    if REAL.is_dir():
        found += sorted(REAL.glob("*.md"))[:limit_real]
    return found


def evaluate_one(source: Path, pages: int, work: Path) -> dict[str, Any]:
    from indexer.parse import parse_file
    from indexer.readers import read_document

    text = read_document(source).text  # as the product reads the source (portal noise out)
    drawn = page_lines(text, pages)
    pdf = work / f"{source.stem}.pdf"
    pdf.write_bytes(scanned_pdf(drawn))
    typed = work / f"{source.stem}.txt"  # the same pages as text: what the scan should give
    typed.write_text("\n".join(line for page in drawn for line in page) + "\n", "utf-8")
    raw = read_document(pdf)
    scanned, original = parse_file(pdf, work).meta, parse_file(typed, work).meta
    return {
        "document": source.stem,
        "pages": len(drawn),
        "characters": len(_norm(" ".join(" ".join(p) for p in drawn))),
        "cer": round(cer(" ".join(" ".join(p) for p in drawn), raw.text.replace("\f", " ")), 4),
        "read_as": raw.source_format,
        "header": {
            f: {"source": getattr(original, f), "scan": getattr(scanned, f)} for f in HEADER_FIELDS
        },
        "header_exact": all(getattr(original, f) == getattr(scanned, f) for f in HEADER_FIELDS),
    }


def evaluate(pages: int = 2, limit_real: int = 3) -> dict[str, Any]:
    from indexer.readers import ocr

    lacking = ocr.missing()
    if lacking:
        return {"skipped": f"OCR needs {lacking}"}
    with tempfile.TemporaryDirectory(prefix="eval-ocr-") as tmp:
        rows = [evaluate_one(s, pages, Path(tmp)) for s in sources(limit_real)]
    chars = sum(r["characters"] for r in rows)
    return {
        "documents": rows,
        "cer": round(sum(r["cer"] * r["characters"] for r in rows) / max(1, chars), 4),
        "header_exact": sum(r["header_exact"] for r in rows) / max(1, len(rows)),
        "fields_exact": sum(h["source"] == h["scan"] for r in rows for h in r["header"].values())
        / max(1, len(rows) * len(HEADER_FIELDS)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.ocr", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2, help="pages scanned per plan")
    parser.add_argument("--real", type=int, default=3, help="corpus-real documents scanned")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = evaluate(args.pages, args.real)
    if args.json or "skipped" in report:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title="OCR of scanned plans (made from the real texts)")
    for col in ("plan", "pages", "CER", "unit", "number", "date", "year"):
        t.add_column(col)
    for r in report["documents"]:
        marks = [
            "✓" if h["source"] == h["scan"] else f"✗ {h['scan']!r}" for h in r["header"].values()
        ]
        t.add_row(r["document"][:40], str(r["pages"]), f"{r['cer']:.2%}", *marks)
    Console().print(t)
    print(
        f"OCR: CER {report['cer']:.2%} over {len(report['documents'])} plans; header fields "
        f"exact {report['fields_exact']:.0%}, whole headers exact {report['header_exact']:.0%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
