"""The standard header read from real documents of many issuers (../shared/corpus-real), in
every form: the portal's Markdown as it is, and DOCX, HTML and PDF renderings of it made here.

The labels (eval/headers_gold.jsonl) were made by reading the documents, not by this reader.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from eval.headers import DEFAULT_GOLD, TARGETS, evaluate, load_gold, normalize
from indexer.parse import discover, parse_file
from indexer.readers.markdown import markdown_blocks
from indexer.structure.header import strip_motto

pytestmark = pytest.mark.real_corpus  # each test asks for real_corpus_dir
HEADER_FIELDS = ("unit", "province", "kind", "number", "date", "year", "title")
# one of each kind of issuer: ministry, People's Committee, People's Council, Government,
# Standing Committee of the National Assembly (no header block), a body under a city's
# People's Committee, a tax office under its department, a plan with a period
SAMPLE = [
    "1796a553dfee88ef.md",
    "09daab284f92e2dd.md",
    "0abcf1a5292b31ec.md",
    "a69069ae524315d9.md",
    "0f145efacbf006fc.md",
    "82483d7fa7f7a186.md",
    "de1ea1a30ca1e0bc.md",
    "ec00bd6f58be7864.md",
]


@pytest.fixture(scope="module")
def gold() -> dict[str, dict]:
    return {row["file"]: row for row in load_gold(DEFAULT_GOLD)}


def test_header_fields_meet_their_targets(real_corpus_dir):
    report = evaluate(real_corpus_dir)
    assert report.n >= 60
    for name, target in TARGETS.items():
        assert report.accuracy[name] >= target, (name, report.accuracy[name])


def test_every_real_document_parses(tmp_path, real_corpus_dir):
    files = [p for p in discover(real_corpus_dir) if p.suffix == ".md" and p.name != "README.md"]
    assert len(files) >= 120
    for path in files:
        doc = parse_file(path, real_corpus_dir)
        assert doc.paragraphs, path.name
        assert doc.meta.kind and doc.meta.unit, path.name
        for p in doc.paragraphs:  # no motto alone as a paragraph, no emphasis mark left
            assert strip_motto(p.text).strip(" |-–:;"), (path.name, p.text)
            assert "**" not in p.text, (path.name, p.text)


def _check(meta: dict, row: dict, form: str) -> None:
    for name in HEADER_FIELDS:
        assert normalize(meta.get(name)) == normalize(row.get(name)), (form, row["file"], name)


@pytest.mark.parametrize("name", SAMPLE)
def test_markdown_header(name, gold, real_corpus_dir):
    _check(parse_file(real_corpus_dir / name, real_corpus_dir).meta.to_dict(), gold[name], "md")


def _render_docx(blocks, out: Path) -> Path:
    import docx

    d = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            d.add_paragraph(block)
            continue
        width = max(len(r) for r in block)
        table = d.add_table(rows=0, cols=width)
        for row in block:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=False):
                cell.text = text
    d.save(str(out))
    return out


def _render_html(blocks, out: Path) -> Path:
    parts = ["<html><head><title>Văn bản</title><script>var x=1;</script></head><body>",
             "<nav>Trang chủ | Văn bản mới</nav><div class='content'>"]  # fmt: skip
    for block in blocks:
        if isinstance(block, str):
            parts.append(f"<p>{html.escape(block)}</p>")
            continue
        parts.append("<table>")
        for row in block:
            cells = "".join(
                "<td>" + "<br>".join(html.escape(x) for x in c.split("\n")) + "</td>" for c in row
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append("</div><footer>Bản quyền thuộc về cổng thông tin</footer></body></html>")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def _render_txt_flat(blocks, out: Path) -> Path:
    """The header's two columns side by side on each line, as a PDF's text layer gives them."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            lines.append(block)
            continue
        for row in block:
            cols = [c.split("\n") for c in row]
            for k in range(max(len(c) for c in cols)):
                lines.append("     ".join(c[k] if k < len(c) else "" for c in cols).strip())
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def _render_pdf(blocks, out: Path) -> Path:
    """A PDF with the header table's columns side by side (as printed), body lines after."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("dejavu", size=10)
    pdf.add_page()
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    for block in blocks:
        if isinstance(block, str):
            pdf.multi_cell(usable, 5, block, new_x="LMARGIN", new_y="NEXT")
            continue
        for row in block:
            top, bottom = pdf.get_y(), pdf.get_y()
            width = usable / len(row)
            for k, cell in enumerate(row):
                pdf.set_xy(pdf.l_margin + k * width, top)
                pdf.multi_cell(width - 2, 5, cell or " ", align="C")
                bottom = max(bottom, pdf.get_y())
            pdf.set_xy(pdf.l_margin, bottom)
    pdf.output(str(out))
    return out


@pytest.mark.parametrize("form", ["docx", "html", "txt", "pdf"])
@pytest.mark.parametrize("name", SAMPLE[:6])
def test_rendered_forms_read_the_same_header(name, form, gold, tmp_path, real_corpus_dir):
    blocks = markdown_blocks((real_corpus_dir / name).read_text(encoding="utf-8"))
    render = {
        "docx": _render_docx,
        "html": _render_html,
        "txt": _render_txt_flat,
        "pdf": _render_pdf,
    }[form]
    path = render(blocks, tmp_path / f"{Path(name).stem}.{form}")
    _check(parse_file(path, tmp_path).meta.to_dict(), gold[name], form)


def test_task_rows_from_a_markdown_table(real_corpus_dir):
    doc = parse_file(real_corpus_dir / "ec00bd6f58be7864.md", real_corpus_dir)
    assert len(doc.tasks) >= 20
    for row in doc.tasks:
        assert row.task and row.responsible and row.timeline, row
    assert doc.tasks[0].group  # the group row above it, carried down
    tasks = [p for p in doc.paragraphs if p.kind == "task"]
    assert len(tasks) == len(doc.tasks)
    assert "Thực hiện: " in tasks[0].text and "Phối hợp: " in tasks[0].text
